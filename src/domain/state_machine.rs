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
mod tests {
    use super::*;
    use crate::domain::{FencePending, OperationStatus};

    /// The table of ARCHITECTURE.md §4, written out independently of the code above.
    const TABLE: &[(OperationType, &[GroupStatus])] = &[
        (
            O::PlannedFailover,
            &[S::Protected, S::PlannedFailoverFailed],
        ),
        (
            O::Failover,
            &[
                S::Protected,
                S::PlannedFailoverFailed,
                S::FailoverFailed,
                S::TestActive,
            ],
        ),
        (O::Reprotect, &[S::FailedOver]),
        (O::Failback, &[S::FailedOver]),
        (O::TestFailover, &[S::Protected]),
        (O::TestCleanup, &[S::TestActive]),
        (O::SyncNow, &[S::Protected, S::FailedOver, S::TestActive]),
        (
            O::Fence,
            &[
                S::Protected,
                S::FailedOver,
                S::PlannedFailoverFailed,
                S::FailoverFailed,
                S::TestActive,
            ],
        ),
    ];

    fn state(status: GroupStatus) -> GroupState {
        GroupState {
            status,
            ..GroupState::initial("web-app", "site-a")
        }
    }

    #[test]
    fn every_operation_against_every_status() {
        for (op, allowed) in TABLE {
            for status in GroupStatus::ALL {
                let got = check_transition(*op, &state(status));
                if allowed.contains(&status) {
                    assert!(got.is_ok(), "{op} from {status} should be allowed: {got:?}");
                } else {
                    let msg = got.expect_err("must be rejected").to_string();
                    assert!(msg.contains(&format!("its status is {status}")), "{msg}");
                    for a in *allowed {
                        assert!(msg.contains(a.as_str()), "{msg} should name {a}");
                    }
                }
            }
        }
    }

    #[test]
    fn outcomes_follow_the_table() {
        let cases = [
            (
                O::PlannedFailover,
                S::FailingOver,
                S::Protected,
                S::PlannedFailoverFailed,
            ),
            (
                O::Failover,
                S::FailingOver,
                S::FailedOver,
                S::FailoverFailed,
            ),
            (O::Reprotect, S::Reprotecting, S::Protected, S::FailedOver),
            (O::Failback, S::FailingBack, S::Protected, S::FailedOver),
            (O::TestFailover, S::Testing, S::TestActive, S::Protected),
            (O::TestCleanup, S::CleaningUp, S::Protected, S::TestActive),
        ];
        for (op, running, ok, failed) in cases {
            let t = transition_of(op);
            assert_eq!(
                (t.while_running, t.on_success, t.on_failure),
                (Some(running), Some(ok), Some(failed)),
                "{op}"
            );
        }
        for op in [O::SyncNow, O::Fence] {
            let t = transition_of(op);
            assert_eq!(
                (t.while_running, t.on_success, t.on_failure),
                (None, None, None),
                "{op}"
            );
        }
    }

    #[test]
    fn rejection_reads_well() {
        let msg = check_transition(O::Failback, &state(S::Protected))
            .expect_err("rejected")
            .to_string();
        assert_eq!(
            msg,
            "cannot run failback on web-app: its status is protected; failback needs failed_over"
        );
        let msg = check_transition(O::Failover, &state(S::FailedOver))
            .expect_err("rejected")
            .to_string();
        assert!(
            msg.ends_with(
                "needs protected, planned_failover_failed, failover_failed or test_active"
            ),
            "{msg}"
        );
    }

    #[test]
    fn a_group_that_needs_attention_refuses_everything_naming_the_way_out() {
        let mut st = state(S::PlannedFailoverFailed);
        st.attention = Some(super::super::Attention {
            operation_id: "0123456789abcdef".into(),
            kind: super::super::AttentionKind::PastPointOfNoReturn,
            reason: "failed past its point of no return (swap_primary)".into(),
            source: "site-a".into(),
            target: "site-b".into(),
            leftovers: Vec::new(),
        });
        for op in OperationType::ALL {
            let msg = check_transition(op, &st).expect_err("refused").to_string();
            assert!(
                msg.contains("drconsole ops retry 01234567") && msg.contains("site-a → site-b"),
                "{msg}"
            );
        }
    }

