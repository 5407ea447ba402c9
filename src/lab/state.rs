//! What the listeners share: the world under one lock, the options, and the dirty signal that
//! wakes the flush task.

use super::clock::{self, Time};
use super::options::LabOptions;
use super::world::{Pace, Site, World};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use tokio::sync::Notify;

pub struct Shared {
    world: Mutex<World>,
    pub opts: LabOptions,
    dirty: AtomicBool,
    pub wake: Notify,
}

impl Shared {
    pub fn new(world: World, opts: LabOptions) -> Arc<Self> {
        Arc::new(Self {
            world: Mutex::new(world),
            opts,
            dirty: AtomicBool::new(false),
            wake: Notify::new(),
        })
    }

    pub fn lock(&self) -> MutexGuard<'_, World> {
        self.world
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    pub fn pace(&self) -> Pace {
        Pace {
            speed: self.opts.time_speed,
            snapshot_interval: self.opts.snapshot_interval,
        }
    }

    /// The world, settled to now.
    pub fn settled(&self) -> (MutexGuard<'_, World>, Time) {
        let now = clock::now();
        let mut w = self.lock();
        w.settle(now, self.pace());
        (w, now)
    }

    pub fn mark_dirty(&self) {
        self.dirty.store(true, Ordering::Release);
        self.wake.notify_one();
    }

    /// Clears the dirty flag, returning whether it was set.
    pub fn take_dirty(&self) -> bool {
        self.dirty.swap(false, Ordering::AcqRel)
    }
}

/// One site's view: the handlers' axum state.
#[derive(Clone)]
pub struct Ctx {
    pub shared: Arc<Shared>,
    pub site: usize,
}

impl Ctx {
    /// Runs `f` on this site of the settled world and marks the world dirty.
    pub fn with<R>(&self, f: impl FnOnce(&mut Site, Time) -> R) -> R {
        let (mut w, now) = self.shared.settled();
        let r = f(&mut w.sites[self.site], now);
        drop(w);
        self.shared.mark_dirty();
        r
    }

    /// Runs `f` on the whole settled world (calls that span arrays).
    pub fn with_world<R>(&self, f: impl FnOnce(&mut World, usize, Time) -> R) -> R {
        let (mut w, now) = self.shared.settled();
        let r = f(&mut w, self.site, now);
        drop(w);
        self.shared.mark_dirty();
        r
    }

    pub fn base_url(&self) -> String {
        let port = self.shared.lock().sites[self.site].port;
        format!("{}://127.0.0.1:{port}", self.shared.opts.scheme())
    }

    pub fn site_down(&self) -> bool {
        let now = clock::now();
        self.shared.lock().sites[self.site].fault_active("site_down", now)
    }
}
