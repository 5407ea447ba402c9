//! The checklist's verdicts and words, table by table.

use super::*;
use crate::domain::{Attention, AttentionKind, SplitBrainFinding};
use chrono::TimeZone;

fn seen(bad: &[&str], of: usize) -> Observed<Listed> {
    Observed::Seen(Listed {
        bad: bad.iter().map(|s| s.to_string()).collect(),
        of,
    })
}

fn facts() -> Facts {
    let now = Utc.with_ymd_and_hms(2026, 11, 24, 10, 45, 0).unwrap();
    Facts {
        group: "web-app".into(),
        source: "site-a".into(),
        target: "site-b".into(),
        newest_arrival: Some(now - chrono::Duration::seconds(177)),
        now: Some(now),
        rpo_target_seconds: 300,
        members_found: 3,
        unreplicated_volumes: seen(&[], 3),
        unreplicable_types: seen(&[], 1),
        missing_networks: seen(&[], 1),
        missing_flavors: seen(&[], 1),
        split_brain: Observed::Seen(Vec::new()),
        replication: Observed::Seen(ReplicationHealth {
            running: true,
            ..Default::default()
        }),
        final_sync_timeout_seconds: 600,
        drill_networks: Observed::Seen(DrillNetworks {
            used: vec!["net-web-test".into()],
            production: Vec::new(),
        }),
        ..Default::default()
    }
}

fn find<'a>(checks: &'a [Check], label: &str) -> &'a Check {
    checks
        .iter()
        .find(|c| c.label == label)
        .unwrap_or_else(|| panic!("no check {label:?} in {checks:?}"))
}

fn stop() -> CheckOptions {
    CheckOptions {
        stop_servers: true,
        ..Default::default()
    }
}

#[test]
fn unplanned_failover_states_the_exact_data_loss_window() {
    let c = evaluate(OperationType::Failover, &facts(), CheckOptions::default());
    assert_eq!(
        find(&c, "data loss").reason,
        "writes after 10:42:03 UTC are lost (2 m 57 s now; target 5 m)"
    );
    assert_eq!(find(&c, "direction").reason, "site-a → site-b");
    assert!(passes(&c));
}

#[test]
fn a_dead_source_blocks_unless_forced_and_its_checks_say_they_did_not_look() {
    let mut f = facts();
    f.source_error = Some("connection refused".into());
    f.members_found = 0;
    f.unreplicated_volumes = Observed::NotChecked("site-a does not answer".into());
    let c = evaluate(OperationType::Failover, &f, CheckOptions::default());
    assert!(!passes(&c));
    assert!(
        find(&c, "source site reachable")
            .reason
            .contains("add --force")
    );
    let forced = CheckOptions {
        force: true,
        ..Default::default()
    };
    let c = evaluate(OperationType::Failover, &f, forced);
    assert!(passes(&c));
    assert_eq!(find(&c, "source site reachable").state, CheckState::Warn);
    for label in ["members found", "replication pairs"] {
        let ch = find(&c, label);
        assert_eq!(ch.state, CheckState::Warn, "{ch:?}");
        assert!(ch.reason.starts_with("not checked"), "{ch:?}");
    }
    let c = evaluate(OperationType::PlannedFailover, &f, forced);
    assert!(!passes(&c), "force is for unplanned failover only");
}

#[test]
fn planned_failover_needs_stopped_servers_or_the_stop_step() {
    let mut f = facts();
    f.running_servers = vec!["web-1".into()];
    let c = evaluate(OperationType::PlannedFailover, &f, CheckOptions::default());
    assert!(!passes(&c));
    let c = evaluate(OperationType::PlannedFailover, &f, stop());
    assert!(passes(&c));
    assert_eq!(find(&c, "production stopped").state, CheckState::Warn);
}

#[test]
fn a_check_that_found_nothing_to_check_says_so_and_is_never_ticked() {
    let mut f = facts();
    f.members_found = 0;
    f.missing_members = Vec::new();
    f.unreplicated_volumes = seen(&[], 0);
    f.missing_networks = Observed::NotChecked("site-b does not answer".into());
    let c = evaluate(OperationType::PlannedFailover, &f, CheckOptions::default());
    let stopped = find(&c, "production stopped");
    assert_eq!(stopped.state, CheckState::Warn);
    assert!(
        stopped.reason.contains("no member server was found"),
        "{stopped:?}"
    );
    assert_eq!(find(&c, "members found").state, CheckState::Warn);
    assert_eq!(find(&c, "replication pairs").state, CheckState::Warn);
    assert!(find(&c, "networks mapped").reason.contains("not checked"));
    assert!(
        c.iter()
            .all(|ch| !ch.reason.contains("every server is SHUTOFF"))
    );
}

#[test]
fn missing_mappings_and_pairs_block_with_the_names() {
    let mut f = facts();
    f.missing_networks = seen(&["net-web"], 1);
    f.unreplicated_volumes = seen(&["web-1-scratch"], 4);
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
        stop()
    )));
}

#[test]
fn split_brain_refuses_every_move_and_drill_and_names_the_fence() {
    let mut f = facts();
    f.split_brain = Observed::Seen(vec![SplitBrainFinding {
        instance: "web-1".into(),
        active_at: vec!["site-a".into(), "site-b".into()],
        shared_ips: Vec::new(),
    }]);
    for op in OperationType::ALL {
        let c = evaluate(op, &f, stop());
        if op == OperationType::Fence {
            assert!(passes(&c), "{c:?}");
            continue;
        }
        let ch = find(&c, "split-brain");
        let expected = match op {
            OperationType::TestCleanup | OperationType::SyncNow => CheckState::Warn,
            _ => CheckState::Fail,
        };
        assert_eq!(ch.state, expected, "{op}");
        assert!(
            ch.reason.contains("web-1 is ACTIVE at site-a and site-b")
                && ch.reason.contains("drconsole fence web-app"),
            "{ch:?}"
        );
    }
}

