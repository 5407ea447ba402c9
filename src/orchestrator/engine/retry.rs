//! The ways out of a failed operation: `ops retry` continues it from where it stopped in its
//! original direction (same id, same plan; finished steps verified, not repeated), and
//! `ops rollback` undoes on demand what stands. Each is refused, with why, when it would not be
//! true to the group: the group moved on, a point of no return stands, nothing is left to undo.

use super::start::short;
use super::{Engine, EngineError};
use crate::domain::{
    EventKind, GroupState, OperationEvent, OperationRecord, OperationStatus, StepMark,
    transition_of,
};
use crate::orchestrator::Plan;
use crate::store::{LockHolder, LockOutcome, StepRecord, StoredOperation, mark_of};
use chrono::Utc;
use std::sync::Arc;

impl Engine {
    /// `ops retry ID`: journal the failed operation as pending again (the group back to its
    /// while-running status) and run it here, or (`run_here` false) leave it for a detached
    /// runner. Returns the record as journaled.
    pub async fn retry(
        self: &Arc<Self>,
        id: &str,
        run_here: bool,
    ) -> Result<OperationRecord, EngineError> {
        let op = self.find(id).await?;
        let rec = &op.record;
        let steps = self.store.steps(&rec.id).await?;
        refuse_retry(rec, &steps)?;
        let state = self.group_state(&rec.protection_group).await?;
        if let Some(why) = moved_on(&state, rec) {
            return Err(EngineError::Rejected(why));
        }
        self.lock_for(rec).await?;
        let marked = self.mark_retried(rec).await;
        self.hand_over(op, marked, run_here).await
    }

    /// `ops rollback ID`: undo what stands of a failed, cancelled or rollback_failed operation,
    /// here or (`run_here` false) in a detached runner.
    pub async fn rollback_operation(
        self: &Arc<Self>,
        id: &str,
        run_here: bool,
    ) -> Result<OperationRecord, EngineError> {
        let op = self.find(id).await?;
        let steps = self.store.steps(&op.record.id).await?;
        refuse_rollback(&op, &steps)?;
        let state = self.group_state(&op.record.protection_group).await?;
        if let Some(why) = moved_on(&state, &op.record) {
            return Err(EngineError::Rejected(why));
        }
        self.lock_for(&op.record).await?;
        let marked = self.mark_rolling_back(&op.record).await;
        let detail = format!("rollback of {} asked", op.record.operation_type.label());
        let (group, rec_id) = (op.record.protection_group.clone(), op.record.id.clone());
        self.audit("operation.rollback", Some(&group), Some(&rec_id), detail)
            .await;
        self.hand_over(op, marked, run_here).await
    }

    /// The rollback in the journal: the operation rolling back, and its group marked as running
    /// an operation again so nothing else starts on it meanwhile.
    async fn mark_rolling_back(&self, rec: &OperationRecord) -> Result<(), EngineError> {
        let rolling = crate::domain::JournalEntry::Status(OperationStatus::RollingBack);
        self.store.commit(&rec.id, rolling).await?;
        if let Some(st) = transition_of(rec.operation_type).while_running {
            self.update_group(&rec.protection_group, |s| s.status = st)
                .await?;
        }
        Ok(())
    }

    /// Take the operation's group lock in this console, or say who holds it.
    pub(super) async fn lock_for(&self, rec: &OperationRecord) -> Result<(), EngineError> {
        let holder = LockHolder {
            operation_id: rec.id.clone(),
            operation_type: rec.operation_type,
            actor: self.actor.clone(),
            console_id: self.opts.console_id.clone(),
        };
        let group = &rec.protection_group;
        match self
            .store
            .acquire_lock(group, &holder, self.opts.lease)
            .await?
        {
            LockOutcome::Held(lock) => Err(EngineError::Rejected(format!(
                "group {group} is locked by operation {} ({}) run by {} since {}; wait for it \
                 or watch it with `drconsole ops watch {}`",
                short(&lock.holder.operation_id),
                lock.holder.operation_type.label(),
                lock.holder.actor,
                lock.acquired_at.format("%Y-%m-%d %H:%M:%S UTC"),
                short(&lock.holder.operation_id),
            ))),
            LockOutcome::Acquired(_) | LockOutcome::TakenOver { .. } => Ok(()),
        }
    }

    /// The retry in the journal: who asked and when (steps finished before are re-checked),
    /// the operation pending again, the group running it again with its attention cleared.
    async fn mark_retried(&self, rec: &OperationRecord) -> Result<(), EngineError> {
        let ev = OperationEvent {
            operation_id: rec.id.clone(),
            at: Utc::now(),
            kind: EventKind::Retried {
                by: self.actor.to_string(),
            },
        };
        self.store.append_event(&ev).await?;
        let pending = crate::domain::JournalEntry::Status(OperationStatus::Pending);
        self.store.commit(&rec.id, pending).await?;
        let running = transition_of(rec.operation_type).while_running;
        self.update_group(&rec.protection_group, |s| {
            if let Some(st) = running {
                s.status = st;
            }
            s.attention = None;
        })
        .await?;
        let detail = format!(
            "{} retried ({} → {})",
            rec.operation_type.label(),
            rec.source_site_id,
            rec.target_site_id
        );
        self.audit(
            "operation.retry",
            Some(&rec.protection_group),
            Some(&rec.id),
            detail,
        )
        .await;
        Ok(())
    }

