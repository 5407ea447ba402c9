//! "The journal changed", for consoles and `ops watch` that show what other consoles do. Each
//! engine feeds one counter: PostgreSQL from LISTEN/NOTIFY (triggers notify on every write), SQLite
//! from `PRAGMA data_version` on a connection of its own (it moves when any connection commits).
//! Nobody polls a table: a consumer waits for the counter to move, then reads what it shows.
//! The feeding task runs only while someone subscribes.

use super::error::StoreError;
use std::sync::{Arc, Mutex};
use tokio::sync::watch;

/// A subscription to the journal's changes. Cheap to hold; clone it for another consumer.
#[derive(Debug, Clone)]
pub struct JournalChanges {
    rx: watch::Receiver<u64>,
}

impl JournalChanges {
    /// The change count now: a token to compare with a later one.
    pub fn token(&self) -> u64 {
        *self.rx.borrow()
    }

    /// Wait until the journal changes (any table, any process) after the last wait. `Err` only if
    /// the journal was closed.
    pub async fn changed(&mut self) -> Result<u64, StoreError> {
        self.rx
            .changed()
            .await
            .map_err(|_| StoreError::Task("the journal was closed".into()))?;
        Ok(*self.rx.borrow_and_update())
    }

    /// Whether the journal changed since the last wait or `mark_seen`, without waiting (for a
    /// render loop that must never block).
    pub fn has_changed(&self) -> bool {
        self.rx.has_changed().unwrap_or(false)
    }

    /// Take the current state as seen.
    pub fn mark_seen(&mut self) -> u64 {
        *self.rx.borrow_and_update()
    }
}

/// The engine's side: the counter and whether the task that feeds it runs.
#[derive(Debug)]
pub struct ChangeHub {
    tx: watch::Sender<u64>,
    feeding: Mutex<bool>,
}

impl Default for ChangeHub {
    fn default() -> Self {
        Self {
            tx: watch::Sender::new(0),
            feeding: Mutex::new(false),
        }
    }
}

impl ChangeHub {
    /// Something changed (seen by the feeder, or written by this process).
    pub fn bump(&self) {
        self.tx.send_modify(|n| *n = n.wrapping_add(1));
    }

    /// Subscribe; `start_feeder` runs if no feeder is running (it must call `feeder_should_stop`
    /// between waits and return when that says so).
    pub fn subscribe(
        self: &Arc<Self>,
        start_feeder: impl FnOnce(Arc<ChangeHub>) -> Result<(), StoreError>,
    ) -> Result<JournalChanges, StoreError> {
        let mut feeding = self.feeding.lock().unwrap_or_else(|p| p.into_inner());
        let rx = self.tx.subscribe();
        if !*feeding {
            start_feeder(self.clone())?;
            *feeding = true;
        }
        Ok(JournalChanges { rx })
    }

    /// True when nobody listens any more; the feeder then counts as stopped and must return.
    pub fn feeder_should_stop(&self) -> bool {
        let mut feeding = self.feeding.lock().unwrap_or_else(|p| p.into_inner());
        if self.tx.receiver_count() == 0 {
            *feeding = false;
            return true;
        }
        false
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_subscriber_wakes_on_a_bump_and_the_feeder_stops_with_the_last_one() {
        let hub = Arc::new(ChangeHub::default());
        let mut started = 0;
        let mut a = hub
            .subscribe(|_| {
                started += 1;
                Ok(())
            })
            .expect("subscribe");
        assert!(!a.has_changed());
        hub.bump();
        assert!(a.has_changed());
        assert_eq!(a.changed().await.expect("changed"), 1);
        assert!(!a.has_changed());
        let b = hub.subscribe(|_| panic!("one feeder")).expect("second");
        assert!(!hub.feeder_should_stop());
        drop((a, b));
        assert!(hub.feeder_should_stop());
        hub.subscribe(|_| {
            started += 1;
            Ok(())
        })
        .expect("again");
        assert_eq!(started, 2, "a new subscriber restarts the feeder");
    }
}
