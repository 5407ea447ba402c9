//! Running a journaled operation to its end: the executor in a task beside its lease keeper and
//! event copier, then the record, the group state and the lock made true to the outcome.

use super::aftermath::{FenceAfter, attention_of, fence_after, result_data};
use super::group_state::JournalState;
use super::lease::LeasedJournal;
use super::{Engine, EngineError};
use crate::domain::{
    Attention, GroupState, OperationRecord, OperationStatus, OperationType, ResultData,
    transition_of,
};
use crate::orchestrator::site_runner::SiteRunner;
use crate::orchestrator::steps::StopReplication;
use crate::orchestrator::{EventKind, Executor, Mode, OperationEvent, Outcome, Plan, PriorStep};
use chrono::Utc;
use std::collections::HashMap;
use std::sync::Arc;
use tokio::sync::watch;

impl Engine {
    /// Run `plan` for `record` in a task: forward, or (`Mode::Rollback`) undoing what stands.
    pub(crate) fn spawn_run(
        self: &Arc<Self>,
        record: OperationRecord,
        plan: Plan,
        prior: HashMap<String, PriorStep>,
        mode: Mode,
    ) {
        let (cancel_tx, cancel_rx) = watch::channel(false);
        self.register(&record.id, cancel_tx);
        let engine = self.clone();
        tokio::spawn(async move {
            engine
                .run_to_end(record, plan, (prior, mode), cancel_rx)
                .await;
        });
    }

    async fn run_to_end(
        self: Arc<Self>,
        record: OperationRecord,
        plan: Plan,
        (prior, mode): (HashMap<String, PriorStep>, Mode),
        cancel: watch::Receiver<bool>,
    ) {
        let id = record.id.clone();
        let group = record.protection_group.clone();
        let (stop_tx, stop_rx) = watch::channel(false);
        let (lease, mut lost) = self.spawn_lease_keeper(&group, &id, stop_rx.clone());
        let copier = self.spawn_event_copier(&id, stop_rx.clone());
        let fences = self.spawn_fence_watcher(stop_rx);
        let journal = LeasedJournal {
            store: self.store.clone(),
            lost: lost.clone(),
        };
        // A console that lost its lease stops here, in the middle: the console that took the
        // lock over runs the operation from the journal.
        let outcome = tokio::select! {
            r = self.execute(&record, plan, (prior, mode), cancel, journal) => Some(r),
            _ = lost.wait_for(|l| *l) => None,
        };
        let _ = stop_tx.send(true);
        for (task, joined) in [
            ("lease keeper", lease.await),
            ("event copier", copier.await),
            ("fence watcher", fences.await),
        ] {
            if let Err(e) = joined {
                tracing::error!("operation {id}: its {task} ended abnormally: {e}");
            }
        }
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

    /// What steps of `record` act through: the sites and the journal's view of its group.
    pub(crate) fn site_runner(&self, record: &OperationRecord) -> Result<SiteRunner, EngineError> {
        let g = self.group_config(&record.protection_group)?;
        let state = JournalState {
            store: self.store.clone(),
            primary_site: g.primary_site.clone(),
        };
        Ok(SiteRunner::new(
            self.clients.clone(),
            g.clone(),
            record.id.clone(),
            Arc::new(state),
            self.opts.poll_interval,
        ))
    }

    async fn execute(
        &self,
        record: &OperationRecord,
        plan: Plan,
        (prior, mode): (HashMap<String, PriorStep>, Mode),
        cancel: watch::Receiver<bool>,
        journal: LeasedJournal,
    ) -> Result<Outcome, EngineError> {
        let runner = self.site_runner(record)?;
        let exec = Executor {
            operation_id: record.id.clone(),
            plan,
            runner: Arc::new(runner),
            journal: Arc::new(journal),
            events: self.events.clone(),
            max_concurrency: self.opts.max_concurrency,
            cancel,
            prior,
            mode,
            rollback: self.opts.rollback,
        };
        Ok(exec.run().await?)
    }

    async fn finish(&self, mut record: OperationRecord, outcome: Result<Outcome, EngineError>) {
        let ok = outcome
            .as_ref()
            .is_ok_and(|o| o.status == OperationStatus::Completed);
        let attention = outcome.as_ref().ok().and_then(|o| attention_of(&record, o));
        let state = self
            .group_after(&record, ok, outcome.as_ref().ok(), attention.clone())
            .await;
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
                if let Some(a) = &attention {
                    let msg = record.error_message.take().unwrap_or_default();
                    record.error_message = Some(format!("{msg}; {}", a.way_out()));
                }
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
    }

    /// The group's state after the operation: its status by the state machine, and whether it
    /// must be re-synced. `None` (logged) when the journal could not be updated.
    async fn group_after(
        &self,
        record: &OperationRecord,
        ok: bool,
        outcome: Option<&Outcome>,
        attention: Option<Attention>,
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
                    || super::aftermath::unreversed_failback(op_type, o)
            });
        let fence = fence_after(record, ok, outcome);
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
                // This operation's word on the group replaces what it said before (a retry, a
                // rollback on demand); another operation's is never touched.
                let own = s
                    .attention
                    .as_ref()
                    .is_none_or(|a| a.operation_id == record.id);
                if own {
                    s.attention = attention.clone();
                }
                match &fence {
                    FenceAfter::Pending(p) => s.fence_pending = Some(p.clone()),
                    FenceAfter::Done => s.fence_pending = None,
                    FenceAfter::Unchanged => {}
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
        // Told last, so that a console reading it finds the record and the group as they end.
        let ended = OperationEvent {
            operation_id: record.id.clone(),
            at: Utc::now(),
            kind: EventKind::Status {
                status: record.status,
            },
        };
        if let Err(e) = self.store.append_event(&ended).await {
            tracing::warn!(
                "operation {}: journaling its end for other consoles: {e}",
                record.id
            );
        }
        self.events.publish(&record.id, ended.kind);
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
