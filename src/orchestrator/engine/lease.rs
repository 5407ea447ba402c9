//! Holding a group's lock while an operation runs: the lease is renewed well before it expires,
//! and a console that loses it (another console took it over after it expired: this process was
//! frozen, or cut off from the journal) stops running the operation at once, without a rollback
//! and without another journal write, because the console holding the lock now runs it. The same
//! task looks for a cancel journaled by another process.

use super::Engine;
use crate::domain::JournalEntry;
use crate::orchestrator::ExecJournal;
use crate::store::{Store, StoreError};
use futures_util::future::BoxFuture;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::watch;
use tokio::time::Instant;

/// How often cancels journaled by other processes are looked for.
const CANCEL_CHECK: Duration = Duration::from_secs(1);

impl Engine {
    /// Keep the lease of `group` for operation `id` until `stop`; the receiver turns `true` when
    /// the lease is lost.
    pub(super) fn spawn_lease_keeper(
        self: &Arc<Self>,
        group: &str,
        id: &str,
        mut stop: watch::Receiver<bool>,
    ) -> (tokio::task::JoinHandle<()>, watch::Receiver<bool>) {
        let (lost_tx, lost_rx) = watch::channel(false);
        let engine = self.clone();
        let lease = self.opts.lease;
        let (group, id) = (group.to_string(), id.to_string());
        let console = self.opts.console_id.clone();
        let task = tokio::spawn(async move {
            let tick = (lease / 6).clamp(Duration::from_millis(100), CANCEL_CHECK);
            let renew_every = lease / 3;
            let (mut last_try, mut last_ok) = (Instant::now(), Instant::now());
            let mut last_cancel_check = Instant::now();
            let mut seq = 0;
            loop {
                tokio::select! {
                    _ = tokio::time::sleep(tick) => {}
                    _ = stop.changed() => return,
                }
                if last_try.elapsed() >= renew_every {
                    last_try = Instant::now();
                    match engine.store.renew_lock(&group, &id, &console, lease).await {
                        Ok(true) => last_ok = Instant::now(),
                        Ok(false) => {
                            tracing::error!("operation {id}: the lock of {group} was taken over");
                            let _ = lost_tx.send(true);
                            return;
                        }
                        Err(e) => tracing::warn!("renewing the lease of {group}: {e}"),
                    }
                }
                // Unrenewed for (nearly) a whole lease: another console may take over now.
                if last_ok.elapsed() + tick >= lease {
                    tracing::error!("operation {id}: the lease of {group} could not be renewed");
                    let _ = lost_tx.send(true);
                    return;
                }
                if last_cancel_check.elapsed() >= CANCEL_CHECK {
                    last_cancel_check = Instant::now();
                    match engine.store.cancel_request(&id, seq).await {
                        Ok(Some((s, by))) => {
                            seq = s;
                            tracing::info!("operation {id}: cancel asked by {by}");
                            engine.cancel_local(&id);
                        }
                        Ok(None) => {}
                        Err(e) => tracing::warn!(
                            "operation {id}: looking for a cancel in the journal: {e}"
                        ),
                    }
                }
            }
        });
        (task, lost_rx)
    }
}

/// The executor's journal while the lease holds: once it is lost, a write never completes (the
/// executor is dropped right after), so a stale runner cannot overwrite what the new one journals
/// nor take a failed write for a reason to roll back.
pub(super) struct LeasedJournal {
    pub store: Store,
    pub lost: watch::Receiver<bool>,
}

impl ExecJournal for LeasedJournal {
    fn record<'a>(
        &'a self,
        operation_id: &'a str,
        entry: JournalEntry,
    ) -> BoxFuture<'a, Result<(), StoreError>> {
        Box::pin(async move {
            if *self.lost.borrow() {
                std::future::pending::<()>().await;
            }
            self.store.commit(operation_id, entry).await
        })
    }
}
