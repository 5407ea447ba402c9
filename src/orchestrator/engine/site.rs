//! A site failover: every group whose workloads run at one site moved to the other as one
//! operation. Every group's lock is taken before the first group starts (refused, naming the
//! group, when one is busy or needs the operator); the groups move in their priority order,
//! those of one priority together, and a priority starts only once every group before it
//! completed. Each group runs as its own operation (its own plan, journal, rollback, resume);
//! the site record follows them with a phase per group and is journaled in the audit trail when
//! the site failover starts, as each group's phase changes, and when it ends.

use super::start::new_operation_id;
use super::{Engine, EngineError, OperationRequest};
use crate::domain::{Actor, OperationStatus, OperationType, check_transition};
use crate::orchestrator::EventKind;
use chrono::{DateTime, Utc};
use serde::Serialize;
use std::collections::BTreeMap;
use std::sync::Arc;
use tokio::sync::watch;

/// What the operator asked: move everything that runs at `from` to the other site.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SiteRequest {
    pub from: String,
    /// Unplanned: each group recovers from its newest arrived snapshot.
    pub unplanned: bool,
    /// With `unplanned`: go on although `from` does not answer.
    pub force: bool,
}

/// Where one group is in a site failover.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum GroupPhase {
    /// Locked, waiting for the groups of a lower priority.
    Waiting,
    Running,
    Completed,
    /// Refused at its start, or failed (rolled back or not: its own record says).
    Failed,
    /// Never started: a group of a lower priority failed; its lock was released.
    NotStarted,
}

/// One group's row in a site failover's record.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SiteGroup {
    pub group: String,
    pub priority: u32,
    /// The group's own operation (its steps, log and report).
    pub operation_id: String,
    pub phase: GroupPhase,
    /// The group operation's final status, once it ended.
    pub status: Option<OperationStatus>,
    pub message: Option<String>,
}

/// A site failover's record: one operation, a row per group.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SiteRecord {
    pub id: String,
    pub operation: OperationType,
    pub from: String,
    pub to: String,
    /// Completed when every group completed; failed otherwise.
    pub status: OperationStatus,
    pub started_at: DateTime<Utc>,
    pub completed_at: Option<DateTime<Utc>>,
    pub actor: Actor,
    pub groups: Vec<SiteGroup>,
}

impl Engine {
    /// Run a site failover to its end in this process and return its record. Refused, with
    /// nothing started and no lock kept, when a group is busy or needs the operator.
    pub async fn site_failover(
        self: &Arc<Self>,
        req: SiteRequest,
    ) -> Result<SiteRecord, EngineError> {
        let op = if req.unplanned {
            OperationType::Failover
        } else {
            OperationType::PlannedFailover
        };
        let mut record = self.site_record(&req, op).await?;
        self.refuse_unless_free(&record).await?;
        let keepers = self.lock_all(&record).await?;
        self.site_audit("site_failover.start", &record).await;
        self.run_levels(&req, &mut record, keepers).await;
        record.status = if record
            .groups
            .iter()
            .all(|g| g.phase == GroupPhase::Completed)
        {
            OperationStatus::Completed
        } else {
            OperationStatus::Failed
        };
        record.completed_at = Some(Utc::now());
        self.site_audit("site_failover.end", &record).await;
        Ok(record)
    }

    /// The groups whose workloads run at `from` now, in priority order (then the configuration's).
    async fn site_record(
        &self,
        req: &SiteRequest,
        op: OperationType,
    ) -> Result<SiteRecord, EngineError> {
        if !self.config.sites.iter().any(|s| s.name == req.from) {
            let known: Vec<&str> = self.config.sites.iter().map(|s| s.name.as_str()).collect();
            return Err(EngineError::Rejected(format!(
                "no site named {:?}; the configuration has: {}",
                req.from,
                known.join(", ")
            )));
        }
        let states = self.group_states().await?;
        let mut groups: Vec<(u32, usize, String)> = Vec::new();
        let mut to = None;
        for (i, g) in self.config.groups.iter().enumerate() {
            if states.get(&g.name).map(|s| s.current_primary.as_str()) == Some(req.from.as_str()) {
                to.get_or_insert_with(|| g.other_site(&req.from).to_string());
                groups.push((g.priority, i, g.name.clone()));
            }
        }
        let Some(to) = to else {
            return Err(EngineError::Rejected(format!(
                "no protection group runs at {} now: nothing to fail over",
                req.from
            )));
        };
        groups.sort();
        Ok(SiteRecord {
            id: new_operation_id(),
            operation: op,
            from: req.from.clone(),
            to,
            status: OperationStatus::Running,
            started_at: Utc::now(),
            completed_at: None,
            actor: self.actor.clone(),
            groups: groups
                .into_iter()
                .map(|(priority, _, group)| SiteGroup {
                    group,
                    priority,
                    operation_id: new_operation_id(),
                    phase: GroupPhase::Waiting,
                    status: None,
                    message: None,
                })
                .collect(),
        })
    }

