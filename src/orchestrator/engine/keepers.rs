//! What runs beside an operation: its events copied into the journal for other processes to
//! follow (the lease on its group is kept by lease.rs).

use super::Engine;
use crate::orchestrator::{EventKind, OperationEvent};
use crate::store::Store;
use tokio::sync::watch;

impl Engine {
    /// Copy this operation's events into the journal, so `ops watch` in another process sees them.
    pub(super) fn spawn_event_copier(
        &self,
        id: &str,
        mut stop: watch::Receiver<bool>,
    ) -> tokio::task::JoinHandle<()> {
        let mut rx = self.events.subscribe();
        let store = self.store.clone();
        let id = id.to_string();
        tokio::spawn(async move {
            loop {
                tokio::select! {
                    ev = rx.recv() => match ev {
                        // Take the whole burst: one write for all of it.
                        Ok(first) => copy(&store, &id, first, &mut rx).await,
                        Err(tokio::sync::broadcast::error::RecvError::Lagged(n)) => {
                            tracing::warn!("event copier lagged by {n}");
                        }
                        Err(_) => return,
                    },
                    _ = stop.changed() => {
                        // Drain what is already queued, then stop.
                        if let Ok(first) = rx.try_recv() {
                            copy(&store, &id, first, &mut rx).await;
                        }
                        return;
                    }
                }
            }
        })
    }
}

/// Journal `first` and every event already queued behind it that belongs to operation `id`.
/// A cancel request is journaled by whoever asks it, so it is not copied.
async fn copy(
    store: &Store,
    id: &str,
    first: OperationEvent,
    rx: &mut tokio::sync::broadcast::Receiver<OperationEvent>,
) {
    let mut burst = vec![first];
    while let Ok(ev) = rx.try_recv() {
        burst.push(ev);
    }
    burst.retain(|ev| {
        ev.operation_id == id && !matches!(ev.kind, EventKind::CancelRequested { .. })
    });
    if !burst.is_empty()
        && let Err(e) = store.append_events(burst).await
    {
        tracing::warn!("operation {id}: journaling its events for other consoles: {e}");
    }
}
