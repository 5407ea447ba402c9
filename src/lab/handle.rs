//! A running lab: its listeners (one per site), the task that flushes the world to disk, and
//! the calls to find it, write its client files and stop it.

use super::client_files::{self, ClientFiles};
use super::options::LabOptions;
use super::state::{Ctx, Shared};
use super::topology::Topology;
use super::{clock, http, persist, tls, world};
use std::io;
use std::sync::Arc;
use std::time::Duration;
use tokio::net::TcpListener;
use tokio::sync::watch;
use tokio::task::JoinHandle;

/// Writes happen at most this often; a burst of changes costs one write.
const FLUSH_INTERVAL: Duration = Duration::from_millis(250);

pub struct LabHandle {
    shared: Arc<Shared>,
    topology: Topology,
    sites: Vec<(String, u16)>,
    stop: watch::Sender<bool>,
    listeners: Vec<JoinHandle<()>>,
    flusher: JoinHandle<()>,
}

async fn bind(preferred: u16) -> io::Result<TcpListener> {
    if preferred != 0
        && let Ok(l) = TcpListener::bind(("127.0.0.1", preferred)).await
    {
        return Ok(l);
    }
    TcpListener::bind(("127.0.0.1", 0)).await
}

impl LabHandle {
    /// Loads DIR/world.json (or builds the topology's world), binds the sites and serves them.
    pub async fn start(opts: LabOptions) -> io::Result<LabHandle> {
        std::fs::create_dir_all(&opts.dir)?;
        let topology = opts.topology()?;
        let tls = if opts.plain_http {
            None
        } else {
            Some(tls::acceptor(&opts.dir)?)
        };
        let mut world = match persist::load(&opts.dir)? {
            Some(w) => w,
            None => world::build(&topology, opts.time_speed, clock::now()),
        };
        let mut listeners = Vec::new();
        for site in world.sites.iter_mut() {
            let l = bind(site.port).await?;
            site.port = l.local_addr()?.port();
            listeners.push(l);
        }
        client_files::write_tokens(&opts.dir, &world)?;
        persist::save(&opts.dir, &world)?;
        let sites = world
            .sites
            .iter()
            .map(|s| (s.name.clone(), s.port))
            .collect();
        let shared = Shared::new(world, opts);
        let (stop, stop_rx) = watch::channel(false);
        let tasks = listeners
            .into_iter()
            .enumerate()
            .map(|(i, l)| {
                let ctx = Ctx {
                    shared: shared.clone(),
                    site: i,
                };
                tokio::spawn(http::accept_loop(l, ctx, tls.clone(), stop_rx.clone()))
            })
            .collect();
        let flusher = tokio::spawn(flush_loop(shared.clone()));
        Ok(LabHandle {
            shared,
            topology,
            sites,
            stop,
            listeners: tasks,
            flusher,
        })
    }

    pub fn site_names(&self) -> Vec<String> {
        self.sites.iter().map(|(n, _)| n.clone()).collect()
    }

    /// `https://127.0.0.1:PORT` of a site (`http://` with `plain_http`).
    pub fn site_url(&self, name: &str) -> Option<String> {
        let scheme = self.shared.opts.scheme();
        self.sites
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, p)| format!("{scheme}://127.0.0.1:{p}"))
    }

    /// The lab's CA certificate, which clients trust (None when serving plain HTTP).
    pub fn ca_file(&self) -> Option<std::path::PathBuf> {
        (!self.shared.opts.plain_http).then(|| tls::ca_path(&self.shared.opts.dir))
    }

    /// The control API's status of a site.
    pub fn status_url(&self, name: &str) -> Option<String> {
        self.site_url(name).map(|u| format!("{u}/lab/v1/status"))
    }

    pub fn dir(&self) -> &std::path::Path {
        &self.shared.opts.dir
    }

    pub fn write_client_files(&self) -> io::Result<ClientFiles> {
        let w = self.shared.lock();
        client_files::write(&self.shared.opts, &w, &self.topology)
    }

    /// Stops the listeners and writes the world.
    pub async fn shutdown(self) -> io::Result<()> {
        let _ = self.stop.send(true);
        for t in self.listeners {
            let _ = t.await;
        }
        self.flusher.abort();
        let _ = self.flusher.await;
        flush(&self.shared).await
    }
}

async fn flush(shared: &Arc<Shared>) -> io::Result<()> {
    // Copy under the lock, serialise and write outside it: requests never wait for the disk.
    let world = shared.lock().clone();
    let path = persist::world_path(&shared.opts.dir);
    tokio::task::spawn_blocking(move || {
        let bytes = serde_json::to_vec(&world).map_err(io::Error::other)?;
        persist::write_private(&path, &bytes)
    })
    .await
    .map_err(io::Error::other)?
}

async fn flush_loop(shared: Arc<Shared>) {
    loop {
        shared.wake.notified().await;
        tokio::time::sleep(FLUSH_INTERVAL).await;
        if shared.take_dirty()
            && let Err(e) = flush(&shared).await
        {
            tracing::warn!("lab: cannot write the world: {e}");
        }
    }
}
