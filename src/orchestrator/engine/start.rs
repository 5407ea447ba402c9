//! Starting an operation: state machine, lock, preconditions, plan, journal, then the run in a
//! task of its own. Every refusal says why and what would allow it.

use super::facts::endpoints;
use super::{Engine, EngineError, OperationRequest};
use crate::domain::{
    CheckOptions, CheckState, GroupStatus, OperationRecord, OperationStatus, OperationType,
    ResultData, check_transition, evaluate, passes,
};
use crate::orchestrator::plans::{OperationOptions, PlanInput, build_plan};
use crate::store::{AuditEntry, LockHolder, LockOutcome};
use chrono::Utc;
use serde_json::json;
use std::collections::HashMap;
use std::sync::Arc;

/// A fresh operation id (random, UUID-shaped).
pub fn new_operation_id() -> String {
    let a: u128 = rand::random();
    let h = format!("{a:032x}");
    format!(
        "{}-{}-{}-{}-{}",
        &h[0..8],
        &h[8..12],
        &h[12..16],
        &h[16..20],
        &h[20..32]
    )
}

impl Engine {
    pub(crate) fn plan_options(&self, req: &OperationRequest) -> OperationOptions {
        OperationOptions {
            force: req.force,
            stop_servers: req.stop_servers,
            network_mapping: req.network_mapping.clone(),
            flavor_mapping: req.flavor_mapping.clone(),
            test_operation: None,
            resync: false,
        }
    }

    /// Start an operation; it runs in a task of this process. Returns its record as journaled.
    pub async fn start(
        self: &Arc<Self>,
        req: OperationRequest,
    ) -> Result<OperationRecord, EngineError> {
        self.start_with(req, true).await
    }

    /// Start an operation. With `run_here` false it is journaled and its lock released, for
    /// another process (`drconsole ops resume ID`) to run: a CLI that does not `--wait`.
    pub async fn start_with(
        self: &Arc<Self>,
        req: OperationRequest,
        run_here: bool,
    ) -> Result<OperationRecord, EngineError> {
        let group = self.group_config(&req.group)?.clone();
        let state = self.group_state(&req.group).await?;
        let transition = check_transition(req.operation, &state)?;
        if req.force && req.operation != OperationType::Failover {
            return Err(EngineError::Rejected(
                "--force applies only to an unplanned failover (--unplanned --force)".into(),
            ));
        }
        let (source, target) = endpoints(&group, &state);
        let id = new_operation_id();
        let holder = LockHolder {
            operation_id: id.clone(),
            operation_type: req.operation,
            actor: self.actor.clone(),
            console_id: self.opts.console_id.clone(),
        };
        match self
            .store
            .acquire_lock(&group.name, &holder, self.opts.lease)
            .await?
        {
            LockOutcome::Held(lock) => {
                return Err(EngineError::Rejected(format!(
                    "group {} is locked by operation {} ({}) run by {} since {}; its lease \
                     expires at {}. Watch it with `drconsole ops watch {}`",
                    group.name,
                    lock.holder.operation_id,
                    lock.holder.operation_type.label(),
                    lock.holder.actor,
                    lock.acquired_at.format("%Y-%m-%d %H:%M:%S UTC"),
                    lock.expires_at.format("%H:%M:%S UTC"),
                    short(&lock.holder.operation_id),
                )));
            }
            LockOutcome::TakenOver { from, .. } => {
                self.audit(
                    "lock.takeover",
                    Some(&group.name),
                    Some(&id),
                    format!("lease of {} had expired", from.holder.operation_id),
                )
                .await;
            }
            LockOutcome::Acquired(_) => {}
        }
        match self
            .prepare(&req, &group, &state, &id, &source, &target)
            .await
        {
            Ok((record, plan_json, options_json, plan)) => {
                if let Err(e) = self
                    .store
                    .insert_operation(&record, &plan_json, &options_json)
                    .await
                {
                    let _ = self
                        .store
                        .release_lock(&group.name, &id, &self.opts.console_id)
                        .await;
                    return Err(e.into());
                }
                if let Some(running) = transition.while_running {
                    self.update_group(&group.name, |s| {
                        s.status = running;
                        s.last_operation = Some(id.clone());
                    })
                    .await?;
                }
                self.audit(
                    "operation.start",
                    Some(&group.name),
                    Some(&id),
                    format!("{} from {source} to {target}", req.operation.label()),
                )
                .await;
                if run_here {
                    self.spawn_run(record.clone(), plan, HashMap::new(), false);
                } else {
                    let _ = self
                        .store
                        .release_lock(&group.name, &id, &self.opts.console_id)
                        .await;
                }
                Ok(record)
            }
            Err(e) => {
                let _ = self
                    .store
                    .release_lock(&group.name, &id, &self.opts.console_id)
                    .await;
                Err(e)
            }
        }
    }

