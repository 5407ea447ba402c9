//! Resume after a crash or an SSH drop, and run what `ops retry` / `ops rollback` handed over:
//! operations the journal says are unfinished and that no live console holds are taken over;
//! steps that had started are re-checked with their idempotent check, steps an earlier run
//! finished are verified (a retry), and the operation continues — or, if it was rolling back,
//! finishes its rollback.

use super::start::short;
use super::{Engine, EngineError};
use crate::domain::{EventKind, OperationRecord, OperationStatus, StepMark};
use crate::orchestrator::{Mode, Plan, PriorStep};
use crate::store::{LockHolder, LockOutcome, StepRecord, StoredOperation};
use chrono::{DateTime, Utc};
use std::collections::HashMap;
use std::sync::Arc;

/// What `ops resume` found for one operation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Resumed {
    /// This process runs it now.
    Here(String),
    /// Another live console runs it: who, since when, and how to watch it.
    Elsewhere { id: String, who: String },
}

impl Engine {
    /// Operations left unfinished that nobody runs now (their lease has expired or was never
    /// taken): what `ops resume` would pick up.
    pub async fn orphaned(&self) -> Result<Vec<StoredOperation>, EngineError> {
        let ops = self.store.unfinished_operations().await?;
        Ok(ops.into_iter().filter(is_orphaned).collect())
    }

    /// Resume every orphaned operation in this process; one another console took first is
    /// said to run elsewhere.
    pub async fn resume_orphans(self: &Arc<Self>) -> Result<Vec<Resumed>, EngineError> {
        let mut resumed = Vec::new();
        for op in self.orphaned().await? {
            match self.resume(op).await {
                Ok(r) => resumed.push(r),
                Err(e) => tracing::warn!("resume: {e}"),
            }
        }
        Ok(resumed)
    }

    /// Resume one unfinished operation (by id or unique prefix) in this process, unless a live
    /// console runs it (then: who). A finished one is refused with what can be done with it.
    pub async fn resume_one(self: &Arc<Self>, id: &str) -> Result<Resumed, EngineError> {
        let op = self.find(id).await?;
        if op.record.status.is_finished() {
            return Err(EngineError::Rejected(finished_hint(&op.record)));
        }
        if op.owner.as_deref().is_some_and(|o| !console_is_dead(o)) {
            let who = self.who_runs(&op.record).await;
            return Ok(Resumed::Elsewhere {
                id: op.record.id,
                who,
            });
        }
        self.resume(op).await
    }

    /// The operation `id` names (a unique prefix will do).
    pub(crate) async fn find(&self, id: &str) -> Result<StoredOperation, EngineError> {
        self.store.find_operation(id).await?.ok_or_else(|| {
            EngineError::Rejected(format!(
                "no operation {id} in the journal; `drconsole ops list` shows the recent ones"
            ))
        })
    }

    /// "operation X is run by console C (user@host) since T": who holds its group's lock.
    pub(crate) async fn who_runs(&self, record: &OperationRecord) -> String {
        let id = short(&record.id);
        let holder = match self.store.get_lock(&record.protection_group).await {
            Ok(Some(lock)) if lock.holder.operation_id == record.id => format!(
                "console {} ({}) since {}",
                lock.holder.console_id,
                lock.holder.actor,
                lock.acquired_at.format("%Y-%m-%d %H:%M:%S UTC")
            ),
            _ => "another console".to_string(),
        };
        format!(
            "operation {id} is being run by {holder}; one console runs an operation at a time. \
             Watch it with `drconsole ops watch {id}`, or stop it with `drconsole ops cancel {id}`"
        )
    }

    pub(crate) async fn resume(
        self: &Arc<Self>,
        op: StoredOperation,
    ) -> Result<Resumed, EngineError> {
        let record = op.record;
        let group = record.protection_group.clone();
        self.group_config(&group)?;
        if !self.take_over(&record, op.owner.as_deref()).await? {
            let who = self.who_runs(&record).await;
            return Ok(Resumed::Elsewhere { id: record.id, who });
        }
        let plan: Plan = serde_json::from_value(op.plan).map_err(|e| {
            EngineError::Failed(format!(
                "the journaled plan of {} cannot be read: {e}",
                record.id
            ))
        })?;
        let rolling_back = record.status == OperationStatus::RollingBack;
        let retried_at = self.retried_at(&record.id).await?;
        let prior = prior_of(
            self.store.steps(&record.id).await?,
            rolling_back,
            retried_at,
        );
        let mode = if rolling_back {
            self.rollback_mode(&record).await?
        } else {
            Mode::Forward
        };
        let detail = format!(
            "{} resumed by console {}{}",
            record.operation_type.label(),
            self.opts.console_id,
            if rolling_back { " (rolling back)" } else { "" }
        );
        self.audit("operation.resume", Some(&group), Some(&record.id), detail)
            .await;
        let id = record.id.clone();
        self.spawn_run(record, plan, prior, mode);
        Ok(Resumed::Here(id))
    }

    /// When the operation was last retried: steps finished before are re-checked, not trusted.
    async fn retried_at(&self, id: &str) -> Result<Option<DateTime<Utc>>, EngineError> {
        let events = self.store.events(id, 0).await?;
        Ok(events
            .into_iter()
            .filter(|(_, e)| matches!(e.kind, EventKind::Retried { .. }))
            .map(|(_, e)| e.at)
            .next_back())
    }

