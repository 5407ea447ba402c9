//! Fencing against the lab over HTTP, counted at both sites with the real providers: a member
//! started at the source before the recovery point stops a planned failover before anything is
//! made at the target; an unplanned failover with both sites up leaves nothing ACTIVE at both; a
//! forced one with the source down leaves the group fence_pending until `drconsole fence` (or
//! the console's refresh, by itself) stops the old copies once that side answers.

mod common;

use common::{lab, record, req, run, site_down, wait_for};
use drconsole::domain::{GroupStatus, OperationStatus, OperationType as Op};
use drconsole::orchestrator::EventKind;
use serde_json::json;
use std::time::Duration;

/// Stop every member of `prefix` at `site` and wait until all are SHUTOFF.
async fn stop_all(lab: &common::Lab, site: &str, prefix: &str) {
    let compute = lab.client(site).compute();
    for s in compute.list_servers().await.expect("servers") {
        if s.name.starts_with(prefix) && s.status == "ACTIVE" {
            compute.stop(&s.id).await.expect("stop");
        }
    }
    wait_for("every member SHUTOFF", Duration::from_secs(30), || async {
        let list = lab.statuses(site, prefix).await;
        list.iter().all(|s| s.ends_with("SHUTOFF")).then_some(())
    })
    .await;
}

#[tokio::test]
async fn a_member_started_before_the_recovery_point_stops_the_failover_before_anything_is_made() {
    let lab = lab().await;
    let engine = lab.engine();
    // Production stopped by the operator (failover --no-stop-servers): the checklist passes.
    stop_all(&lab, "site-a", "web-").await;
    let before_b = lab.inventory("site-b").await;
    let web1 = lab
        .client("site-a")
        .compute()
        .find_servers_by_name("web-1")
        .await
        .expect("find")
        .remove(0);
    // A slow target: validation takes a while, so the start below lands before verify_fenced.
    lab.fault("site-b", json!({"kind": "latency", "latency_ms": 300}))
        .await;
    let mut events = engine.events().subscribe();
    let mut planned = req(Op::PlannedFailover, "web-app");
    planned.stop_servers = false;
    let started = engine.start(planned).await.expect("checks pass");
    loop {
        let ev = events.recv().await.expect("event");
        if matches!(&ev.kind, EventKind::StepStarted { step, .. } if step == "validate_sites") {
            break;
        }
    }
    // Someone starts web-1 again at the source after production was stopped.
    lab.client("site-a")
        .compute()
        .start(&web1.id)
        .await
        .expect("start");
    engine.wait_local(&started.id).await;
    lab.clear_faults("site-b").await;

    let rec = record(&lab, &started.id).await;
    assert_eq!(rec.status, OperationStatus::Failed);
    let msg = rec.error_message.clone().unwrap_or_default();
    assert!(
        msg.contains("verify_fenced") && msg.contains("web-1") && msg.contains("site-a"),
        "names the server that runs: {msg}"
    );
    assert_eq!(rec.result_data.data_loss_seconds, None, "no 0 s claim");
    assert!(!rec.steps_completed.iter().any(|s| s == "final_sync"));
    assert_eq!(
        lab.inventory("site-b").await,
        before_b,
        "nothing was made at the target"
    );
    assert_eq!(lab.server_names("site-b").await, Vec::<String>::new());
    assert_eq!(
        engine
            .group_state("web-app")
            .await
            .expect("s")
            .current_primary,
        "site-a"
    );
}

#[tokio::test]
async fn an_unplanned_failover_with_both_sites_up_leaves_no_member_active_at_both() {
    let lab = lab().await;
    let out = lab
        .cli_exits(
            0,
            &["failover", "db-cluster", "--unplanned", "--yes", "--wait"],
        )
        .await;
    assert!(
        out.all().contains("site-a → site-b"),
        "names its direction: {}",
        out.all()
    );
    assert_eq!(
        lab.statuses("site-b", "db-").await,
        ["db-1 ACTIVE", "db-2 ACTIVE"]
    );
    assert_eq!(
        lab.statuses("site-a", "db-").await,
        ["db-1 SHUTOFF", "db-2 SHUTOFF"],
        "the source was fenced first"
    );
    assert!(lab.active_at_both("db-").await.is_empty());
    let status = lab.cli(&["status", "--json"]).await.json();
    let group = status["protection_groups"]
        .as_array()
        .expect("groups")
        .iter()
        .find(|g| g["name"] == "db-cluster")
        .expect("db-cluster")
        .clone();
    assert_eq!(group["split_brain"], json!([]), "{group}");
    assert_eq!(group["fence_pending"], json!(null), "{group}");
}

