//! The state machine's tables written out independently of the code, and its refusals.

use super::*;
use crate::domain::{FencePending, OperationStatus};

/// The table of ARCHITECTURE.md §4, written out independently of the code.
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
        msg.ends_with("needs protected, planned_failover_failed, failover_failed or test_active"),
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