#[test]
fn to_another_site_is_refused_naming_the_only_direction() {
    let mut f = facts();
    f.requested_target = Some("site-a".into());
    let c = evaluate(OperationType::PlannedFailover, &f, stop());
    assert!(!passes(&c));
    assert!(
        find(&c, "direction")
            .reason
            .contains("can only go to site-b (site-a → site-b)")
    );
    f.requested_target = Some("site-b".into());
    assert!(passes(&evaluate(
        OperationType::PlannedFailover,
        &f,
        stop()
    )));
}

fn attention(kind: AttentionKind) -> Attention {
    Attention {
        operation_id: "0badc0de-1111".into(),
        kind,
        reason: "(planned failover) failed past its point of no return (swap_primary): what it \
                 did stands"
            .into(),
        source: "site-a".into(),
        target: "site-b".into(),
        leftovers: Vec::new(),
    }
}

#[test]
fn a_move_failed_past_its_point_of_no_return_points_to_its_retry_first_and_once() {
    let mut f = facts();
    f.source = "site-b".into();
    f.target = "site-a".into();
    f.attention = Some(attention(AttentionKind::PastPointOfNoReturn));
    for op in [
        OperationType::PlannedFailover,
        OperationType::Failover,
        OperationType::Failback,
        OperationType::TestFailover,
        OperationType::Fence,
    ] {
        let c = evaluate(op, &f, stop());
        assert!(!passes(&c));
        let ch = &c[0];
        assert_eq!(
            (ch.label.as_str(), ch.state),
            ("last operation", CheckState::Fail)
        );
        assert!(
            ch.reason
                .contains("drconsole ops retry 0badc0de` (continues site-a → site-b)")
                && ch
                    .reason
                    .contains("a new operation would run site-b → site-a"),
            "{ch:?}"
        );
        assert_eq!(
            c.iter().filter(|c| c.label == "last operation").count(),
            1,
            "once"
        );
    }
}

#[test]
fn leftovers_of_a_failed_rollback_block_naming_them_and_the_cleanup() {
    let mut f = facts();
    let mut a = attention(AttentionKind::RollbackFailed);
    a.reason = "could not be rolled back: 1 step not undone".into();
    a.leftovers = vec![crate::domain::Resource::new(
        "site-b",
        crate::domain::ResourceKind::Server,
        "x",
        "web-1",
    )];
    f.attention = Some(a);
    let c = evaluate(OperationType::PlannedFailover, &f, stop());
    assert!(!passes(&c));
    assert_eq!(c[0].label, "last operation", "read first");
    assert!(
        c[0].reason.contains("ops cleanup 0badc0de"),
        "{}",
        c[0].reason
    );
    assert!(
        c[0].reason.contains("1 server at site-b"),
        "{}",
        c[0].reason
    );
}

#[test]
fn stalled_replication_refuses_a_planned_move_and_the_deadline_is_shown() {
    let mut f = facts();
    f.replication = Observed::Seen(ReplicationHealth {
        running: true,
        in_flight: 3,
        progressing: false,
        oldest_in_flight_seconds: Some(190),
    });
    let c = evaluate(OperationType::PlannedFailover, &f, stop());
    let ch = find(&c, "replication health");
    assert_eq!(ch.state, CheckState::Fail);
    assert!(
        ch.reason.contains("stalled") && ch.reason.contains("3 m 10 s"),
        "{ch:?}"
    );
    assert_eq!(
        find(&c, "final sync deadline").reason,
        "the final sync must finish within 10 m; else the operation fails, rolls back and \
         restarts production at site-a"
    );
    f.replication = Observed::Seen(ReplicationHealth {
        running: true,
        in_flight: 1,
        progressing: true,
        oldest_in_flight_seconds: Some(2),
    });
    assert!(passes(&evaluate(
        OperationType::PlannedFailover,
        &f,
        stop()
    )));
    f.replication = Observed::Seen(ReplicationHealth::default());
    assert!(!passes(&evaluate(
        OperationType::PlannedFailover,
        &f,
        stop()
    )));
    assert!(passes(&evaluate(OperationType::Failback, &f, stop())));
}

#[test]
fn a_drill_on_a_production_network_is_refused_unless_asked_for() {
    let mut f = facts();
    let c = evaluate(OperationType::TestFailover, &f, CheckOptions::default());
    assert_eq!(
        find(&c, "drill networks").reason,
        "isolated: net-web-test at site-b"
    );
    f.drill_networks = Observed::Seen(DrillNetworks {
        used: vec!["net-web".into()],
        production: vec!["net-web".into()],
    });
    let c = evaluate(OperationType::TestFailover, &f, CheckOptions::default());
    assert!(!passes(&c));
    assert!(
        find(&c, "drill networks")
            .reason
            .contains("--allow-production-network")
    );
    let allowed = CheckOptions {
        allow_production_network: true,
        ..Default::default()
    };
    let c = evaluate(OperationType::TestFailover, &f, allowed);
    assert!(passes(&c));
    assert_eq!(find(&c, "drill networks").state, CheckState::Warn);
}

#[test]
fn a_fence_needs_only_the_side_it_stops() {
    let mut f = facts();
    f.source_error = Some("connection refused".into());
    let c = evaluate(OperationType::Fence, &f, CheckOptions::default());
    assert!(passes(&c), "{c:?}");
    f.target_error = Some("connection reset".into());
    let c = evaluate(OperationType::Fence, &f, CheckOptions::default());
    assert!(!passes(&c));
    assert!(
        find(&c, "site to fence reachable")
            .reason
            .contains("by itself")
    );
}