#[tokio::test]
async fn a_forced_failover_leaves_the_group_fence_pending_until_drconsole_fence_stops_the_old_copies()
 {
    let lab = lab().await;
    // Learn the inventory while production is up (the console does it on every refresh).
    lab.cli_exits(0, &["check", "failover", "web-app"]).await;
    lab.fault("site-a", site_down()).await;
    lab.cli_exits(
        0,
        &[
            "failover",
            "web-app",
            "--unplanned",
            "--force",
            "--yes",
            "--wait",
        ],
    )
    .await;
    assert_eq!(
        lab.statuses("site-b", "web-").await,
        ["web-1 ACTIVE", "web-2 ACTIVE", "web-3 ACTIVE"]
    );

    let status = lab.cli(&["status", "--json"]).await.json();
    let web = &status["protection_groups"][0];
    assert_eq!(web["name"], "web-app");
    assert_eq!(web["status"], "failed_over");
    assert_eq!(web["fence_pending"]["site"], "site-a", "{web}");
    let text = lab.cli(&["status"]).await.stdout;
    assert!(
        text.contains("⚠ fence_pending") && text.contains("FENCE PENDING web-app"),
        "{text}"
    );
    assert!(text.contains("drconsole fence web-app"), "{text}");
    let check = lab.cli_exits(2, &["check", "sync-now", "web-app"]).await;
    assert!(
        check.all().contains("has not been fenced") && check.all().contains("drconsole fence"),
        "{}",
        check.all()
    );

    // The old side answers again: its copies still run — a split-brain, said everywhere.
    lab.clear_faults("site-a").await;
    assert_eq!(
        lab.active_at_both("web-").await,
        ["web-1", "web-2", "web-3"]
    );
    let status = lab.cli(&["status", "--json"]).await.json();
    let found = status["protection_groups"][0]["split_brain"]
        .as_array()
        .expect("split_brain")
        .len();
    assert_eq!(found, 3, "{status}");

    lab.cli_exits(0, &["fence", "web-app", "--yes", "--wait"])
        .await;
    assert_eq!(
        lab.statuses("site-a", "web-").await,
        ["web-1 SHUTOFF", "web-2 SHUTOFF", "web-3 SHUTOFF"]
    );
    assert_eq!(
        lab.statuses("site-b", "web-").await,
        ["web-1 ACTIVE", "web-2 ACTIVE", "web-3 ACTIVE"],
        "the primary's copies run on"
    );
    let targets = lab
        .client("site-a")
        .array()
        .pg_targets("web-app-pg")
        .await
        .expect("targets");
    assert!(
        targets.is_empty(),
        "site-a no longer replicates: {targets:?}"
    );
    let state = lab
        .cli_engine()
        .group_state("web-app")
        .await
        .expect("state");
    assert_eq!(state.fence_pending, None);
    assert_eq!(state.status, GroupStatus::FailedOver);
    let status = lab.cli(&["status", "--json"]).await.json();
    assert_eq!(status["protection_groups"][0]["split_brain"], json!([]));
}

#[tokio::test]
async fn the_pending_fence_runs_by_itself_at_the_consoles_refresh_once_the_old_side_answers() {
    let lab = lab().await;
    let engine = lab.engine();
    assert!(engine.check(&req(Op::Failover, "db-cluster")).await.is_ok());
    lab.fault("site-a", site_down()).await;
    let mut forced = req(Op::Failover, "db-cluster");
    forced.force = true;
    let rec = run(&engine, forced).await.expect("starts");
    assert_eq!(
        rec.status,
        OperationStatus::Completed,
        "{:?}",
        rec.error_message
    );
    let pending = engine
        .group_state("db-cluster")
        .await
        .expect("state")
        .fence_pending
        .expect("fence pending");
    assert_eq!(
        (pending.site.as_str(), pending.operation_id),
        ("site-a", rec.id)
    );

    // While site-a stays down, a refresh starts nothing.
    let estate = engine.refresh().await.expect("refresh");
    assert_eq!(
        estate.group("db-cluster").expect("g").status_word(),
        "fence_pending"
    );
    assert!(engine.running_ids().is_empty());

    lab.clear_faults("site-a").await;
    engine.refresh().await.expect("refresh");
    engine.wait_all_local().await;
    assert_eq!(
        lab.statuses("site-a", "db-").await,
        ["db-1 SHUTOFF", "db-2 SHUTOFF"]
    );
    assert!(lab.active_at_both("db-").await.is_empty());
    let state = engine.group_state("db-cluster").await.expect("state");
    assert_eq!(state.fence_pending, None);
    let fences: Vec<_> = lab
        .store()
        .list_operations(10, Some("db-cluster"))
        .await
        .expect("ops")
        .into_iter()
        .filter(|o| o.operation_type == Op::Fence)
        .collect();
    assert_eq!(fences.len(), 1, "one fence, started by itself");
    assert_eq!(fences[0].status, OperationStatus::Completed);
    assert_eq!(fences[0].direction(), "stops site-a (primary site-b)");
}
