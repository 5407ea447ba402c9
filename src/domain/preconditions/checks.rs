//! One function per check of the checklist, each with the words the operator reads.

use super::{Check, CheckOptions, CheckState, Facts, Listed, ManagePolicy, Observed};
use crate::domain::{AttentionKind, OperationType};

fn check(label: &str, state: CheckState, reason: impl Into<String>) -> Check {
    Check {
        label: label.into(),
        state,
        reason: reason.into(),
    }
}

/// A list check: ✓ when everything looked at is right, ✗ naming what is not, and ! when it
/// could not look or there was nothing to look at (`noun` names what it looks at).
fn list_check(label: &str, seen: &Observed<Listed>, noun: &str, ok: &str, fail: &str) -> Check {
    match seen {
        Observed::NotChecked(why) => check(label, CheckState::Warn, format!("not checked: {why}")),
        Observed::Seen(l) if !l.bad.is_empty() => check(
            label,
            CheckState::Fail,
            format!("{fail}: {}", l.bad.join(", ")),
        ),
        Observed::Seen(l) if l.of == 0 => check(
            label,
            CheckState::Warn,
            format!("nothing to check: no {noun} was found"),
        ),
        Observed::Seen(_) => check(label, CheckState::Ok, ok),
    }
}

/// The source answers; a forced unplanned failover goes on without it, with a warning.
pub(super) fn source_reachable(op: OperationType, facts: &Facts, opts: CheckOptions) -> Check {
    const LABEL: &str = "source site reachable";
    let forced = op == OperationType::Failover && opts.force;
    let source = &facts.source;
    match (&facts.source_error, forced) {
        (None, _) => check(LABEL, CheckState::Ok, format!("{source} answers")),
        (Some(e), true) => check(
            LABEL,
            CheckState::Warn,
            format!(
                "{source} is unreachable ({e}); forced: it is left unfenced (fence_pending) and \
                 must be re-synced afterwards"
            ),
        ),
        (Some(e), false) => check(
            LABEL,
            CheckState::Fail,
            format!("{source} is unreachable: {e}; for an unplanned failover add --force"),
        ),
    }
}