    /// Run the re-journaled operation here, or release the lock for a detached runner; the
    /// record as journaled now. A journal that refused the change releases the lock.
    async fn hand_over(
        self: &Arc<Self>,
        op: StoredOperation,
        marked: Result<(), EngineError>,
        run_here: bool,
    ) -> Result<OperationRecord, EngineError> {
        let (group, id) = (op.record.protection_group.clone(), op.record.id.clone());
        if let Err(e) = marked {
            self.release_lock(&group, &id).await;
            return Err(e);
        }
        let again = self.find(&id).await?;
        let record = again.record.clone();
        if run_here {
            if let super::Resumed::Elsewhere { who, .. } = self.resume(again).await? {
                return Err(EngineError::Rejected(who));
            }
        } else {
            self.release_lock(&group, &id).await;
        }
        Ok(record)
    }
}

/// Retry takes a failed, cancelled, or cleaned-up rollback_failed operation.
fn refuse_retry(rec: &OperationRecord, steps: &[StepRecord]) -> Result<(), EngineError> {
    let id = short(&rec.id);
    if !rec.status.is_unsuccessful() {
        let what = if rec.status == OperationStatus::Completed {
            "it completed".to_string()
        } else {
            format!(
                "it is {}; `drconsole ops watch {id}` follows it (or `drconsole ops resume {id}` \
                 if nothing runs it)",
                rec.status
            )
        };
        return Err(EngineError::Rejected(format!(
            "operation {id} cannot be retried: {what}"
        )));
    }
    let left: Vec<&str> = steps
        .iter()
        .filter(|s| s.mark_in(true) == StepMark::LeftBehind)
        .map(|s| s.step_id.as_str())
        .collect();
    if !left.is_empty() {
        return Err(EngineError::Rejected(format!(
            "operation {id} left what it made behind ({}): run `drconsole ops cleanup {id}` \
             first (or `drconsole ops rollback {id}` to try its undo again)",
            left.join(", ")
        )));
    }
    Ok(())
}

/// Rollback on demand takes a finished, unsuccessful operation with something standing before
/// any point of no return.
fn refuse_rollback(op: &StoredOperation, steps: &[StepRecord]) -> Result<(), EngineError> {
    let rec = &op.record;
    let id = short(&rec.id);
    if !rec.status.is_unsuccessful() {
        return Err(EngineError::Rejected(match rec.status {
            OperationStatus::Completed => format!(
                "operation {id} completed: a completed operation is not rolled back; run the \
                 operation that reverses it (failback, test-cleanup)"
            ),
            st => format!(
                "operation {id} is {st}: `drconsole ops cancel {id}` stops it and rolls it back"
            ),
        }));
    }
    let plan: Plan = serde_json::from_value(op.plan.clone()).map_err(|e| {
        EngineError::Failed(format!("the journaled plan of {id} cannot be read: {e}"))
    })?;
    let mark = |step: &str| mark_of(steps.iter().find(|s| s.step_id == step), true);
    if let Some(ponr) = plan
        .steps
        .iter()
        .find(|s| s.no_rollback && mark(s.id.as_str()).stands())
    {
        return Err(EngineError::Rejected(format!(
            "operation {id} passed its point of no return at {} ({}): what it did stands and is \
             not undone; `drconsole ops retry {id}` continues it ({} → {})",
            ponr.id,
            ponr.label(),
            rec.source_site_id,
            rec.target_site_id
        )));
    }
    let stands = steps.iter().any(|s| {
        matches!(
            s.mark_in(true),
            StepMark::Succeeded | StepMark::Verified | StepMark::Failed | StepMark::LeftBehind
        )
    });
    if !stands {
        return Err(EngineError::Rejected(format!(
            "nothing of operation {id} is left to undo: every step it ran was undone"
        )));
    }
    Ok(())
}

/// Why the group no longer is where this operation left it, if it moved on.
fn moved_on(state: &GroupState, rec: &OperationRecord) -> Option<String> {
    let t = transition_of(rec.operation_type);
    let id = short(&rec.id);
    if let Some(a) = state
        .attention
        .as_ref()
        .filter(|a| a.operation_id != rec.id)
    {
        return Some(format!(
            "group {} needs attention for another operation: {}",
            state.name,
            a.summary()
        ));
    }
    // A sync does not mark the group; nothing else can have run on it unnoticed.
    t.while_running?;
    if let Some(last) = state.last_operation.as_deref().filter(|l| *l != rec.id) {
        return Some(format!(
            "group {} has moved on: operation {} ran on it after {id}; start a new operation \
             instead",
            state.name,
            short(last)
        ));
    }
    let expected = t.on_failure?;
    (state.status != expected).then(|| {
        format!(
            "group {} has moved on: it is {} now, not {expected} as operation {id} left it",
            state.name, state.status
        )
    })
}
