//! The checklist's verdicts, table by table.

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
fn an_earlier_operation_needing_attention_blocks_naming_it() {
    let mut f = facts();
    f.attention = Some(
        "operation 0123abcd could not be rolled back; left behind (1): \
                        server web-1 (x) at site-b; run `drconsole ops cleanup 0123abcd`"
            .into(),
    );
    let c = evaluate(OperationType::PlannedFailover, &f, CheckOptions::default());
    assert!(!passes(&c));
    assert_eq!(c[0].label, "earlier operation", "read first");
    assert!(
        c[0].reason.contains("ops cleanup 0123abcd"),
        "{}",
        c[0].reason
    );
    assert!(c[0].reason.contains("server web-1"), "{}", c[0].reason);
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