    /// A rollback to finish: why (the failure journaled, if any), and what it ends as —
    /// cancelled when an operator asked for the cancel, failed otherwise.
    async fn rollback_mode(&self, record: &OperationRecord) -> Result<Mode, EngineError> {
        let cancelled = self.store.cancel_request(&record.id, 0).await?.is_some();
        let reason = record
            .error_message
            .clone()
            .unwrap_or_else(|| "a rollback interrupted by a restart, resumed".to_string());
        let then = if cancelled {
            OperationStatus::Cancelled
        } else {
            OperationStatus::Failed
        };
        Ok(Mode::Rollback { reason, then })
    }

    /// Take the group's lock for the operation: at once from a console of this host that died,
    /// else only once the lease of whoever holds it has expired. `false`: another console has it.
    async fn take_over(
        &self,
        record: &OperationRecord,
        owner: Option<&str>,
    ) -> Result<bool, EngineError> {
        let group = &record.protection_group;
        let holder = LockHolder {
            operation_id: record.id.clone(),
            operation_type: record.operation_type,
            actor: self.actor.clone(),
            console_id: self.opts.console_id.clone(),
        };
        let lease = self.opts.lease;
        // Its console died on this host (SIGKILL, a dropped session): no need to wait out the
        // lease; of several consoles taking over from it, one wins.
        let outcome = match owner.filter(|o| console_is_dead(o)) {
            Some(dead) => {
                tracing::info!(
                    "operation {}: console {dead} is gone; taking over",
                    record.id
                );
                self.store
                    .take_over_lock(group, &holder, lease, dead)
                    .await?
            }
            None => self.store.acquire_lock(group, &holder, lease).await?,
        };
        Ok(match outcome {
            LockOutcome::Held(lock) => {
                tracing::info!(
                    "operation {}: console {} runs it",
                    record.id,
                    lock.holder.console_id
                );
                false
            }
            LockOutcome::Acquired(_) | LockOutcome::TakenOver { .. } => true,
        })
    }
}

/// What a finished operation allows, for `ops resume` of one.
fn finished_hint(r: &OperationRecord) -> String {
    let id = short(&r.id);
    let dir = format!("{} → {}", r.source_site_id, r.target_site_id);
    match r.status {
        OperationStatus::Completed => {
            format!("operation {id} completed: there is nothing to resume")
        }
        OperationStatus::RollbackFailed if !r.result_data.leftovers.is_empty() => format!(
            "operation {id} ended rollback_failed: nothing runs it, and what it could not undo \
             is left behind. `drconsole ops cleanup {id}` removes it; `drconsole ops rollback \
             {id}` tries its undo again; then `drconsole ops retry {id}` continues it ({dir})"
        ),
        status => format!(
            "operation {id} is {status}: nothing runs it. `drconsole ops retry {id}` continues \
             it from where it stopped ({dir}; finished steps are verified, not repeated); \
             `drconsole ops rollback {id}` undoes what stands"
        ),
    }
}

/// What the journal says of each step, for the executor. Going forward: succeeded steps are
/// kept (those an earlier run finished before `retried_at` are re-checked first), started,
/// failed and undone ones are looked for, then run. Rolling back: what stands is undone, what
/// was left behind is tried again, what was undone is not.
pub(crate) fn prior_of(
    steps: Vec<StepRecord>,
    rolling_back: bool,
    retried_at: Option<DateTime<Utc>>,
) -> HashMap<String, PriorStep> {
    steps
        .into_iter()
        .filter_map(|s| {
            let before_retry =
                retried_at.is_some_and(|t| s.finished_at.is_none_or(|done| done < t));
            let out = s.output.clone();
            let p = match s.mark_in(false) {
                StepMark::Succeeded | StepMark::Verified if before_retry => {
                    PriorStep::Finished(out.unwrap_or_default())
                }
                StepMark::Succeeded | StepMark::Verified => {
                    PriorStep::Succeeded(out.unwrap_or_default())
                }
                StepMark::Running | StepMark::Failed => PriorStep::Started,
                StepMark::Undone | StepMark::NothingToUndo => PriorStep::Compensated,
                StepMark::Irreversible if rolling_back => PriorStep::Compensated,
                StepMark::Irreversible => out.map_or(PriorStep::Started, PriorStep::Finished),
                StepMark::LeftBehind => PriorStep::LeftBehind(out),
                StepMark::NeverRun => return None,
            };
            Some((s.step_id, p))
        })
        .collect()
}

/// Nobody runs this (unfinished) operation: no console holds a live lease on it, or the one that
/// does is a process of this host that is gone.
pub fn is_orphaned(op: &StoredOperation) -> bool {
    op.owner.as_deref().is_none_or(console_is_dead)
}

/// A console id (`host:pid:random`) of this host whose process is gone (or a zombie nobody
/// reaped: killed, its parent gone too).
pub(crate) fn console_is_dead(console_id: &str) -> bool {
    let mut parts = console_id.split(':');
    let (Some(host), Some(pid)) = (parts.next(), parts.next()) else {
        return false;
    };
    let local = crate::orchestrator::actor::local_actor().host;
    host == local
        && pid
            .parse::<u32>()
            .is_ok_and(|pid| pid != std::process::id() && !process_runs(pid))
}

/// Does process `pid` run (exists, and is not a zombie)? Read from /proc; where there is no
/// /proc, every process counts as running (its lease must expire first).
fn process_runs(pid: u32) -> bool {
    if !std::path::Path::new("/proc/self").exists() {
        return true;
    }
    match std::fs::read_to_string(format!("/proc/{pid}/stat")) {
        // `pid (comm) S …`: the state follows the last ')' (a command may hold one).
        Ok(stat) => stat
            .rsplit_once(')')
            .and_then(|(_, rest)| rest.split_whitespace().next())
            .is_none_or(|state| !matches!(state, "Z" | "X")),
        Err(_) => false,
    }
}
