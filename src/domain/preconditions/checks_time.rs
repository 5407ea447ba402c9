//! The checks about time and isolation: replication health and the final sync's deadline, the
//! data a move loses, the replica a drill uses and the networks it lands on; and the fence's own.

use super::{Check, CheckOptions, CheckState, Facts, Observed};
use crate::domain::{data_loss_seconds, human_seconds};

fn check(label: &str, state: CheckState, reason: impl Into<String>) -> Check {
    Check {
        label: label.into(),
        state,
        reason: reason.into(),
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

/// Can the final sync finish? Replication must run toward the target and its transfers move.
pub(super) fn replication(op: crate::domain::OperationType, facts: &Facts) -> Check {
    const LABEL: &str = "replication health";
    let (from, to) = (&facts.source, &facts.target);
    let h = match &facts.replication {
        Observed::NotChecked(why) => {
            return check(LABEL, CheckState::Warn, format!("not checked: {why}"));
        }
        Observed::Seen(h) => h,
    };
    let age = newest(facts)
        .map(|(_, age)| format!("newest arrived snapshot {} old", human_seconds(age)))
        .unwrap_or_else(|| "no snapshot has arrived yet".into());
    if !h.running {
        return not_replicating(op, facts);
    }
    if h.in_flight > 0 && !h.progressing {
        let since = h
            .oldest_in_flight_seconds
            .map(|s| format!(" (the oldest for {})", human_seconds(s)))
            .unwrap_or_default();
        return check(
            LABEL,
            CheckState::Fail,
            format!(
                "replication {from} → {to} is stalled: {} snapshot(s) on their way{since} and \
                 none moved while checked; {age}. The final sync cannot finish: fix replication \
                 first, or fail over unplanned (data after the newest arrival is lost)",
                h.in_flight
            ),
        );
    }
    let moving = if h.in_flight > 0 {
        format!("; {} transfer(s) moving", h.in_flight)
    } else {
        String::new()
    };
    let state = newest(facts).map_or(CheckState::Warn, |(_, a)| age_state(a, facts));
    check(
        LABEL,
        state,
        format!(
            "{from} → {to} replicating: {age} (target {}){moving}",
            human_seconds(facts.rpo_target_seconds)
        ),
    )
}

/// No replication toward the target: a failback starts it; a planned failover cannot sync.
fn not_replicating(op: crate::domain::OperationType, facts: &Facts) -> Check {
    let (from, to) = (&facts.source, &facts.target);
    if op == crate::domain::OperationType::Failback {
        check(
            "replication health",
            CheckState::Warn,
            format!(
                "{from} does not replicate to {to} now: the failback starts it, and its final \
                 sync sends a full copy within the deadline below"
            ),
        )
    } else {
        check(
            "replication health",
            CheckState::Fail,
            format!(
                "{from} does not replicate to {to}: the final sync cannot finish; run \
                 `drconsole sync {}` first",
                facts.group
            ),
        )
    }
}

/// The final sync's deadline, and what happens when it passes.
pub(super) fn final_sync_deadline(facts: &Facts) -> Check {
    check(
        "final sync deadline",
        CheckState::Ok,
        format!(
            "the final sync must finish within {}; else the operation fails, rolls back and \
             restarts production at {}",
            human_seconds(facts.final_sync_timeout_seconds as i64),
            facts.source
        ),
    )
}

/// A planned move loses nothing: the final sync runs after the servers stop.
pub(super) fn no_data_loss(facts: &Facts) -> Check {
    let reason = match newest(facts) {
        Some((_, age)) => format!(
            "none: a final sync runs after the servers stop (newest replica {} old)",
            human_seconds(age)
        ),
        None => "none: a final sync runs after the servers stop".to_string(),
    };
    check("data loss", CheckState::Ok, reason)
}

/// The point chosen for the recovery, with its time and its age (the data it loses); `Err`
/// when the operator's choice names no arrived point; `Ok(None)` when nothing has arrived.
fn chosen(facts: &Facts) -> Result<Option<(String, i64)>, crate::domain::PointError> {
    let point = facts.chosen_point()?;
    let now = facts.now.unwrap_or_else(chrono::Utc::now);
    Ok(point.map(|p| {
        (
            p.created.format("%H:%M:%S UTC").to_string(),
            data_loss_seconds(p.created, now),
        )
    }))
}

/// Which arrived snapshot the recovery uses, among how many (listed only when the snapshots
/// were listed, or a choice was made that names none).
pub(super) fn recovery_point(facts: &Facts) -> Option<Check> {
    const LABEL: &str = "recovery point";
    let point = match facts.chosen_point() {
        Err(e) => return Some(check(LABEL, CheckState::Fail, e.to_string())),
        Ok(p) => p?,
    };
    if facts.points.is_empty() {
        return None;
    }
    let rank = facts
        .points
        .iter()
        .rev()
        .position(|p| p.name == point.name)
        .unwrap_or(0);
    let which = match rank {
        0 => "the newest".to_string(),
        n => format!("{} older than the newest", plural(n, "snapshot")),
    };
    Some(check(
        LABEL,
        CheckState::Ok,
        format!(
            "{} of {} UTC: {which} of {} arrived at {}",
            point.name,
            point.created.format("%H:%M:%S"),
            facts.points.len(),
            facts.target
        ),
    ))
}

fn plural(n: usize, noun: &str) -> String {
    if n == 1 {
        format!("1 {noun}")
    } else {
        format!("{n} {noun}s")
    }
}

/// A drill recovers the chosen replica: how old it is against the RPO target.
pub(super) fn replica_age(facts: &Facts) -> Check {
    match chosen(facts) {
        Ok(Some((when, age))) => check(
            "replica age",
            age_state(age, facts),
            format!(
                "the drill uses the replica of {when} ({} old)",
                human_seconds(age)
            ),
        ),
        Ok(None) => nothing_to_recover(),
        Err(e) => check("replica age", CheckState::Fail, e.to_string()),
    }
}

/// An unplanned failover loses the writes after the chosen point: say exactly which.
pub(super) fn data_loss_window(facts: &Facts) -> Check {
    match chosen(facts) {
        Ok(Some((when, age))) => check(
            "data loss",
            age_state(age, facts),
            format!(
                "writes after {when} are lost ({} now; target {})",
                human_seconds(age),
                human_seconds(facts.rpo_target_seconds)
            ),
        ),
        Ok(None) => nothing_to_recover(),
        Err(e) => check("data loss", CheckState::Fail, e.to_string()),
    }
}

fn nothing_to_recover() -> Check {
    check(
        "data loss",
        CheckState::Fail,
        "no replicated snapshot has arrived at the target: nothing to recover from",
    )
}

/// The networks a drill lands on; a production network only when asked for explicitly.
pub(super) fn drill_networks(facts: &Facts, opts: CheckOptions) -> Check {
    const LABEL: &str = "drill networks";
    let n = match &facts.drill_networks {
        Observed::NotChecked(why) => {
            return check(LABEL, CheckState::Warn, format!("not checked: {why}"));
        }
        Observed::Seen(n) => n,
    };
    let used = n.used.join(", ");
    let target = &facts.target;
    match (n.used.is_empty(), n.production.is_empty()) {
        (true, _) => check(
            LABEL,
            CheckState::Warn,
            "nothing to check: the drill's servers have no ports",
        ),
        (false, true) => check(
            LABEL,
            CheckState::Ok,
            format!("isolated: {used} at {target}"),
        ),
        (false, false) => {
            let prod = n.production.join(", ");
            if opts.allow_production_network {
                check(
                    LABEL,
                    CheckState::Warn,
                    format!(
                        "{used} at {target}; {prod} is a production network (allowed by \
                         --allow-production-network): the drill's servers share it with \
                         production"
                    ),
                )
            } else {
                check(
                    LABEL,
                    CheckState::Fail,
                    format!(
                        "{prod} at {target} is a production network (the group's failover \
                         lands on it): a drill there would collide with production. Map it to a \
                         test network (--network-mapping SRC=NET-test) or pass \
                         --allow-production-network"
                    ),
                )
            }
        }
    }
}

/// A fence needs the side it stops to answer; the primary may be down.
pub(super) fn fence(facts: &Facts) -> Vec<Check> {
    let side = &facts.target;
    let reach = match &facts.target_error {
        None => check(
            "site to fence reachable",
            CheckState::Ok,
            format!("{side} answers"),
        ),
        Some(e) => check(
            "site to fence reachable",
            CheckState::Fail,
            format!("{side} is unreachable: {e}; the fence runs by itself once it answers again"),
        ),
    };
    let primary = match &facts.source_error {
        None => check(
            "primary",
            CheckState::Ok,
            format!("{} answers; its servers are left running", facts.source),
        ),
        Some(e) => check(
            "primary",
            CheckState::Warn,
            format!(
                "{} is unreachable ({e}): the fence does not need it",
                facts.source
            ),
        ),
    };
    let what = match &facts.split_brain {
        Observed::Seen(found) if !found.is_empty() => {
            let list: Vec<String> = found.iter().map(|f| f.describe()).collect();
            check(
                "split-brain",
                CheckState::Warn,
                format!("{}: the fence stops the copies at {side}", list.join("; ")),
            )
        }
        _ => check(
            "what stops",
            CheckState::Ok,
            format!(
                "every copy of {}'s servers at {side}, and {side}'s replication toward {}",
                facts.group, facts.source
            ),
        ),
    };
    vec![reach, primary, what]
}
