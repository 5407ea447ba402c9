//! Running a journaled operation to its end: the executor in a task beside its lease keeper and
//! event copier, then the record, the group state and the lock made true to the outcome.

use super::group_state::JournalState;
use super::lease::LeasedJournal;
use super::{Engine, EngineError};
use crate::domain::{
    GroupState, OperationRecord, OperationStatus, OperationType, ResultData, transition_of,
};
use crate::orchestrator::events::{EventBus, EventKind, OperationEvent};
use crate::orchestrator::site_runner::SiteRunner;
use crate::orchestrator::steps::{
    CreateServer, FinalSync, ManageVolumes, SelectSnapshot, StopReplication,
};
use crate::orchestrator::{Executor, Outcome, Plan, PriorStep};
use chrono::Utc;
use std::collections::HashMap;
use std::sync::Arc;
use tokio::sync::{broadcast, watch};

impl Engine {
    /// Run `plan` for `record` in a task. `rollback_only` resumes an operation that was rolling
    /// back: nothing new starts, completed steps are undone.
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
        let (stop_lease, lease_rx) = watch::channel(false);
        let (stop_copier, copier_rx) = watch::channel(false);
        let (lease, mut lost) = self.spawn_lease_keeper(&group, &id, lease_rx);
        let copier = self.spawn_event_copier(&id, copier_rx);
        let journal = LeasedJournal {
            store: self.store.clone(),
            lost: lost.clone(),
        };
        // The executor publishes on a bus of its own: everything is passed on at once except its
        // final status, which is published only once the group state and the record are saved,
        // so whoever re-reads on that event never reads the group as it was.
        let own = EventBus::new();
        let relay = relay_events(own.subscribe(), self.events.clone());
        // A console that lost its lease stops here, in the middle: the console that took the
        // lock over runs the operation from the journal.
        let outcome = tokio::select! {
            r = self.execute(&record, plan, prior, cancel, (journal, own)) => Some(r),
            _ = lost.wait_for(|l| *l) => None,
        };
        let final_status = relay.await.unwrap_or_else(|e| {
            tracing::error!("operation {id}: its event relay ended abnormally: {e}");
            None
        });
        let _ = stop_lease.send(true);
        joined(&id, "lease keeper", lease.await);
        match outcome {
            Some(outcome) => {
                let status = self.finish(record, outcome).await;
                self.events
                    .publish(&id, final_status.unwrap_or(EventKind::Status { status }));
            }
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
        let _ = stop_copier.send(true);
        joined(&id, "event copier", copier.await);
        self.unregister(&id);
    }

    async fn execute(
        &self,
        record: &OperationRecord,
        plan: Plan,
        prior: HashMap<String, PriorStep>,
        cancel: watch::Receiver<bool>,
        (journal, events): (LeasedJournal, EventBus),
    ) -> Result<Outcome, EngineError> {
        let g = self.group_config(&record.protection_group)?;
        let state = JournalState {
            store: self.store.clone(),
            primary_site: g.primary_site.clone(),
        };
        let runner = SiteRunner::new(
            self.clients.clone(),
            g.clone(),
            record.id.clone(),
            Arc::new(state),
            self.opts.poll_interval,
        );
        let exec = Executor {
            operation_id: record.id.clone(),
            plan,
            runner: Arc::new(runner),
            journal: Arc::new(journal),
            events,
            max_concurrency: self.opts.max_concurrency,
            cancel,
            prior,
        };
        Ok(exec.run().await?)
    }

    /// Make the group state, the record and the lock true to the outcome, in that order; the
    /// status it ended with.
    async fn finish(
        &self,
        mut record: OperationRecord,
        outcome: Result<Outcome, EngineError>,
    ) -> OperationStatus {
        let ok = outcome
            .as_ref()
            .is_ok_and(|o| o.status == OperationStatus::Completed);
        let state = self.group_after(&record, ok, outcome.as_ref().ok()).await;
        let current_primary = state.map(|s| s.current_primary);
        record.result_data = match &outcome {
            Ok(o) => result_data(record.operation_type, ok, o, current_primary),
            Err(_) => ResultData {
                current_primary_site: current_primary,
                ..ResultData::default()
            },
        };
        let (completed, failed) = match outcome {
            Ok(o) => {
                record.status = o.status;
                record.error_message = o.error_message;
                let ids = |l: Vec<crate::orchestrator::StepId>| l.into_iter().map(String::from);
                (
                    ids(o.steps_completed).collect(),
                    ids(o.steps_failed).collect(),
                )
            }
            Err(e) => {
                record.status = OperationStatus::Failed;
                record.error_message = Some(e.to_string());
                (Vec::new(), Vec::new())
            }
        };
        record.error_message = record.error_message.map(|e| crate::sanitize::clean(&e));
        record.completed_at = Some(Utc::now());
        self.journal_end(&mut record, ok, completed, failed).await;
        self.release_lock(&record.protection_group, &record.id)
            .await;
        let detail = format!(
            "{} {}{}",
            record.operation_type.label(),
            record.status.as_str(),
            record
                .error_message
                .as_deref()
                .map(|e| format!(": {e}"))
                .unwrap_or_default()
        );
        let group = record.protection_group.clone();
        self.audit("operation.finish", Some(&group), Some(&record.id), detail)
            .await;
        record.status
    }