    /// Every group may run the operation and none is locked: else a refusal naming each one
    /// that is not.
    async fn refuse_unless_free(&self, record: &SiteRecord) -> Result<(), EngineError> {
        let states = self.group_states().await?;
        let now = Utc::now();
        let mut why = Vec::new();
        for g in &record.groups {
            if let Some(state) = states.get(&g.group)
                && let Err(r) = check_transition(record.operation, state)
            {
                why.push(r.to_string());
            }
            if let Some(lock) = self.store.get_lock(&g.group).await?
                && !lock.is_expired(now)
            {
                why.push(format!(
                    "group {} is busy: operation {} ({}) run by {} holds its lock",
                    g.group,
                    lock.holder.operation_id,
                    lock.holder.operation_type.label(),
                    lock.holder.actor
                ));
            }
        }
        if why.is_empty() {
            return Ok(());
        }
        Err(EngineError::Rejected(format!(
            "site failover from {} refused, nothing was started: {}",
            record.from,
            why.join("; ")
        )))
    }

    /// Take every group's lock (each under its group operation's id) and keep their leases
    /// while they wait; all or none: a lock another console took meanwhile releases the rest.
    async fn lock_all(self: &Arc<Self>, record: &SiteRecord) -> Result<Vec<Keeper>, EngineError> {
        let mut keepers = Vec::new();
        for g in &record.groups {
            if let Err(e) = self
                .lock_group(&g.group, &g.operation_id, record.operation)
                .await
            {
                for k in keepers {
                    self.unlock(k).await;
                }
                return Err(EngineError::Rejected(format!(
                    "site failover from {} refused, nothing was started: {e}",
                    record.from
                )));
            }
            let (stop, stop_rx) = watch::channel(false);
            let (task, lost) = self.spawn_lease_keeper(&g.group, &g.operation_id, stop_rx);
            keepers.push(Keeper {
                group: g.group.clone(),
                id: g.operation_id.clone(),
                stop,
                task,
                lost,
            });
        }
        Ok(keepers)
    }

    /// Stop keeping a waiting group's lease; release its lock unless its operation takes it on.
    async fn unlock(&self, k: Keeper) {
        let _ = k.stop.send(true);
        let _ = k.task.await;
        self.release_lock(&k.group, &k.id).await;
    }

    /// Run the groups a priority at a time; after a level with a failure, the rest never start.
    async fn run_levels(
        self: &Arc<Self>,
        req: &SiteRequest,
        record: &mut SiteRecord,
        keepers: Vec<Keeper>,
    ) {
        let mut keepers: BTreeMap<String, Keeper> =
            keepers.into_iter().map(|k| (k.group.clone(), k)).collect();
        let levels: Vec<u32> = {
            let mut p: Vec<u32> = record.groups.iter().map(|g| g.priority).collect();
            p.dedup();
            p
        };
        let mut failed: Option<String> = None;
        for level in levels {
            let rows: Vec<usize> = (0..record.groups.len())
                .filter(|&i| record.groups[i].priority == level)
                .collect();
            if let Some(first) = &failed {
                for &i in &rows {
                    if let Some(k) = keepers.remove(&record.groups[i].group) {
                        self.unlock(k).await;
                    }
                    let msg = format!("not started: {first} failed before it");
                    self.set_phase(record, i, GroupPhase::NotStarted, Some(msg))
                        .await;
                }
                continue;
            }
            self.start_level(req, record, &rows, &mut keepers).await;
            self.wait_level(record, &rows).await;
            failed = rows
                .iter()
                .find(|&&i| record.groups[i].phase != GroupPhase::Completed)
                .map(|&i| format!("group {}", record.groups[i].group));
        }
    }

