//! The state machine of ARCHITECTURE.md §4: which operation may start from which group status,
//! and which status the group takes while it runs, on success and on failure (after rollback).

use super::{GroupState, GroupStatus, OperationType};
use std::fmt;

use GroupStatus as S;
use OperationType as O;

/// The statuses a group takes because of one operation. `None` means "unchanged".
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Transition {
    pub while_running: Option<GroupStatus>,
    pub on_success: Option<GroupStatus>,
    pub on_failure: Option<GroupStatus>,
}

/// Why an operation may not start, in words an operator can act on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Rejection {
    WrongStatus {
        operation: OperationType,
        group: String,
        status: GroupStatus,
        allowed: Vec<GroupStatus>,
    },
    NeedsResync {
        operation: OperationType,
        group: String,
    },
    /// An earlier operation left the group needing the operator.
    NeedsAttention {
        operation: OperationType,
        group: String,
        attention: Box<super::Attention>,
    },
    /// A forced failover could not stop the old side: only a fence may run until it has.
    FencePending {
        operation: OperationType,
        group: String,
        site: String,
        since_operation: String,
    },
}

impl fmt::Display for Rejection {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Rejection::WrongStatus {
                operation,
                group,
                status,
                allowed,
            } => {
                let allowed: Vec<&str> = allowed.iter().map(|s| s.as_str()).collect();
                write!(
                    f,
                    "cannot run {operation} on {group}: its status is {status}; {operation} needs {}",
                    join_or(&allowed)
                )
            }
            Rejection::NeedsResync { operation, group } => write!(
                f,
                "cannot run {operation} on {group}: its failover could not stop replication at the \
                 side it left (that site was unreachable), so the sites must be re-synced first; run \
                 `drconsole sync {group}` once both sites are reachable"
            ),
            Rejection::NeedsAttention {
                operation,
                group,
                attention,
            } => write!(
                f,
                "cannot run {operation} on {group}: {}",
                attention.summary()
            ),
            Rejection::FencePending {
                operation,
                group,
                site,
                since_operation,
            } => write!(
                f,
                "cannot run {operation} on {group}: {site} has not been fenced since the forced \
                 failover {since_operation} (it was unreachable), so its servers may still run; \
                 run `drconsole fence {group}` (it also runs by itself once {site} answers)"
            ),
        }
    }
}

impl std::error::Error for Rejection {}

fn join_or(items: &[&str]) -> String {
    match items {
        [] => "no status (it is never allowed)".into(),
        [one] => (*one).into(),
        [init @ .., last] => format!("{} or {last}", init.join(", ")),
    }
}

/// The statuses from which `op` may start.
pub fn allowed_from(op: OperationType) -> &'static [GroupStatus] {
    match op {
        O::PlannedFailover => &[S::Protected, S::PlannedFailoverFailed],
        // A real outage does not wait for a drill's cleanup: the failover removes the drill's
        // copies first.
        O::Failover => &[
            S::Protected,
            S::PlannedFailoverFailed,
            S::FailoverFailed,
            S::TestActive,
        ],
        O::Reprotect => &[S::FailedOver],
        O::Failback => &[S::FailedOver],
        O::TestFailover => &[S::Protected],
        O::TestCleanup => &[S::TestActive],
        O::SyncNow => &[S::Protected, S::FailedOver, S::TestActive],
        O::Fence => &[
            S::Protected,
            S::FailedOver,
            S::PlannedFailoverFailed,
            S::FailoverFailed,
            S::TestActive,
        ],
    }
}

/// The statuses `op` moves the group through (independent of where it starts).
pub fn transition_of(op: OperationType) -> Transition {
    let t = |running, ok, failed| Transition {
        while_running: Some(running),
        on_success: Some(ok),
        on_failure: Some(failed),
    };
    match op {
        O::PlannedFailover => t(S::FailingOver, S::Protected, S::PlannedFailoverFailed),
        O::Failover => t(S::FailingOver, S::FailedOver, S::FailoverFailed),
        O::Reprotect => t(S::Reprotecting, S::Protected, S::FailedOver),
        O::Failback => t(S::FailingBack, S::Protected, S::FailedOver),
        O::TestFailover => t(S::Testing, S::TestActive, S::Protected),
        O::TestCleanup => t(S::CleaningUp, S::Protected, S::TestActive),
        // Neither changes where the group runs or what it is: the status stays.
        O::SyncNow | O::Fence => Transition {
            while_running: None,
            on_success: None,
            on_failure: None,
        },
    }
}

/// May `op` start on a group in `state`? The answer names what would allow it.
pub fn check_transition(op: OperationType, state: &GroupState) -> Result<Transition, Rejection> {
    // The one way forward comes first: until it is taken, nothing else may start.
    if let Some(attention) = &state.attention {
        return Err(Rejection::NeedsAttention {
            operation: op,
            group: state.name.clone(),
            attention: Box::new(attention.clone()),
        });
    }
    let allowed = allowed_from(op);
    if !allowed.contains(&state.status) {
        return Err(Rejection::WrongStatus {
            operation: op,
            group: state.name.clone(),
            status: state.status,
            allowed: allowed.to_vec(),
        });
    }
    if let Some(pending) = &state.fence_pending
        && op != O::Fence
    {
        return Err(Rejection::FencePending {
            operation: op,
            group: state.name.clone(),
            site: pending.site.clone(),
            since_operation: pending.operation_id.clone(),
        });
    }
    if state.needs_resync && !matches!(op, O::SyncNow | O::Fence) {
        return Err(Rejection::NeedsResync {
            operation: op,
            group: state.name.clone(),
        });
    }
    Ok(transition_of(op))
}

/// Operations that change the group's state need both sites reachable, except a forced failover.
pub fn needs_both_sites(op: OperationType, force: bool) -> bool {
    !(op == O::Failover && force)
}

#[cfg(test)]
#[path = "state_machine_tests.rs"]
mod tests;
