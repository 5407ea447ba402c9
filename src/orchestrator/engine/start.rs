//! Starting an operation: state machine, lock, preconditions, plan, journal, then the run in a
//! task of its own. Every refusal says why and what would allow it.

use super::facts::{check_options, endpoints};
use super::{Engine, EngineError, OperationRequest};
use crate::config::GroupConfig;
use crate::domain::{
    Check, CheckState, GroupState, GroupStatus, OperationRecord, OperationStatus, OperationType,
    ResultData, Transition, check_transition, evaluate, passes,
};
use crate::orchestrator::plans::{OperationOptions, PlanInput, build_plan};
use crate::orchestrator::{Mode, Plan};
use crate::store::{AuditEntry, LockHolder, LockOutcome};
use chrono::Utc;
use serde_json::{Value, json};
use std::collections::HashMap;
use std::sync::Arc;

/// An operation ready to journal: its record, plan, and the options and checks it started with.
struct Prepared {
    record: OperationRecord,
    plan_json: Value,
    options_json: Value,
    plan: Plan,
}

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
            allow_production_network: req.allow_production_network,
            recovery_point: req.recovery_point.clone(),
            retain_primary: req.retain_primary,
            reverse_replication: req.reverse_replication,
            floating_ip_mapping: req.floating_ip_mapping.clone(),
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
        let state = self.group_state(&req.group).await?;
        check_transition(req.operation, &state)?;
        req.validate_options()?;
        let id = new_operation_id();
        self.lock_group(&req.group, &id, req.operation).await?;
        self.start_holding(req, id, run_here).await
    }

    /// Start operation `id` of `req`, whose group's lock it holds already (a site failover takes
    /// every group's lock before the first starts). Any refusal releases the lock.
    pub(super) async fn start_holding(
        self: &Arc<Self>,
        req: OperationRequest,
        id: String,
        run_here: bool,
    ) -> Result<OperationRecord, EngineError> {
        let prepared = async {
            let group = self.group_config(&req.group)?.clone();
            // Read again under the lock: what was checked before it may have changed since.
            let state = self.group_state(&req.group).await?;
            let transition = check_transition(req.operation, &state)?;
            req.validate_options()?;
            let p = self.prepare(&req, &group, &state, &id).await?;
            Ok::<_, EngineError>((p, transition))
        }
        .await;
        match prepared {
            Ok((p, transition)) => self.journal_start(&req, p, transition, run_here).await,
            Err(e) => {
                self.release_lock(&req.group, &id).await;
                Err(e)
            }
        }
    }

    /// Take the group's lock for operation `id`, or say who holds it and until when.
    pub(super) async fn lock_group(
        &self,
        group: &str,
        id: &str,
        operation: OperationType,
    ) -> Result<(), EngineError> {
        let holder = LockHolder {
            operation_id: id.to_string(),
            operation_type: operation,
            actor: self.actor.clone(),
            console_id: self.opts.console_id.clone(),
        };
        match self
            .store
            .acquire_lock(group, &holder, self.opts.lease)
            .await?
        {
            LockOutcome::Held(lock) => Err(EngineError::Rejected(format!(
                "group {group} is locked by operation {} ({}) run by {} since {}; its lease \
                 expires at {}. Watch it with `drconsole ops watch {}`",
                lock.holder.operation_id,
                lock.holder.operation_type.label(),
                lock.holder.actor,
                lock.acquired_at.format("%Y-%m-%d %H:%M:%S UTC"),
                lock.expires_at.format("%H:%M:%S UTC"),
                short(&lock.holder.operation_id),
            ))),
            LockOutcome::TakenOver { from, .. } => {
                let detail = format!("lease of {} had expired", from.holder.operation_id);
                self.audit("lock.takeover", Some(group), Some(id), detail)
                    .await;
                Ok(())
            }
            LockOutcome::Acquired(_) => Ok(()),
        }
    }

    /// Journal the prepared operation and mark the group as running it, then run it here or
    /// leave it (lock released) for another process.
    async fn journal_start(
        self: &Arc<Self>,
        req: &OperationRequest,
        p: Prepared,
        transition: Transition,
        run_here: bool,
    ) -> Result<OperationRecord, EngineError> {
        let (group, id) = (p.record.protection_group.clone(), p.record.id.clone());
        let stored = self
            .store
            .insert_operation(&p.record, &p.plan_json, &p.options_json)
            .await;
        if let Err(e) = stored {
            self.release_lock(&group, &id).await;
            return Err(e.into());
        }
        if let Some(running) = transition.while_running {
            self.update_group(&group, |s| {
                s.status = running;
                s.last_operation = Some(id.clone());
            })
            .await?;
        }
        self.supersede_drill(req.operation, &p.plan, &group, &id)
            .await;
        let detail = format!("{} {}", req.operation.label(), p.record.direction());
        self.audit("operation.start", Some(&group), Some(&id), detail)
            .await;
        if run_here {
            self.spawn_run(p.record.clone(), p.plan, HashMap::new(), Mode::Forward);
        } else {
            self.release_lock(&group, &id).await;
        }
        Ok(p.record)
    }

    /// Preconditions, plan and the record to journal. Nothing is written here.
    async fn prepare(
        &self,
        req: &OperationRequest,
        group: &GroupConfig,
        state: &GroupState,
        id: &str,
    ) -> Result<Prepared, EngineError> {
        let gathered = self.gather(req, group, state).await;
        let checks = evaluate(req.operation, &gathered.facts, check_options(req));
        let (source, target) = endpoints(group, state);
        let way = crate::domain::direction(req.operation, &source, &target);
        refuse_unless_passing(req, group, &way, &checks)?;
        let mut options = self.options_for(req, group, state).await?;
        options.network_mapping = gathered.mappings.network.clone();
        options.flavor_mapping = gathered.mappings.flavor.clone();
        let plan = build_plan(&PlanInput {
            operation_id: id,
            operation: req.operation,
            group,
            source: &source,
            target: &target,
            inventory: &gathered.inventory,
            options: &options,
            final_sync_timeout: self.config.operations.final_sync_timeout,
        });
        plan.validate()
            .map_err(|e| EngineError::Failed(format!("the plan is inconsistent: {e}")))?;
        let plan_json = serde_json::to_value(&plan)
            .map_err(|e| EngineError::Failed(format!("cannot journal the plan: {e}")))?;
        Ok(Prepared {
            record: self.new_record(req, group, id, (source, target)),
            plan_json,
            options_json: json!({ "options": options, "checks": checks }),
            plan,
        })
    }

    /// The plan's options: the request's, and what the journal adds (the drill to clean up,
    /// whether a sync must first re-establish replication).
    async fn options_for(
        &self,
        req: &OperationRequest,
        group: &GroupConfig,
        state: &GroupState,
    ) -> Result<OperationOptions, EngineError> {
        let mut options = self.plan_options(req);
        // An unplanned failover during a drill removes the drill's copies first.
        let drill_active =
            req.operation == OperationType::Failover && state.status == GroupStatus::TestActive;
        if drill_active {
            options.test_operation = Some(self.last_drill(&group.name).await?);
        }
        if req.operation == OperationType::TestCleanup {
            let drill = self.last_drill(&group.name).await?;
            options.retain_primary = self.drill_retained_primary(&drill).await;
            options.test_operation = Some(drill);
        }
        if req.operation == OperationType::SyncNow {
            options.resync = state.needs_resync || state.status == GroupStatus::FailedOver;
        }
        Ok(options)
    }

    fn new_record(
        &self,
        req: &OperationRequest,
        group: &GroupConfig,
        id: &str,
        (source, target): (String, String),
    ) -> OperationRecord {
        OperationRecord {
            id: id.to_string(),
            operation_type: req.operation,
            protection_group: group.name.clone(),
            status: OperationStatus::Pending,
            progress: 0,
            source_site_id: source,
            target_site_id: target,
            started_at: Some(Utc::now()),
            completed_at: None,
            error_message: None,
            steps_completed: Vec::new(),
            steps_failed: Vec::new(),
            result_data: ResultData::default(),
            actor: self.actor.clone(),
        }
    }

    /// A failover that removes an active drill's copies: the drill's record says so.
    async fn supersede_drill(&self, op: OperationType, plan: &Plan, group: &str, id: &str) {
        use crate::orchestrator::steps::CleanupTestResources;
        let cleanup = plan.steps_of::<CleanupTestResources>().next();
        let Some((_, cleanup)) = cleanup.filter(|_| op == OperationType::Failover) else {
            return;
        };
        let drill = cleanup.test_operation.clone();
        match self.store.get_operation(&drill).await {
            Ok(Some(mut stored)) if stored.record.operation_type == OperationType::TestFailover => {
                stored.record.result_data.superseded_by = Some(id.to_string());
                if let Err(e) = self.store.update_operation(&stored.record).await {
                    tracing::error!("cannot mark drill {drill} superseded by {id}: {e}");
                }
                let detail = format!("drill {drill} superseded by failover {id}");
                self.audit("operation.superseded", Some(group), Some(&drill), detail)
                    .await;
            }
            _ => {}
        }
    }

    /// Whether a drill kept production running (else its cleanup starts production again); a
    /// drill journaled before the option existed did.
    async fn drill_retained_primary(&self, drill: &str) -> bool {
        match self.store.get_operation(drill).await {
            Ok(Some(stored)) => stored.options["options"]["retain_primary"]
                .as_bool()
                .unwrap_or(true),
            _ => true,
        }
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

/// A refusal naming every check that failed.
fn refuse_unless_passing(
    req: &OperationRequest,
    group: &GroupConfig,
    way: &str,
    checks: &[Check],
) -> Result<(), EngineError> {
    if passes(checks) {
        return Ok(());
    }
    let failed: Vec<String> = checks
        .iter()
        .filter(|c| c.state == CheckState::Fail)
        .map(|c| format!("{}: {}", c.label, c.reason))
        .collect();
    Err(EngineError::Rejected(format!(
        "{} of {} ({way}) cannot start: {}",
        req.operation.label(),
        group.name,
        failed.join("; ")
    )))
}

pub(crate) fn short(id: &str) -> &str {
    id.get(..8).unwrap_or(id)
}
