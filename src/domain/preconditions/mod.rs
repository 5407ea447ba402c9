//! The precondition checklist of ARCHITECTURE.md §4, shown before an operation starts (✓ / ✗ / !)
//! and enforced by the engine. Pure: the facts are gathered elsewhere, the verdicts are made here.
//! A check that could not look, or found nothing to look at, says so and is never ✓.

mod checks;
mod checks_time;
#[cfg(test)]
mod tests;

use super::{Attention, OperationType, PointChoice, PointError, RecoveryPoint, SplitBrainFinding};
use chrono::{DateTime, Utc};
use serde::Serialize;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CheckState {
    /// ✓ holds.
    Ok,
    /// ! holds with a caveat the operator should read (or could not be checked).
    Warn,
    /// ✗ blocks the operation.
    Fail,
}

impl CheckState {
    pub fn symbol(self) -> &'static str {
        match self {
            CheckState::Ok => "✓",
            CheckState::Warn => "!",
            CheckState::Fail => "✗",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct Check {
    pub label: String,
    pub state: CheckState,
    pub reason: String,
}

/// What a check could see: `NotChecked` says why it could not look.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Observed<T> {
    NotChecked(String),
    Seen(T),
}

impl<T> Default for Observed<T> {
    fn default() -> Self {
        Observed::NotChecked("not looked at".into())
    }
}

/// Of `of` things looked at, the ones that are wrong.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Listed {
    pub bad: Vec<String>,
    pub of: usize,
}

/// Whether replication can deliver a final sync now.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ReplicationHealth {
    /// The source's array group replicates to the target's array at all.
    pub running: bool,
    /// Snapshots of the group on their way to the target when looked at.
    pub in_flight: usize,
    /// Some of them moved (or arrived) while looked at twice.
    pub progressing: bool,
    /// How long the oldest of them has been on its way.
    pub oldest_in_flight_seconds: Option<i64>,
}

/// The floating IPs a move would take to the target: each as it would land, and what stops it.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct FloatingIpPlan {
    /// `203.0.113.10 (web-1) → 203.0.113.10 on public`.
    pub moves: Vec<String>,
    /// Why one cannot land, each with what to do.
    pub problems: Vec<String>,
}

/// The networks a drill's servers land on at the target.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct DrillNetworks {
    pub used: Vec<String>,
    /// Those of them the group's failover lands on: production networks.
    pub production: Vec<String>,
}

/// Whether the target's Cinder lets this project manage backend volumes (what turns a replica
/// into a volume there): its policy may keep the manage API to administrators.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ManagePolicy {
    /// It listed the manageable volumes of `host`.
    Allowed { host: String },
    /// It answered 403: its message (naming the policy, as Cinder does).
    Forbidden { message: String },
}

/// What was found at the sites, for one group and one operation.
#[derive(Debug, Clone, Default)]
pub struct Facts {
    pub group: String,
    pub source: String,
    pub target: String,
    /// `None` = reachable; `Some(reason)` = not.
    pub source_error: Option<String>,
    pub target_error: Option<String>,
    /// Volumes without a replication pair (not in the array group).
    pub unreplicated_volumes: Observed<Listed>,
    /// Volume types (of those used) that lack `replication_enabled`.
    pub unreplicable_types: Observed<Listed>,
    /// Networks the plan would use that the target lacks.
    pub missing_networks: Observed<Listed>,
    /// Flavors the plan would use that the target lacks.
    pub missing_flavors: Observed<Listed>,
    /// Members not found at the source.
    pub missing_members: Vec<String>,
    /// How many members were found at the source.
    pub members_found: usize,
    /// Servers at the source that are not SHUTOFF.
    pub running_servers: Vec<String>,
    /// The newest snapshot that has fully arrived at the target.
    pub newest_arrival: Option<DateTime<Utc>>,
    /// Every snapshot that has fully arrived at the target, oldest first (empty when not
    /// listed: then `newest_arrival` stands for the latest).
    pub points: Vec<RecoveryPoint>,
    /// The point an unplanned failover or a drill recovers from.
    pub point_choice: PointChoice,
    pub now: Option<DateTime<Utc>>,
    pub rpo_target_seconds: i64,
    /// Members whose copies collide across the sites.
    pub split_brain: Observed<Vec<SplitBrainFinding>>,
    pub replication: Observed<ReplicationHealth>,
    /// How long a planned move's final sync may take before the move rolls back.
    pub final_sync_timeout_seconds: u64,
    pub drill_networks: Observed<DrillNetworks>,
    /// `--to SITE`: the site the operator expects the group to move to.
    pub requested_target: Option<String>,
    /// An earlier operation left the group needing the operator (leftovers, or a failure past
    /// its point of no return): what, and the one way forward.
    pub attention: Option<Attention>,
    /// The operator's mappings whose key the group does not use at the source (each naming the
    /// valid keys).
    pub mapping_problems: Vec<String>,
    /// The operator's mappings as resolved (`network net-web → net-web-dr`).
    pub mappings_given: Vec<String>,
    /// The target's Cinder manage policy, for an operation that manages volumes there.
    pub manage_policy: Observed<ManagePolicy>,
    /// A move of a group with floating IPs (or given a floating IP mapping); `None`: none.
    pub floating_ips: Option<Observed<FloatingIpPlan>>,
}

