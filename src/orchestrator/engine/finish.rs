//! Running a journaled operation to its end: the executor in a task, the lease kept alive, events
//! copied to the journal for other processes, then the record, the group state and the lock made
//! true to the outcome.

use super::group_state::JournalState;
use super::lease::LeasedJournal;
use super::{Engine, EngineError};
use crate::domain::{OperationRecord, OperationStatus, OperationType, ResultData, transition_of};
use crate::orchestrator::site_runner::SiteRunner;
use crate::orchestrator::{EventKind, Executor, Outcome, Plan, PriorStep};
use chrono::Utc;
use serde_json::Value;
use std::collections::HashMap;
use std::sync::Arc;
use tokio::sync::watch;

impl Engine {
    /// Run `plan` for `record` in a task. `rollback_only` resumes an operation that was rolling
    /// back: nothing new starts, completed steps are compensated.
    pub(crate) fn spawn_run(
        self: &Arc<Self>,
        record: OperationRecord,
        plan: Plan,
        prior: HashMap<String, PriorStep>,
        rollback_only: bool,
    ) {
        let (cancel_tx, cancel_rx) = watch::channel(rollback_only);
        self.register(&record.id, cancel_tx);
        let engine = self.clone();
        tokio::spawn(async move {
            engine.run_to_end(record, plan, prior, cancel_rx).await;
        });
    }

    async fn run_to_end(
        self: Arc<Self>,
        record: OperationRecord,
        plan: Plan,
        prior: HashMap<String, PriorStep>,
        cancel: watch::Receiver<bool>,
    ) {
        let id = record.id.clone();
        let group = record.protection_group.clone();
        let (stop_tx, stop_rx) = watch::channel(false);
        let (lease, mut lost) = self.spawn_lease_keeper(&group, &id, stop_rx.clone());
        let copier = self.spawn_event_copier(&id, stop_rx);
        let journal = LeasedJournal {
            store: self.store.clone(),
            lost: lost.clone(),
        };
        let outcome = tokio::select! {
            r = self.execute(&record, plan, prior, cancel, journal) => {
                Some(r.map_err(|e| e.to_string()))
            }
            _ = lost.wait_for(|l| *l) => None,
        };
        let _ = stop_tx.send(true);
        let _ = lease.await;
        let _ = copier.await;
        match outcome {
            Some(outcome) => self.finish(record, outcome).await,
            None => self.events.publish(
                &id,
                EventKind::Log {
                    line: format!(
                        "this console lost the lock of {group}: it stopped running the \
                         operation and left it to the console that holds the lock now"
                    ),
                },
            ),
        }
        self.unregister(&id);
    }

    async fn execute(
        self: &Arc<Self>,
        record: &OperationRecord,
        plan: Plan,
        prior: HashMap<String, PriorStep>,
        cancel: watch::Receiver<bool>,
        journal: LeasedJournal,
    ) -> Result<Outcome, EngineError> {
        let id = record.id.clone();
        let g = self.group_config(&record.protection_group)?;
        {
            {
                let runner = SiteRunner::new(
                    self.clients.clone(),
                    g.clone(),
                    id.clone(),
                    Arc::new(JournalState {
                        store: self.store.clone(),
                        primary_site: g.primary_site.clone(),
                    }),
                    self.opts.poll_interval,
                );
                let exec = Executor {
                    operation_id: id,
                    plan,
                    runner: Arc::new(runner),
                    journal: Arc::new(journal),
                    events: self.events.clone(),
                    max_concurrency: self.opts.max_concurrency,
                    cancel,
                    prior,
                };
                exec.run()
                    .await
                    .map_err(|e| EngineError::Failed(e.to_string()))
            }
        }
    }