    #[test]
    fn a_forced_failover_blocks_everything_but_sync() {
        let mut st = state(S::FailedOver);
        st.needs_resync = true;
        assert!(matches!(
            check_transition(O::Reprotect, &st),
            Err(Rejection::NeedsResync { .. })
        ));
        assert!(check_transition(O::SyncNow, &st).is_ok());
        assert!(check_transition(O::Fence, &st).is_ok());
        assert!(needs_both_sites(O::PlannedFailover, true));
        assert!(!needs_both_sites(O::Failover, true));
    }

    #[test]
    fn a_pending_fence_refuses_everything_but_the_fence_and_says_how() {
        // From every status the fence may start from: only the fence is let through.
        for status in GroupStatus::ALL {
            let mut st = state(status);
            st.needs_resync = true;
            st.fence_pending = Some(FencePending {
                site: "site-a".into(),
                operation_id: "0badc0de".into(),
                since: chrono::Utc::now(),
            });
            for op in OperationType::ALL {
                let got = check_transition(op, &st);
                if !allowed_from(op).contains(&status) {
                    assert!(
                        matches!(got, Err(Rejection::WrongStatus { .. })),
                        "{op} {status}"
                    );
                    continue;
                }
                if op == O::Fence {
                    assert!(got.is_ok(), "{got:?}");
                    continue;
                }
                let msg = got.expect_err("refused").to_string();
                assert!(
                    msg.contains("drconsole fence web-app") && msg.contains("site-a"),
                    "{msg}"
                );
            }
        }
    }

    /// An operation's own statuses, written out: its wire name, whether anything still runs
    /// it, and whether it ended without doing its job (what `ops retry` and `ops rollback`
    /// take).
    const OPERATION_STATUSES: &[(OperationStatus, &str, bool, bool)] = &[
        (OperationStatus::Pending, "pending", false, false),
        (OperationStatus::Running, "running", false, false),
        (OperationStatus::RollingBack, "rolling_back", false, false),
        (OperationStatus::Completed, "completed", true, false),
        (OperationStatus::Failed, "failed", true, true),
        (OperationStatus::Cancelled, "cancelled", true, true),
        (
            OperationStatus::RollbackFailed,
            "rollback_failed",
            true,
            true,
        ),
    ];

    #[test]
    fn operation_statuses_follow_the_table() {
        assert_eq!(OPERATION_STATUSES.len(), OperationStatus::ALL.len());
        for (status, name, finished, unsuccessful) in OPERATION_STATUSES {
            assert_eq!(status.as_str(), *name);
            assert_eq!(status.is_finished(), *finished, "{name}");
            assert_eq!(status.is_unsuccessful(), *unsuccessful, "{name}");
            let wire = serde_json::to_value(status).expect("serialises");
            assert_eq!(wire, serde_json::json!(name));
        }
    }

    /// A drill does not hold a real outage back: from test_active an unplanned failover and a
    /// sync start (the sync leaves the drill active), a planned one and a failback do not.
    #[test]
    fn a_drill_gives_way_to_an_unplanned_failover_and_a_sync() {
        let st = state(S::TestActive);
        let failover = check_transition(O::Failover, &st).expect("accepted");
        assert_eq!(failover.on_success, Some(S::FailedOver));
        let sync = check_transition(O::SyncNow, &st).expect("accepted");
        assert_eq!(sync.on_success, None, "the drill stays active");
        for op in [
            O::PlannedFailover,
            O::Failback,
            O::Reprotect,
            O::TestFailover,
        ] {
            assert!(check_transition(op, &st).is_err(), "{op}");
        }
    }
}