impl Facts {
    /// The point a recovery would use (its name is empty when only its time is known); `None`
    /// when nothing has arrived, `Err` when the operator's choice names no arrived point.
    pub fn chosen_point(&self) -> Result<Option<RecoveryPoint>, PointError> {
        if !self.points.is_empty() {
            return self
                .point_choice
                .resolve(&self.points, &self.target)
                .map(|p| Some(p.clone()));
        }
        match (&self.point_choice, self.newest_arrival) {
            (PointChoice::Latest, newest) => Ok(newest.map(|created| RecoveryPoint {
                name: String::new(),
                created,
            })),
            _ => Err(PointError::NoneArrived {
                target: self.target.clone(),
            }),
        }
    }
}

/// What `check` and the console's dialog show: the checklist and, for a recovery from a
/// replicated snapshot (an unplanned failover, a drill), every arrived point with the chosen one,
/// seen at the same moment as the checklist's data-loss figure.
#[derive(Debug, Clone, PartialEq, Serialize, Default)]
pub struct CheckReport {
    pub checks: Vec<Check>,
    pub recovery_points: Option<super::RecoveryPoints>,
}

impl From<Vec<Check>> for CheckReport {
    fn from(checks: Vec<Check>) -> Self {
        CheckReport {
            checks,
            recovery_points: None,
        }
    }
}

/// The options that change which checks apply.
#[derive(Debug, Clone, Copy, Default)]
pub struct CheckOptions {
    pub force: bool,
    pub stop_servers: bool,
    /// A drill may land on a production network (asked for explicitly).
    pub allow_production_network: bool,
}

/// The checklist for `op` given `facts`, in the order the operator reads it. Any `Fail` blocks
/// the operation.
pub fn evaluate(op: OperationType, facts: &Facts, opts: CheckOptions) -> Vec<Check> {
    use OperationType as O;
    // The one way forward comes first: until it is taken, nothing else may start.
    let mut out: Vec<Check> = checks::last_operation(facts).into_iter().collect();
    if op == O::Fence {
        out.extend(checks_time::fence(facts));
        return out;
    }
    out.extend([
        checks::source_reachable(op, facts, opts),
        checks::target_reachable(facts),
    ]);
    if matches!(
        op,
        O::PlannedFailover | O::Failover | O::Failback | O::TestFailover
    ) {
        out.push(checks::direction(facts));
    }
    out.push(checks::split_brain(op, facts));
    match op {
        O::TestCleanup | O::SyncNow | O::Fence => {}
        O::Reprotect => out.extend(checks::source(facts)),
        O::PlannedFailover | O::Failback => {
            out.extend(checks::source(facts));
            out.extend(checks::mappings(facts));
            out.extend(checks::target(facts));
            out.extend(checks::floating_ips(facts));
            out.push(checks::manage_policy(facts));
            out.push(checks::production_stopped(op, facts, opts));
            out.push(checks_time::replication(op, facts));
            out.push(checks_time::final_sync_deadline(facts));
            out.push(checks_time::no_data_loss(facts));
        }
        O::TestFailover => {
            out.extend(checks::source(facts));
            out.extend(checks::mappings(facts));
            out.extend(checks::target(facts));
            out.push(checks::manage_policy(facts));
            out.push(checks_time::drill_networks(facts, opts));
            out.extend(checks_time::recovery_point(facts));
            out.push(checks_time::replica_age(facts));
        }
        O::Failover => {
            out.extend(checks::source(facts));
            out.extend(checks::mappings(facts));
            out.extend(checks::target(facts));
            out.extend(checks::floating_ips(facts));
            out.push(checks::manage_policy(facts));
            out.extend(checks_time::recovery_point(facts));
            out.push(checks_time::data_loss_window(facts));
        }
    }
    out
}

/// True when nothing in the checklist blocks the operation.
pub fn passes(checks: &[Check]) -> bool {
    checks.iter().all(|c| c.state != CheckState::Fail)
}
