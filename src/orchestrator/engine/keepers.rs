//! What runs beside an operation: the lease on its group kept alive (and a cancel asked through
//! the journal noticed, and a pending fence of any group started once its side answers), and
//! its events copied into the journal for other processes to follow.

use super::Engine;
use crate::orchestrator::{EventKind, OperationEvent};
use crate::store::Store;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::watch;

/// How often a running operation's keeper looks for a pending fence whose side answers again.
const FENCE_LOOK_EVERY: Duration = Duration::from_secs(10);

impl Engine {
    /// Renew the group's lease while the operation runs, and watch the journal for a cancel
    /// asked by another process (`drconsole ops cancel ID`).
    pub(super) fn spawn_lease_keeper(
        self: &Arc<Self>,
        group: &str,
        id: &str,
        mut stop: watch::Receiver<bool>,
    ) -> tokio::task::JoinHandle<()> {
        let engine = self.clone();
        let lease = self.opts.lease;
        let (group, id) = (group.to_string(), id.to_string());
        tokio::spawn(async move {
            let renew_every = lease / 3;
            let mut last_renew = tokio::time::Instant::now();
            let mut last_fence_look = tokio::time::Instant::now();
            let mut seq = 0;
            loop {
                tokio::select! {
                    _ = tokio::time::sleep(Duration::from_secs(1)) => {}
                    _ = stop.changed() => return,
                }
                if last_renew.elapsed() >= renew_every {
                    last_renew = tokio::time::Instant::now();
                    if let Err(e) = engine.store.renew_lock(&group, &id, lease).await {
                        tracing::error!("operation {id}: renewing the lease of {group}: {e}");
                    }
                }
                if last_fence_look.elapsed() >= FENCE_LOOK_EVERY {
                    last_fence_look = tokio::time::Instant::now();
                    engine.fence_when_back(None).await;
                }
                match engine.store.cancel_request(&id, seq).await {
                    Ok(Some((s, by))) => {
                        seq = s;
                        tracing::info!("operation {id}: cancel asked by {by}");
                        engine.cancel_local(&id);
                    }
                    Ok(None) => {}
                    Err(e) => {
                        tracing::warn!("operation {id}: looking for a cancel in the journal: {e}")
                    }
                }
            }
        })
    }

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