    /// Start every group of a level (each holds its lock already), all at once: each start
    /// looks at both sites (preconditions, inventory), which one after another would delay the
    /// last group of a 20-group level by 19 discoveries.
    async fn start_level(
        self: &Arc<Self>,
        req: &SiteRequest,
        record: &mut SiteRecord,
        rows: &[usize],
        keepers: &mut BTreeMap<String, Keeper>,
    ) {
        let mut starts = Vec::new();
        for &i in rows {
            let g = record.groups[i].clone();
            let Some(k) = keepers.remove(&g.group) else {
                continue;
            };
            let _ = k.stop.send(true);
            let _ = k.task.await;
            if *k.lost.borrow() {
                let msg = "its lock was taken over by another console while it waited".into();
                self.set_phase(record, i, GroupPhase::Failed, Some(msg))
                    .await;
                continue;
            }
            let mut greq = OperationRequest::new(record.operation, &g.group);
            greq.force = req.force;
            greq.to = Some(record.to.clone());
            starts.push(async move { (i, self.start_holding(greq, g.operation_id, true).await) });
        }
        for (i, started) in futures_util::future::join_all(starts).await {
            match started {
                Ok(_) => self.set_phase(record, i, GroupPhase::Running, None).await,
                Err(e) => {
                    let msg = format!("refused at its start: {e}");
                    self.set_phase(record, i, GroupPhase::Failed, Some(msg))
                        .await;
                }
            }
        }
    }

    /// Wait for a level's running groups to end; each row gets its operation's final status.
    async fn wait_level(&self, record: &mut SiteRecord, rows: &[usize]) {
        for &i in rows {
            if record.groups[i].phase != GroupPhase::Running {
                continue;
            }
            let id = record.groups[i].operation_id.clone();
            self.wait_local(&id).await;
            let (status, error) = match self.store.get_operation(&id).await {
                Ok(Some(op)) => (Some(op.record.status), op.record.error_message),
                Ok(None) => (None, Some("its record is not in the journal".into())),
                Err(e) => (None, Some(format!("its record could not be read: {e}"))),
            };
            record.groups[i].status = status;
            let phase = if status == Some(OperationStatus::Completed) {
                GroupPhase::Completed
            } else {
                GroupPhase::Failed
            };
            self.set_phase(record, i, phase, error).await;
        }
    }

    /// Change a row's phase: published for followers, journaled in the audit trail.
    async fn set_phase(
        &self,
        record: &mut SiteRecord,
        i: usize,
        phase: GroupPhase,
        message: Option<String>,
    ) {
        let row = &mut record.groups[i];
        row.phase = phase;
        row.message = message.clone();
        let line = format!(
            "{}: {}{}",
            row.group,
            serde_json::to_value(phase)
                .ok()
                .and_then(|v| v.as_str().map(str::to_string))
                .unwrap_or_default(),
            message.map(|m| format!(" ({m})")).unwrap_or_default()
        );
        self.events
            .publish(&record.id, EventKind::Log { line: line.clone() });
        let detail = format!("{line}; group operation {}", row.operation_id);
        let (group, id) = (row.group.clone(), record.id.clone());
        self.audit("site_failover.phase", Some(&group), Some(&id), detail)
            .await;
    }

    /// The whole record (JSON) in the audit trail.
    async fn site_audit(&self, action: &str, record: &SiteRecord) {
        let detail =
            serde_json::to_string(record).unwrap_or_else(|e| format!("unserialisable: {e}"));
        self.audit(action, None, Some(&record.id), detail).await;
    }
}

/// A waiting group's lock and the task keeping its lease.
struct Keeper {
    group: String,
    id: String,
    stop: watch::Sender<bool>,
    task: tokio::task::JoinHandle<()>,
    lost: watch::Receiver<bool>,
}
