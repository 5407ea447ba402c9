//! The precondition checklist of ARCHITECTURE.md §4, shown before an operation starts (✓ / ✗ / !)
//! and enforced by the engine. Pure: the facts are gathered elsewhere, the verdicts are made here.

use super::{OperationType, human_seconds};
use chrono::{DateTime, Utc};
use serde::Serialize;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CheckState {
    /// ✓ holds.
    Ok,
    /// ! holds with a caveat the operator should read.
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

/// What was found at the sites, for one group and one operation.
#[derive(Debug, Clone, Default)]
pub struct Facts {
    pub source: String,
    pub target: String,
    /// `None` = reachable; `Some(reason)` = not.
    pub source_error: Option<String>,
    pub target_error: Option<String>,
    /// Volumes without a replication pair (not in the array group).
    pub unreplicated_volumes: Vec<String>,
    /// Volumes whose type lacks `replication_enabled`.
    pub unreplicable_types: Vec<String>,
    /// Networks the plan would use that the target lacks.
    pub missing_networks: Vec<String>,
    /// Flavors the plan would use that the target lacks.
    pub missing_flavors: Vec<String>,
    /// Members not found at the source.
    pub missing_members: Vec<String>,
    /// Servers at the source that are not SHUTOFF.
    pub running_servers: Vec<String>,
    /// The newest snapshot that has fully arrived at the target.
    pub newest_arrival: Option<DateTime<Utc>>,
    pub now: Option<DateTime<Utc>>,
    pub rpo_target_seconds: i64,
}

/// The options that change which checks apply.
#[derive(Debug, Clone, Copy, Default)]
pub struct CheckOptions {
    pub force: bool,
    pub stop_servers: bool,
}

fn check(label: &str, state: CheckState, reason: impl Into<String>) -> Check {
    Check {
        label: label.into(),
        state,
        reason: reason.into(),
    }
}

fn list_check(label: &str, bad: &[String], ok: &str, fail: &str) -> Check {
    if bad.is_empty() {
        check(label, CheckState::Ok, ok)
    } else {
        check(
            label,
            CheckState::Fail,
            format!("{fail}: {}", bad.join(", ")),
        )
    }
}

/// The checklist for `op` given `facts`, in the order the operator reads it. Any `Fail` blocks
/// the operation.
pub fn evaluate(op: OperationType, facts: &Facts, opts: CheckOptions) -> Vec<Check> {
    let mut out = vec![source_reachable(op, facts, opts), target_reachable(facts)];
    match op {
        OperationType::TestCleanup | OperationType::SyncNow => {}
        OperationType::Reprotect => out.extend(source_checks(facts)),
        OperationType::PlannedFailover | OperationType::Failback => {
            out.extend(source_checks(facts));
            out.extend(target_checks(facts));
            out.push(production_stopped(op, facts, opts));
            out.push(no_data_loss(facts));
        }
        OperationType::TestFailover => {
            out.extend(source_checks(facts));
            out.extend(target_checks(facts));
            out.push(replica_age(facts));
        }
        OperationType::Failover => {
            out.extend(source_checks(facts));
            out.extend(target_checks(facts));
            out.push(data_loss_window(facts));
        }
    }
    out
}

/// The source answers; a forced unplanned failover goes on without it, with a warning.
fn source_reachable(op: OperationType, facts: &Facts, opts: CheckOptions) -> Check {
    const LABEL: &str = "source site reachable";
    let forced = op == OperationType::Failover && opts.force;
    let source = &facts.source;
    match (&facts.source_error, forced) {
        (None, _) => check(LABEL, CheckState::Ok, format!("{source} answers")),
        (Some(e), true) => check(
            LABEL,
            CheckState::Warn,
            format!("{source} is unreachable ({e}); forced: it must be re-synced afterwards"),
        ),
        (Some(e), false) => check(
            LABEL,
            CheckState::Fail,
            format!("{source} is unreachable: {e}; for an unplanned failover add --force"),
        ),
    }
}

fn target_reachable(facts: &Facts) -> Check {
    const LABEL: &str = "target site reachable";
    let target = &facts.target;
    match &facts.target_error {
        None => check(LABEL, CheckState::Ok, format!("{target} answers")),
        Some(e) => check(
            LABEL,
            CheckState::Fail,
            format!("{target} is unreachable: {e}"),
        ),
    }
}

/// What must hold at the source: every member there, every volume replicated.
fn source_checks(facts: &Facts) -> [Check; 3] {
    [
        list_check(
            "members found",
            &facts.missing_members,
            "every member server exists at the source",
            "not found at the source",
        ),
        list_check(
            "replication pairs",
            &facts.unreplicated_volumes,
            "every volume is replicated",
            "volumes outside the array group",
        ),
        list_check(
            "volume types",
            &facts.unreplicable_types,
            "every volume type is replication-enabled",
            "types without replication_enabled",
        ),
    ]
}

/// What must hold at the target: every network and flavor the plan uses exists there.
fn target_checks(facts: &Facts) -> [Check; 2] {
    [
        list_check(
            "networks mapped",
            &facts.missing_networks,
            "every network exists at the target",
            "missing at the target; add --network-mapping SRC=DST",
        ),
        list_check(
            "flavors mapped",
            &facts.missing_flavors,
            "every flavor exists at the target",
            "missing at the target; add --flavor-mapping SRC=DST",
        ),
    ]
}

/// A planned move needs production stopped, or stops it as a step (failback always does).
fn production_stopped(op: OperationType, facts: &Facts, opts: CheckOptions) -> Check {
    const LABEL: &str = "production stopped";
    let running = facts.running_servers.join(", ");
    if facts.running_servers.is_empty() {
        check(LABEL, CheckState::Ok, "every server is SHUTOFF")
    } else if opts.stop_servers || op == OperationType::Failback {
        check(
            LABEL,
            CheckState::Warn,
            format!("will be stopped first: {running}"),
        )
    } else {
        check(
            LABEL,
            CheckState::Fail,
            format!("still running: {running}; stop them or drop --no-stop-servers"),
        )
    }
}

/// The newest replica's time and age, when one has arrived.
fn newest(facts: &Facts) -> Option<(String, i64)> {
    let (at, now) = (facts.newest_arrival?, facts.now?);
    let age = (now - at).num_seconds().max(0);
    Some((at.format("%H:%M:%S UTC").to_string(), age))
}

fn age_state(age: i64, facts: &Facts) -> CheckState {
    if age > facts.rpo_target_seconds {
        CheckState::Warn
    } else {
        CheckState::Ok
    }
}

/// A planned move loses nothing: the final sync runs after the servers stop.
fn no_data_loss(facts: &Facts) -> Check {
    let reason = match newest(facts) {
        Some((_, age)) => format!(
            "none: a final sync runs after the servers stop (newest replica {} old)",
            human_seconds(age)
        ),
        None => "none: a final sync runs after the servers stop".to_string(),
    };
    check("data loss", CheckState::Ok, reason)
}

/// A drill recovers the newest replica: how old it is against the RPO target.
fn replica_age(facts: &Facts) -> Check {
    match newest(facts) {
        Some((when, age)) => check(
            "replica age",
            age_state(age, facts),
            format!(
                "the drill uses the replica of {when} ({} old)",
                human_seconds(age)
            ),
        ),
        None => nothing_to_recover(),
    }
}

/// An unplanned failover loses the writes after the newest replica: say exactly which.
fn data_loss_window(facts: &Facts) -> Check {
    match newest(facts) {
        Some((when, age)) => check(
            "data loss",
            age_state(age, facts),
            format!(
                "writes after {when} are lost ({} now; target {})",
                human_seconds(age),
                human_seconds(facts.rpo_target_seconds)
            ),
        ),
        None => nothing_to_recover(),
    }
}

fn nothing_to_recover() -> Check {
    check(
        "data loss",
        CheckState::Fail,
        "no replicated snapshot has arrived at the target: nothing to recover from",
    )
}

/// True when nothing in the checklist blocks the operation.
pub fn passes(checks: &[Check]) -> bool {
    checks.iter().all(|c| c.state != CheckState::Fail)
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn facts() -> Facts {
        let now = Utc.with_ymd_and_hms(2026, 11, 24, 10, 45, 0).unwrap();
        Facts {
            source: "site-a".into(),
            target: "site-b".into(),
            newest_arrival: Some(now - chrono::Duration::seconds(177)),
            now: Some(now),
            rpo_target_seconds: 300,
            ..Default::default()
        }
    }

    fn find<'a>(checks: &'a [Check], label: &str) -> &'a Check {
        checks.iter().find(|c| c.label == label).unwrap()
    }

    #[test]
    fn unplanned_failover_states_the_exact_data_loss_window() {
        let c = evaluate(OperationType::Failover, &facts(), CheckOptions::default());
        assert_eq!(
            find(&c, "data loss").reason,
            "writes after 10:42:03 UTC are lost (2 m 57 s now; target 5 m)"
        );
        assert!(passes(&c));
    }

    #[test]
    fn a_dead_source_blocks_unless_forced() {
        let mut f = facts();
        f.source_error = Some("connection refused".into());
        let c = evaluate(OperationType::Failover, &f, CheckOptions::default());
        assert!(!passes(&c));
        assert!(
            find(&c, "source site reachable")
                .reason
                .contains("add --force")
        );
        let c = evaluate(
            OperationType::Failover,
            &f,
            CheckOptions {
                force: true,
                ..Default::default()
            },
        );
        assert!(passes(&c));
        assert_eq!(find(&c, "source site reachable").state, CheckState::Warn);
        let c = evaluate(
            OperationType::PlannedFailover,
            &f,
            CheckOptions {
                force: true,
                ..Default::default()
            },
        );
        assert!(!passes(&c), "force is for unplanned failover only");
    }

    #[test]
    fn planned_failover_needs_stopped_servers_or_the_stop_step() {
        let mut f = facts();
        f.running_servers = vec!["web-1".into()];
        let c = evaluate(OperationType::PlannedFailover, &f, CheckOptions::default());
        assert!(!passes(&c));
        let c = evaluate(
            OperationType::PlannedFailover,
            &f,
            CheckOptions {
                stop_servers: true,
                ..Default::default()
            },
        );
        assert!(passes(&c));
        assert_eq!(find(&c, "production stopped").state, CheckState::Warn);
    }

    #[test]
    fn missing_mappings_and_pairs_block_with_the_names() {
        let mut f = facts();
        f.missing_networks = vec!["net-web".into()];
        f.unreplicated_volumes = vec!["web-1-scratch".into()];
        let c = evaluate(OperationType::TestFailover, &f, CheckOptions::default());
        assert!(!passes(&c));
        assert!(find(&c, "networks mapped").reason.contains("net-web"));
        assert!(
            find(&c, "replication pairs")
                .reason
                .contains("web-1-scratch")
        );
    }

    #[test]
    fn nothing_arrived_means_nothing_to_recover() {
        let mut f = facts();
        f.newest_arrival = None;
        assert!(!passes(&evaluate(
            OperationType::Failover,
            &f,
            CheckOptions::default()
        )));
        assert!(passes(&evaluate(
            OperationType::PlannedFailover,
            &f,
            CheckOptions {
                stop_servers: true,
                ..Default::default()
            }
        )));
    }
}