    /// Copy this operation's events into the journal, so `ops watch` in another process sees them.
    fn spawn_event_copier(
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
                        Ok(first) => {
                            // Take the whole burst: one write for all of it.
                            let mut burst = vec![first];
                            while let Ok(ev) = rx.try_recv() {
                                burst.push(ev);
                            }
                            burst.retain(|ev| {
                                ev.operation_id == id
                                    && !matches!(ev.kind, EventKind::CancelRequested { .. })
                            });
                            if !burst.is_empty()
                                && let Err(e) = store.append_events(burst).await
                            {
                                tracing::warn!("journaling events: {e}");
                            }
                        }
                        Err(tokio::sync::broadcast::error::RecvError::Lagged(n)) => {
                            tracing::warn!("event copier lagged by {n}");
                        }
                        Err(_) => return,
                    },
                    _ = stop.changed() => {
                        // Drain what is already queued, then stop.
                        let mut rest = Vec::new();
                        while let Ok(ev) = rx.try_recv() {
                            if ev.operation_id == id
                                && !matches!(ev.kind, EventKind::CancelRequested { .. })
                            {
                                rest.push(ev);
                            }
                        }
                        if !rest.is_empty() {
                            let _ = store.append_events(rest).await;
                        }
                        return;
                    }
                }
            }
        })
    }

    async fn finish(&self, mut record: OperationRecord, outcome: Result<Outcome, String>) {
        let group = record.protection_group.clone();
        let transition = transition_of(record.operation_type);
        let (status, error, outputs, completed, failed) = match outcome {
            Ok(o) => (
                o.status,
                o.error_message,
                o.outputs,
                o.steps_completed,
                o.steps_failed,
            ),
            Err(e) => (
                OperationStatus::Failed,
                Some(e),
                HashMap::new(),
                vec![],
                vec![],
            ),
        };
        let ok = status == OperationStatus::Completed;
        let needs_resync = ok
            && outputs
                .get("stop_replication")
                .and_then(|o| o.get("needs_resync"))
                .and_then(Value::as_bool)
                .unwrap_or(false);
        let new_status = if ok {
            transition.on_success
        } else {
            transition.on_failure
        };
        let op_type = record.operation_type;
        let state = self
            .update_group(&group, |s| {
                if let Some(st) = new_status {
                    s.status = st;
                }
                if needs_resync {
                    s.needs_resync = true;
                }
                if ok && op_type == OperationType::SyncNow {
                    s.needs_resync = false;
                }
            })
            .await;
        let current_primary = state.as_ref().ok().map(|s| s.current_primary.clone());
        if let Err(e) = &state {
            tracing::error!("updating the state of {group}: {e}");
        }
        record.result_data = result_data(op_type, ok, &outputs, current_primary);
        record.status = status;
        record.progress = if ok { 100 } else { record.progress };
        record.completed_at = Some(Utc::now());
        record.error_message = error.map(|e| crate::sanitize::clean(&e));
        // The journal recorded every step as it ended (across resumes too): its lists are the
        // whole story; the outcome's stand in only if the journal cannot be read.
        match self.store.get_operation(&record.id).await {
            Ok(Some(stored)) => {
                record.progress = if ok { 100 } else { stored.record.progress };
                record.steps_completed = stored.record.steps_completed;
                record.steps_failed = stored.record.steps_failed;
            }
            _ => {
                record.steps_completed = completed;
                record.steps_failed = failed;
            }
        }
        if let Err(e) = self.store.update_operation(&record).await {
            tracing::error!("journaling the end of {}: {e}", record.id);
        }
        let _ = self
            .store
            .release_lock(&group, &record.id, &self.opts.console_id)
            .await;
        self.audit(
            "operation.finish",
            Some(&group),
            Some(&record.id),
            format!(
                "{} {}{}",
                record.operation_type.label(),
                status.as_str(),
                record
                    .error_message
                    .as_deref()
                    .map(|e| format!(": {e}"))
                    .unwrap_or_default()
            ),
        )
        .await;
    }
}

fn result_data(
    op: OperationType,
    ok: bool,
    outputs: &HashMap<String, Value>,
    current_primary: Option<String>,
) -> ResultData {
    let instances_created = if ok {
        outputs
            .keys()
            .filter(|k| k.starts_with("create_server:"))
            .count() as u32
    } else {
        0
    };
    let volumes_managed = if ok {
        outputs
            .get("manage_volumes")
            .and_then(|o| o.get("volumes"))
            .and_then(Value::as_array)
            .map(|a| a.len() as u32)
            .unwrap_or(0)
    } else {
        0
    };
    let data_loss_seconds = if matches!(
        op,
        OperationType::PlannedFailover | OperationType::Failover | OperationType::Failback
    ) {
        ["final_sync", "select_snapshot"]
            .iter()
            .filter_map(|k| outputs.get(*k))
            .find_map(|o| o.get("data_loss_seconds").and_then(Value::as_i64))
    } else {
        None
    };
    ResultData {
        instances_created,
        volumes_managed,
        current_primary_site: current_primary,
        data_loss_seconds,
    }
}