    /// Preconditions, plan and the record to journal. Nothing is written here.
    async fn prepare(
        &self,
        req: &OperationRequest,
        group: &crate::config::GroupConfig,
        state: &crate::domain::GroupState,
        id: &str,
        source: &str,
        target: &str,
    ) -> Result<
        (
            OperationRecord,
            serde_json::Value,
            serde_json::Value,
            crate::orchestrator::Plan,
        ),
        EngineError,
    > {
        let gathered = self.gather(req, group, state).await;
        let checks = evaluate(
            req.operation,
            &gathered.facts,
            CheckOptions {
                force: req.force,
                stop_servers: req.stop_servers,
            },
        );
        if !passes(&checks) {
            let failed: Vec<String> = checks
                .iter()
                .filter(|c| c.state == CheckState::Fail)
                .map(|c| format!("{}: {}", c.label, c.reason))
                .collect();
            return Err(EngineError::Rejected(format!(
                "{} of {} cannot start: {}",
                req.operation.label(),
                group.name,
                failed.join("; ")
            )));
        }
        let mut options = self.plan_options(req);
        if req.operation == OperationType::TestCleanup {
            options.test_operation = Some(self.last_drill(&group.name).await?);
        }
        if req.operation == OperationType::SyncNow {
            options.resync = state.needs_resync || state.status == GroupStatus::FailedOver;
        }
        let plan = build_plan(&PlanInput {
            operation_id: id,
            operation: req.operation,
            group,
            source,
            target,
            inventory: &gathered.inventory,
            options: &options,
        });
        plan.validate()
            .map_err(|e| EngineError::Failed(format!("the plan is inconsistent: {e}")))?;
        let record = OperationRecord {
            id: id.to_string(),
            operation_type: req.operation,
            protection_group: group.name.clone(),
            status: OperationStatus::Pending,
            progress: 0,
            source_site_id: source.to_string(),
            target_site_id: target.to_string(),
            started_at: Some(Utc::now()),
            completed_at: None,
            error_message: None,
            steps_completed: Vec::new(),
            steps_failed: Vec::new(),
            result_data: ResultData::default(),
            actor: self.actor.clone(),
        };
        let plan_json = serde_json::to_value(&plan)
            .map_err(|e| EngineError::Failed(format!("cannot journal the plan: {e}")))?;
        let options_json = json!({
            "options": options,
            "checks": checks,
        });
        Ok((record, plan_json, options_json, plan))
    }

    /// The newest completed drill of a group: what a test cleanup removes.
    async fn last_drill(&self, group: &str) -> Result<String, EngineError> {
        let ops = self.store.list_operations(200, Some(group)).await?;
        ops.into_iter()
            .find(|o| {
                o.operation_type == OperationType::TestFailover
                    && o.status == OperationStatus::Completed
            })
            .map(|o| o.id)
            .ok_or_else(|| {
                EngineError::Rejected(format!(
                    "no completed test failover of {group} is journaled: nothing to clean up"
                ))
            })
    }

    pub(crate) async fn audit(
        &self,
        action: &str,
        group: Option<&str>,
        operation_id: Option<&str>,
        detail: String,
    ) {
        let entry = AuditEntry {
            at: Utc::now(),
            actor: self.actor.clone(),
            action: action.to_string(),
            group: group.map(str::to_string),
            operation_id: operation_id.map(str::to_string),
            detail,
        };
        if let Err(e) = self.store.append_audit(&entry).await {
            tracing::error!("audit trail: {e}");
        }
    }
}

pub(crate) fn short(id: &str) -> &str {
    id.get(..8).unwrap_or(id)
}