pub(super) fn target_reachable(facts: &Facts) -> Check {
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

/// Which way it goes; a `--to` naming another site is refused.
pub(super) fn direction(facts: &Facts) -> Check {
    const LABEL: &str = "direction";
    let (from, to) = (&facts.source, &facts.target);
    match &facts.requested_target {
        Some(asked) if asked != to => check(
            LABEL,
            CheckState::Fail,
            format!(
                "--to {asked}: {} runs at {from} now, so it can only go to {to} ({from} → {to})",
                facts.group
            ),
        ),
        _ => check(LABEL, CheckState::Ok, format!("{from} → {to}")),
    }
}

/// A collision across the sites blocks every move and drill; a drill's cleanup (which removes
/// copies) and a sync (which touches no server) go on with a warning; the fence resolves it.
pub(super) fn split_brain(op: OperationType, facts: &Facts) -> Check {
    const LABEL: &str = "split-brain";
    match &facts.split_brain {
        Observed::NotChecked(why) => check(LABEL, CheckState::Warn, format!("not checked: {why}")),
        Observed::Seen(found) if found.is_empty() => check(
            LABEL,
            CheckState::Ok,
            format!(
                "no member runs at both {} and {}",
                facts.source, facts.target
            ),
        ),
        Observed::Seen(found) => {
            let what: Vec<String> = found.iter().map(|f| f.describe()).collect();
            let state = match op {
                OperationType::TestCleanup | OperationType::SyncNow => CheckState::Warn,
                _ => CheckState::Fail,
            };
            check(
                LABEL,
                state,
                format!(
                    "SPLIT-BRAIN: {}; run `drconsole fence {}` to stop the copies that are not \
                     at the primary",
                    what.join("; "),
                    facts.group
                ),
            )
        }
    }
}

/// An earlier operation left the group needing the operator: a rollback that left resources
/// behind (only `ops cleanup` removes them), or a failure past its point of no return (only its
/// retry, the same way, continues it). It blocks every operation until that way is taken.
pub(super) fn last_operation(facts: &Facts) -> Option<Check> {
    let a = facts.attention.as_ref()?;
    let mut reason = a.summary();
    if a.kind == AttentionKind::PastPointOfNoReturn
        && (a.source.as_str(), a.target.as_str()) != (facts.source.as_str(), facts.target.as_str())
    {
        reason.push_str(&format!(
            "; a new operation would run {} → {}",
            facts.source, facts.target
        ));
    }
    Some(check("last operation", CheckState::Fail, reason))
}

/// What must hold at the source: every member there, every volume replicated.
pub(super) fn source(facts: &Facts) -> [Check; 3] {
    let members = if facts.source_error.is_some() && facts.members_found == 0 {
        Observed::NotChecked(format!("{} does not answer", facts.source))
    } else {
        Observed::Seen(Listed {
            bad: facts.missing_members.clone(),
            of: facts.members_found + facts.missing_members.len(),
        })
    };
    [
        list_check(
            "members found",
            &members,
            "member",
            "every member server exists at the source",
            "not found at the source",
        ),
        list_check(
            "replication pairs",
            &facts.unreplicated_volumes,
            "volume",
            "every volume is replicated",
            "volumes outside the array group",
        ),
        list_check(
            "volume types",
            &facts.unreplicable_types,
            "volume type",
            "every volume type is replication-enabled",
            "types without replication_enabled",
        ),
    ]
}

/// The operator's mappings: each key must be something the group uses at the source.
pub(super) fn mappings(facts: &Facts) -> Option<Check> {
    const LABEL: &str = "mappings given";
    if !facts.mapping_problems.is_empty() {
        return Some(check(
            LABEL,
            CheckState::Fail,
            facts.mapping_problems.join("; "),
        ));
    }
    (!facts.mappings_given.is_empty())
        .then(|| check(LABEL, CheckState::Ok, facts.mappings_given.join("; ")))
}

/// The target's Cinder must let this project manage the replicas into volumes (the seed's
/// `volume_extension:volume_manage` / `volume_unmanage` policies).
pub(super) fn manage_policy(facts: &Facts) -> Check {
    const LABEL: &str = "Cinder manage policy";
    let target = &facts.target;
    match &facts.manage_policy {
        Observed::NotChecked(why) => check(LABEL, CheckState::Warn, format!("not checked: {why}")),
        Observed::Seen(ManagePolicy::Allowed { host }) => check(
            LABEL,
            CheckState::Ok,
            format!("{target}'s Cinder lets this project use the manage API on {host}"),
        ),
        Observed::Seen(ManagePolicy::Forbidden { message }) => check(
            LABEL,
            CheckState::Fail,
            format!(
                "{target}'s Cinder refuses this project the manage API ({message}): the replicas \
                 cannot become volumes there. Allow volume_extension:volume_manage, \
                 volume_extension:volume_unmanage and volume_extension:list_manageable for the \
                 project's role in {target}'s Cinder policy (policy.yaml), then check again"
            ),
        ),
    }
}

/// What must hold at the target: every network and flavor the plan uses exists there.
pub(super) fn target(facts: &Facts) -> [Check; 2] {
    [
        list_check(
            "networks mapped",
            &facts.missing_networks,
            "network",
            "every network exists at the target",
            "missing at the target; add --network-mapping SRC=DST",
        ),
        list_check(
            "flavors mapped",
            &facts.missing_flavors,
            "flavor",
            "every flavor exists at the target",
            "missing at the target; add --flavor-mapping SRC=DST",
        ),
    ]
}

/// A move's floating IPs: each lands on the target's external network, its address kept or
/// mapped by the operator.
pub(super) fn floating_ips(facts: &Facts) -> Option<Check> {
    const LABEL: &str = "floating IPs";
    Some(match facts.floating_ips.as_ref()? {
        Observed::NotChecked(why) => check(LABEL, CheckState::Warn, format!("not checked: {why}")),
        Observed::Seen(p) if !p.problems.is_empty() => {
            check(LABEL, CheckState::Fail, p.problems.join("; "))
        }
        Observed::Seen(p) => check(LABEL, CheckState::Ok, p.moves.join("; ")),
    })
}

/// A planned move needs production stopped, or stops it as a step (failback always does).
pub(super) fn production_stopped(op: OperationType, facts: &Facts, opts: CheckOptions) -> Check {
    const LABEL: &str = "production stopped";
    let running = facts.running_servers.join(", ");
    if facts.members_found == 0 {
        check(
            LABEL,
            CheckState::Warn,
            format!(
                "nothing to check: no member server was found at {}",
                facts.source
            ),
        )
    } else if facts.running_servers.is_empty() {
        check(
            LABEL,
            CheckState::Ok,
            format!("every server is SHUTOFF ({} found)", facts.members_found),
        )
    } else if opts.stop_servers || op == OperationType::Failback {
        check(
            LABEL,
            CheckState::Warn,
            format!("will be stopped first, then verified stopped: {running}"),
        )
    } else {
        check(
            LABEL,
            CheckState::Fail,
            format!("still running: {running}; stop them or drop --no-stop-servers"),
        )
    }
}