    /// The group's state after the operation: its status by the state machine, and whether it
    /// must be re-synced. `None` (logged) when the journal could not be updated.
    async fn group_after(
        &self,
        record: &OperationRecord,
        ok: bool,
        outcome: Option<&Outcome>,
    ) -> Option<GroupState> {
        let op_type = record.operation_type;
        let transition = transition_of(op_type);
        let new_status = if ok {
            transition.on_success
        } else {
            transition.on_failure
        };
        let needs_resync = ok
            && outcome.is_some_and(|o| {
                o.outputs_of::<StopReplication>()
                    .iter()
                    .any(|s| s.needs_resync)
            });
        let group = &record.protection_group;
        let updated = self
            .update_group(group, |s| {
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
        updated
            .inspect_err(|e| tracing::error!("updating the state of {group}: {e}"))
            .ok()
    }

    /// Write the finished record. The journal recorded every step as it ended (across resumes
    /// too): its lists are the whole story; the outcome's stand in only if it cannot be read.
    async fn journal_end(
        &self,
        record: &mut OperationRecord,
        ok: bool,
        completed: Vec<String>,
        failed: Vec<String>,
    ) {
        match self.store.get_operation(&record.id).await {
            Ok(Some(stored)) => {
                record.progress = if ok { 100 } else { stored.record.progress };
                record.steps_completed = stored.record.steps_completed;
                record.steps_failed = stored.record.steps_failed;
            }
            other => {
                if let Err(e) = other {
                    tracing::error!("reading back operation {}: {e}", record.id);
                }
                record.progress = if ok { 100 } else { record.progress };
                record.steps_completed = completed;
                record.steps_failed = failed;
            }
        }
        if let Err(e) = self.store.update_operation(record).await {
            tracing::error!("journaling the end of {}: {e}", record.id);
        }
    }

    /// Release a group's lock; one that cannot be released is logged, and expires with its lease.
    pub(crate) async fn release_lock(&self, group: &str, operation_id: &str) {
        let me = &self.opts.console_id;
        if let Err(e) = self.store.release_lock(group, operation_id, me).await {
            tracing::error!(
                "releasing the lock of {group} held by operation {operation_id}: {e}; it expires \
                 with its lease"
            );
        }
    }
}

fn joined(id: &str, task: &str, result: Result<(), tokio::task::JoinError>) {
    if let Err(e) = result {
        tracing::error!("operation {id}: its {task} ended abnormally: {e}");
    }
}

/// Pass the executor's events on to the engine's bus as they come, holding back a final status;
/// ends when the executor's bus closes, with the held status.
fn relay_events(
    mut rx: broadcast::Receiver<OperationEvent>,
    out: EventBus,
) -> tokio::task::JoinHandle<Option<EventKind>> {
    tokio::spawn(async move {
        let mut held = None;
        loop {
            match rx.recv().await {
                Ok(e) => match e.kind {
                    EventKind::Status { status } if status.is_finished() => {
                        held = Some(EventKind::Status { status })
                    }
                    _ => out.send(e),
                },
                Err(broadcast::error::RecvError::Lagged(n)) => {
                    tracing::warn!("operation event relay lagged by {n}")
                }
                Err(broadcast::error::RecvError::Closed) => return held,
            }
        }
    })
}

/// What an operation made, read from its steps' typed outputs: every server it created (its
/// plan's create_server steps), the volumes it managed, and the data it lost.
fn result_data(
    op: OperationType,
    ok: bool,
    outcome: &Outcome,
    current_primary: Option<String>,
) -> ResultData {
    let moves = matches!(
        op,
        OperationType::PlannedFailover | OperationType::Failover | OperationType::Failback
    );
    let data_loss_seconds = moves
        .then(|| {
            let synced = outcome.outputs_of::<FinalSync>();
            let selected = outcome.outputs_of::<SelectSnapshot>();
            synced.into_iter().chain(selected).next()
        })
        .flatten()
        .map(|s| s.data_loss_seconds);
    let managed = outcome.outputs_of::<ManageVolumes>();
    ResultData {
        instances_created: if ok {
            outcome.outputs_of::<CreateServer>().len() as u32
        } else {
            0
        },
        volumes_managed: if ok {
            managed.iter().map(|m| m.volumes.len() as u32).sum()
        } else {
            0
        },
        current_primary_site: current_primary,
        data_loss_seconds,
    }
}
