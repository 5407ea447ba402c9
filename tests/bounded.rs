//! Bounded waits and safe retries against the lab: stalled replication is refused by `check`; a
//! stall after the check passed ends the planned failover at the final sync's deadline, rolled
//! back with production running again at the source; a 20 % error rate on compute, and creates
//! whose answers are lost, complete with exactly one server, port and volume per member.

mod common;

use common::{lab, lab_with, record, req, run, wait_for};
use drconsole::domain::{CheckState, GroupStatus, OperationStatus, OperationType as Op};
use drconsole::orchestrator::EventKind;
use serde_json::json;
use std::time::Duration;

#[tokio::test]
async fn stalled_replication_is_refused_by_check() {
    let lab = lab().await;
    let engine = lab.engine();
    let planned = req(Op::PlannedFailover, "web-app");
    let health = |checks: &[drconsole::domain::Check]| {
        checks
            .iter()
            .find(|c| c.label == "replication health")
            .cloned()
            .expect("replication health is checked")
    };
    let ok = health(&engine.check(&planned).await.expect("check"));
    assert_ne!(ok.state, CheckState::Fail, "{ok:?}");

    lab.fault("site-a", json!({"kind": "replication_stalled"}))
        .await;
    // The next scheduled snapshot is stuck on its way: check sees it not move.
    let refused = wait_for("check to refuse", Duration::from_secs(30), || async {
        let c = health(&engine.check(&planned).await.expect("check"));
        (c.state == CheckState::Fail).then_some(c)
    })
    .await;
    assert!(
        refused.reason.contains("stalled") && refused.reason.contains("final sync cannot finish"),
        "{refused:?}"
    );
    let err = engine.start(planned).await.expect_err("refused");
    assert!(err.to_string().contains("stalled"), "{err}");

    let out = lab
        .cli_exits(2, &["check", "planned-failover", "web-app"])
        .await;
    assert!(
        out.stdout.contains("✗ replication health") && out.stdout.contains("stalled"),
        "{}",
        out.all()
    );
    assert!(
        out.stdout
            .contains("final sync deadline: the final sync must finish within 10 m"),
        "the deadline is in the checklist: {}",
        out.all()
    );
    assert_eq!(
        lab.statuses("site-a", "web-").await,
        ["web-1 ACTIVE", "web-2 ACTIVE", "web-3 ACTIVE"],
        "production untouched"
    );
}

#[tokio::test]
async fn a_stall_after_the_check_ends_the_failover_at_its_deadline_with_production_running() {
    // Real transfers take 0.4 s here: the stall lands before the final sync's snapshot arrives.
    let mut lab = lab_with(|o| o.time_speed = 10.0).await;
    lab.config.operations.final_sync_timeout = Duration::from_secs(3);
    let engine = lab.engine();
    let before_b = lab.inventory("site-b").await;
    let mut events = engine.events().subscribe();
    let started = engine
        .start(req(Op::PlannedFailover, "web-app"))
        .await
        .expect("the check passes");
    loop {
        let ev = events.recv().await.expect("event");
        if matches!(&ev.kind, EventKind::StepSucceeded { step, .. } if step == "stop_source_servers")
        {
            break;
        }
    }
    lab.fault("site-a", json!({"kind": "replication_stalled"}))
        .await;
    tokio::time::timeout(Duration::from_secs(60), engine.wait_local(&started.id))
        .await
        .expect("the run ends at its deadline, not after 30 minutes × 3");
    let rec = record(&lab, &started.id).await;
    assert_eq!(rec.status, OperationStatus::Failed);
    let msg = rec.error_message.clone().unwrap_or_default();
    assert!(
        msg.contains("final_sync") && msg.contains("timed out after 3 s"),
        "{msg}"
    );
    assert_eq!(rec.result_data.data_loss_seconds, None);
    assert_eq!(rec.result_data.instances_created, 0, "nothing stands");
    let steps = lab.store().steps(&started.id).await.expect("steps");
    let sync = steps
        .iter()
        .find(|s| s.step_id == "final_sync")
        .expect("final_sync journaled");
    assert_eq!(sync.attempt, 1, "never retried past its deadline");
    lab.clear_faults("site-a").await;
    wait_for(
        "production running again",
        Duration::from_secs(30),
        || async {
            let now = lab.statuses("site-a", "web-").await;
            (now == ["web-1 ACTIVE", "web-2 ACTIVE", "web-3 ACTIVE"]).then_some(())
        },
    )
    .await;
    assert_eq!(
        lab.inventory("site-b").await,
        before_b,
        "nothing left behind"
    );
    let state = engine.group_state("web-app").await.expect("state");
    assert_eq!(
        (state.status, state.current_primary.as_str()),
        (GroupStatus::PlannedFailoverFailed, "site-a")
    );
}

/// Exactly one server, one port and the volumes of each member at the target.
async fn one_of_each(lab: &common::Lab) {
    let b = lab.names("site-b").await;
    assert_eq!(
        b.servers,
        ["web-1", "web-2", "web-3"],
        "no duplicate server"
    );
    assert_eq!(
        b.ports,
        ["web-1-net-web", "web-2-net-web", "web-3-net-web"],
        "no duplicate port"
    );
    assert_eq!(
        b.volumes,
        ["web-1-boot", "web-2-boot", "web-3-boot"],
        "no duplicate volume"
    );
}

#[tokio::test]
async fn a_failover_under_a_20_percent_error_rate_on_compute_completes_without_duplicates() {
    let mut lab = lab().await;
    // Every GET gets five tries: at 20 % a failed look is as rare as in production.
    lab.config.http.max_attempts = 5;
    let engine = lab.engine();
    for site in ["site-a", "site-b"] {
        let fault = json!({"kind": "error_rate", "service": "compute", "rate": 0.2});
        lab.fault(site, fault).await;
    }
    let rec = run(&engine, req(Op::PlannedFailover, "web-app"))
        .await
        .expect("starts");
    assert_eq!(
        rec.status,
        OperationStatus::Completed,
        "{:?}",
        rec.error_message
    );
    for site in ["site-a", "site-b"] {
        lab.clear_faults(site).await;
    }
    one_of_each(&lab).await;
    assert_eq!(lab.servers_named("site-a", "web-").await, 0);
}

#[tokio::test]
async fn creates_whose_answers_are_lost_are_found_and_never_duplicated() {
    let lab = lab().await;
    let engine = lab.engine();
    // Each create is served, then its answer lost: POST /servers, POST /ports, manage volume.
    for service in ["compute", "network", "volume"] {
        let fault = json!({"kind": "error_rate", "service": service, "method": "POST",
            "count": 3, "answer_lost": true});
        lab.fault("site-b", fault).await;
    }
    let rec = run(&engine, req(Op::PlannedFailover, "web-app"))
        .await
        .expect("starts");
    assert_eq!(
        rec.status,
        OperationStatus::Completed,
        "{:?}",
        rec.error_message
    );
    let left = lab.status("site-b").await["faults"].clone();
    assert_eq!(left, json!([]), "every lost answer was used up");
    one_of_each(&lab).await;
    assert_eq!(
        lab.count("site-b", "compute", "POST").await,
        3,
        "each lost create was found, not sent again"
    );
}
