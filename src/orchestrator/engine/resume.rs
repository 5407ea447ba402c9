//! Resume after a crash or an SSH drop: operations the journal says are unfinished and that no
//! live console holds are taken over; steps that had started are re-checked with their idempotent
//! check, then the operation continues (or, if it was rolling back, finishes its rollback).

use super::{Engine, EngineError};
use crate::domain::{OperationRecord, OperationStatus};
use crate::orchestrator::{Plan, PriorStep};
use crate::store::{LockHolder, LockOutcome, StepRecord, StepStatus, StoredOperation};
use std::collections::HashMap;
use std::sync::Arc;

impl Engine {
    /// Operations left unfinished that nobody runs now (their lease has expired or was never
    /// taken): what `ops resume` would pick up.
    pub async fn orphaned(&self) -> Result<Vec<StoredOperation>, EngineError> {
        let ops = self.store.unfinished_operations().await?;
        Ok(ops.into_iter().filter(is_orphaned).collect())
    }

    /// Resume every orphaned operation in this process. Returns their ids.
    pub async fn resume_orphans(self: &Arc<Self>) -> Result<Vec<String>, EngineError> {
        let mut resumed = Vec::new();
        for op in self.orphaned().await? {
            match self.resume(op).await {
                Ok(id) => resumed.push(id),
                Err(e) => tracing::warn!("resume: {e}"),
            }
        }
        Ok(resumed)
    }

    /// Resume one orphaned operation (by id or unique prefix) in this process.
    pub async fn resume_one(self: &Arc<Self>, id: &str) -> Result<String, EngineError> {
        let op =
            self.store.find_operation(id).await?.ok_or_else(|| {
                EngineError::Rejected(format!("no operation {id} in the journal"))
            })?;
        if op.record.status.is_finished() {
            return Err(EngineError::Rejected(format!(
                "operation {} is already {}",
                op.record.id,
                op.record.status.as_str()
            )));
        }
        if let Some(owner) = op.owner.as_deref().filter(|o| !console_is_dead(o)) {
            return Err(EngineError::Rejected(format!(
                "operation {} is being run by console {owner}; its lease must expire before \
                 another console takes over",
                op.record.id
            )));
        }
        self.resume(op).await
    }

    async fn resume(self: &Arc<Self>, op: StoredOperation) -> Result<String, EngineError> {
        let record = op.record;
        let group = record.protection_group.clone();
        self.group_config(&group)?;
        self.take_over(&record, op.owner.as_deref()).await?;
        let plan: Plan = serde_json::from_value(op.plan).map_err(|e| {
            EngineError::Failed(format!(
                "the journaled plan of {} cannot be read: {e}",
                record.id
            ))
        })?;
        let prior = prior_of(self.store.steps(&record.id).await?);
        let rolling_back = record.status == OperationStatus::RollingBack;
        let detail = format!(
            "{} resumed by console {}{}",
            record.operation_type.label(),
            self.opts.console_id,
            if rolling_back { " (rolling back)" } else { "" }
        );
        self.audit("operation.resume", Some(&group), Some(&record.id), detail)
            .await;
        let id = record.id.clone();
        self.spawn_run(record, plan, prior, rolling_back);
        Ok(id)
    }

    /// Take the group's lock for the operation: at once from a console of this host that died,
    /// else only once the lease of whoever holds it has expired.
    async fn take_over(
        &self,
        record: &OperationRecord,
        owner: Option<&str>,
    ) -> Result<(), EngineError> {
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
        match outcome {
            LockOutcome::Held(lock) => Err(EngineError::Rejected(format!(
                "operation {} is held by console {} until {}",
                record.id, lock.holder.console_id, lock.expires_at
            ))),
            LockOutcome::Acquired(_) | LockOutcome::TakenOver { .. } => Ok(()),
        }
    }
}

/// What the journal says of each step, for the executor: succeeded steps are not run again,
/// started (or failed) ones are re-checked first.
fn prior_of(steps: Vec<StepRecord>) -> HashMap<String, PriorStep> {
    steps
        .into_iter()
        .map(|s| {
            let p = match s.status {
                StepStatus::Succeeded => PriorStep::Succeeded(s.output.unwrap_or_default()),
                StepStatus::Started | StepStatus::Failed => PriorStep::Started,
                // Undone already; undoing again is harmless, running again is not wanted.
                StepStatus::Compensated => PriorStep::Succeeded(s.output.unwrap_or_default()),
            };
            (s.step_id, p)
        })
        .collect()
}

/// Nobody runs this (unfinished) operation: no console holds a live lease on it, or the one that
/// does is a process of this host that is gone.
pub fn is_orphaned(op: &StoredOperation) -> bool {
    op.owner.as_deref().is_none_or(console_is_dead)
}

/// A console id (`host:pid:random`) of this host whose process is gone.
pub(crate) fn console_is_dead(console_id: &str) -> bool {
    let mut parts = console_id.split(':');
    let (Some(host), Some(pid)) = (parts.next(), parts.next()) else {
        return false;
    };
    let local = crate::orchestrator::actor::local_actor().host;
    host == local
        && pid.parse::<u32>().is_ok_and(|pid| {
            pid != std::process::id() && !std::path::Path::new(&format!("/proc/{pid}")).exists()
        })
}
