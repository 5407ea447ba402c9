//! The orchestrator's acceptance against the lab over HTTP: every operation end to end and every
//! transition of the state machine, failing boots that roll back leaving nothing behind, a site
//! lost mid-operation, a forced failover while production is down, a drill whose cleanup restores
//! the DR site resource by resource, and two consoles racing for one group.

mod common;

use common::{lab, record, req, run, site_down, status_of};
use drconsole::domain::{GroupStatus, OperationStatus, OperationType as Op};
use drconsole::orchestrator::EventKind;
use drconsole::orchestrator::engine::EngineError;
use serde_json::json;

#[tokio::test]
async fn planned_failover_moves_web_app_to_site_b_without_data_loss() {
    let lab = lab().await;
    let engine = lab.engine();
    let rec = run(&engine, req(Op::PlannedFailover, "web-app"))
        .await
        .expect("starts");
    assert_eq!(
        rec.status,
        OperationStatus::Completed,
        "{:?}",
        rec.error_message
    );
    assert_eq!(rec.progress, 100);
    assert_eq!(rec.result_data.data_loss_seconds, Some(0));
    assert_eq!(rec.result_data.instances_created, 3);
    assert_eq!(rec.result_data.volumes_managed, 3);
    assert_eq!(
        rec.result_data.current_primary_site.as_deref(),
        Some("site-b")
    );
    let state = engine.group_state("web-app").await.expect("state");
    assert_eq!(
        (state.status, state.current_primary.as_str()),
        (GroupStatus::Protected, "site-b")
    );
    let at_b = lab.server_names("site-b").await;
    assert_eq!(at_b, ["web-1", "web-2", "web-3"]);
    assert_eq!(lab.servers_named("site-a", "web-").await, 0);

    // Failback needs failed_over: rejected with the reason.
    let err = engine
        .start(req(Op::Failback, "web-app"))
        .await
        .expect_err("rejected");
    assert!(
        matches!(&err, EngineError::Rejected(m) if m.contains("protected") && m.contains("failed_over")),
        "{err}"
    );

    // Replication now runs site-b → site-a; a second switchover brings it home.
    let estate = engine.estate().await.expect("estate");
    assert_eq!(
        estate.group("web-app").expect("g").direction,
        "site-b ⇢ site-a"
    );
    let back = run(&engine, req(Op::PlannedFailover, "web-app"))
        .await
        .expect("starts");
    assert_eq!(
        back.status,
        OperationStatus::Completed,
        "{:?}",
        back.error_message
    );
    assert_eq!(
        engine
            .group_state("web-app")
            .await
            .expect("s")
            .current_primary,
        "site-a"
    );
    assert_eq!(lab.servers_named("site-a", "web-").await, 3);
}

#[tokio::test]
async fn unplanned_failover_then_reprotect_then_failback_walk_the_state_machine() {
    let lab = lab().await;
    let engine = lab.engine();
    let rec = run(&engine, req(Op::Failover, "db-cluster"))
        .await
        .expect("starts");
    assert_eq!(
        rec.status,
        OperationStatus::Completed,
        "{:?}",
        rec.error_message
    );
    assert!(rec.result_data.data_loss_seconds.is_some());
    assert_eq!(
        status_of(&engine, "db-cluster").await,
        GroupStatus::FailedOver
    );
    // Nothing but reprotect, failback or sync may run now.
    let err = engine
        .start(req(Op::TestFailover, "db-cluster"))
        .await
        .expect_err("no");
    assert!(err.to_string().contains("failed_over"), "{err}");

    let sync = run(&engine, req(Op::SyncNow, "db-cluster"))
        .await
        .expect("sync");
    assert_eq!(
        sync.status,
        OperationStatus::Completed,
        "{:?}",
        sync.error_message
    );
    assert_eq!(
        status_of(&engine, "db-cluster").await,
        GroupStatus::FailedOver
    );

    let re = run(&engine, req(Op::Reprotect, "db-cluster"))
        .await
        .expect("reprotect");
    assert_eq!(
        re.status,
        OperationStatus::Completed,
        "{:?}",
        re.error_message
    );
    let state = engine.group_state("db-cluster").await.expect("state");
    assert_eq!(
        (state.status, state.current_primary.as_str()),
        (GroupStatus::Protected, "site-b")
    );
    assert_eq!(lab.servers_named("site-a", "db-").await, 0);

    // Batch: unplanned failover and failback to the original primary.
    let fo = run(&engine, req(Op::Failover, "batch"))
        .await
        .expect("failover");
    assert_eq!(
        fo.status,
        OperationStatus::Completed,
        "{:?}",
        fo.error_message
    );
    let fb = run(&engine, req(Op::Failback, "batch"))
        .await
        .expect("failback");
    assert_eq!(
        fb.status,
        OperationStatus::Completed,
        "{:?}",
        fb.error_message
    );
    let state = engine.group_state("batch").await.expect("state");
    assert_eq!(
        (state.status, state.current_primary.as_str()),
        (GroupStatus::Protected, "site-a")
    );
    assert_eq!(lab.servers_named("site-a", "batch-").await, 5);
    assert_eq!(lab.servers_named("site-b", "batch-").await, 0);
}

#[tokio::test]
async fn a_failing_boot_rolls_back_and_leaves_nothing_behind() {
    let lab = lab().await;
    let engine = lab.engine();
    let before_b = lab.inventory("site-b").await;
    lab.fault("site-b", json!({"kind": "boot_failure", "server": "web-2"}))
        .await;
    let rec = run(&engine, req(Op::PlannedFailover, "web-app"))
        .await
        .expect("starts");
    assert_eq!(rec.status, OperationStatus::Failed);
    let msg = rec.error_message.clone().unwrap_or_default();
    assert!(msg.contains("web-2") && msg.contains("boot"), "{msg}");
    assert!(!rec.steps_failed.is_empty());
    assert_eq!(
        status_of(&engine, "web-app").await,
        GroupStatus::PlannedFailoverFailed
    );
    assert_eq!(
        lab.inventory("site-b").await,
        before_b,
        "site-b exactly as before"
    );
    // The production servers that were stopped for the failover run again.
    let a = lab
        .client("site-a")
        .compute()
        .list_servers()
        .await
        .expect("servers");
    assert!(
        a.iter()
            .filter(|s| s.name.starts_with("web-"))
            .all(|s| s.status == "ACTIVE")
    );

    // planned_failover_failed allows another try; without the fault it completes.
    lab.clear_faults("site-b").await;
    let again = run(&engine, req(Op::PlannedFailover, "web-app"))
        .await
        .expect("retry");
    assert_eq!(
        again.status,
        OperationStatus::Completed,
        "{:?}",
        again.error_message
    );
}

#[tokio::test]
async fn an_unplanned_failover_that_fails_leaves_the_group_failover_failed() {
    let lab = lab().await;
    let engine = lab.engine();
    lab.fault(
        "site-b",
        json!({"kind": "boot_failure", "server": "batch-3"}),
    )
    .await;
    let rec = run(&engine, req(Op::Failover, "batch"))
        .await
        .expect("starts");
    assert_eq!(rec.status, OperationStatus::Failed);
    assert_eq!(
        status_of(&engine, "batch").await,
        GroupStatus::FailoverFailed
    );
    lab.clear_faults("site-b").await;
    let again = run(&engine, req(Op::Failover, "batch"))
        .await
        .expect("retry");
    assert_eq!(
        again.status,
        OperationStatus::Completed,
        "{:?}",
        again.error_message
    );
    assert_eq!(status_of(&engine, "batch").await, GroupStatus::FailedOver);
}

#[tokio::test]
async fn a_forced_failover_while_production_is_down_records_the_loss_and_needs_resync() {
    let lab = lab().await;
    let engine = lab.engine();
    // Learn the inventory while production is up (what a console does on every refresh).
    assert!(engine.check(&req(Op::Failover, "web-app")).await.is_ok());
    lab.fault("site-a", site_down()).await;
    let err = engine
        .start(req(Op::Failover, "web-app"))
        .await
        .expect_err("needs --force");
    assert!(err.to_string().contains("--force"), "{err}");
    let mut forced = req(Op::Failover, "web-app");
    forced.force = true;
    let rec = run(&engine, forced).await.expect("starts");
    assert_eq!(
        rec.status,
        OperationStatus::Completed,
        "{:?}",
        rec.error_message
    );
    assert!(rec.result_data.data_loss_seconds.is_some_and(|s| s >= 0));
    assert_eq!(
        lab.server_names("site-b").await,
        ["web-1", "web-2", "web-3"]
    );
    let state = engine.group_state("web-app").await.expect("state");
    assert_eq!(state.status, GroupStatus::FailedOver);
    assert!(state.needs_resync);
    let err = engine
        .start(req(Op::Reprotect, "web-app"))
        .await
        .expect_err("fence first");
    assert!(err.to_string().contains("drconsole fence web-app"), "{err}");
    assert_eq!(
        state.fence_pending.as_ref().map(|p| p.site.as_str()),
        Some("site-a"),
        "the old side was not fenced"
    );
    // Production comes back: its old copies are fenced first, then sync re-syncs it.
    lab.clear_faults("site-a").await;
    let err = engine
        .start(req(Op::SyncNow, "web-app"))
        .await
        .expect_err("fence first");
    assert!(err.to_string().contains("drconsole fence web-app"), "{err}");
    let fence = run(&engine, req(Op::Fence, "web-app"))
        .await
        .expect("fence");
    assert_eq!(
        fence.status,
        OperationStatus::Completed,
        "{:?}",
        fence.error_message
    );
    let err = engine
        .start(req(Op::Reprotect, "web-app"))
        .await
        .expect_err("re-sync first");
    assert!(err.to_string().contains("sync"), "{err}");
    let sync = run(&engine, req(Op::SyncNow, "web-app"))
        .await
        .expect("sync");
    assert_eq!(
        sync.status,
        OperationStatus::Completed,
        "{:?}",
        sync.error_message
    );
    assert!(!engine.group_state("web-app").await.expect("s").needs_resync);
}

#[tokio::test]
async fn a_drill_and_its_cleanup_leave_the_dr_site_exactly_as_before() {
    let lab = lab().await;
    let engine = lab.engine();
    let before_a = lab.inventory("site-a").await;
    let before_b = lab.inventory("site-b").await;
    let drill = run(&engine, req(Op::TestFailover, "db-cluster"))
        .await
        .expect("drill");
    assert_eq!(
        drill.status,
        OperationStatus::Completed,
        "{:?}",
        drill.error_message
    );
    assert_eq!(
        status_of(&engine, "db-cluster").await,
        GroupStatus::TestActive
    );
    let during = lab.inventory("site-b").await;
    assert_eq!(
        during
            .servers
            .iter()
            .filter(|s| s.starts_with("db-") && s.ends_with("ACTIVE"))
            .count(),
        2
    );
    assert!(
        during
            .ports
            .iter()
            .any(|p| p.starts_with("db-1-net-db-test")),
        "{:?}",
        during.ports
    );
    assert_eq!(
        lab.inventory("site-a").await.servers,
        before_a.servers,
        "production untouched"
    );
    let err = engine
        .start(req(Op::PlannedFailover, "db-cluster"))
        .await
        .expect_err("busy");
    assert!(err.to_string().contains("test_active"), "{err}");

    let cleanup = run(&engine, req(Op::TestCleanup, "db-cluster"))
        .await
        .expect("cleanup");
    assert_eq!(
        cleanup.status,
        OperationStatus::Completed,
        "{:?}",
        cleanup.error_message
    );
    assert_eq!(
        status_of(&engine, "db-cluster").await,
        GroupStatus::Protected
    );
    let after_b = lab.inventory("site-b").await;
    assert_eq!(after_b.servers, before_b.servers);
    assert_eq!(after_b.ports, before_b.ports);
    assert_eq!(after_b.volumes, before_b.volumes);
    assert_eq!(after_b.array_volumes, before_b.array_volumes);
}

#[tokio::test]
async fn two_consoles_racing_for_one_group_one_is_rejected_with_the_holder() {
    let lab = lab().await;
    let first = lab.engine();
    let second = lab.engine_with(lab.store());
    let (a, b) = tokio::join!(
        first.start(req(Op::PlannedFailover, "batch")),
        second.start(req(Op::PlannedFailover, "batch"))
    );
    let (ok, err) = match (a, b) {
        (Ok(r), Err(e)) => (r, e),
        (Err(e), Ok(r)) => (r, e),
        other => panic!("exactly one should start: {other:?}"),
    };
    let msg = err.to_string();
    assert!(
        msg.contains("locked by operation") || msg.contains("failing_over"),
        "names the holder or the running status: {msg}"
    );
    first.wait_local(&ok.id).await;
    second.wait_local(&ok.id).await;
    let rec = record(&lab, &ok.id).await;
    assert_eq!(
        rec.status,
        OperationStatus::Completed,
        "{:?}",
        rec.error_message
    );
    assert_eq!(lab.servers_named("site-b", "batch-").await, 5);
}

/// The DR site goes and stays away: the rollback cannot remove what it made there, and says so
/// (rollback_failed, the group needing attention) instead of pretending it rolled back.
#[tokio::test]
async fn a_site_lost_mid_operation_fails_it_with_the_reason() {
    let lab = lab().await;
    let engine = lab.engine();
    let mut events = engine.events().subscribe();
    let started = engine
        .start(req(Op::PlannedFailover, "batch"))
        .await
        .expect("starts");
    // Wait until the servers are being created, then lose the DR site.
    loop {
        let ev = events.recv().await.expect("event");
        if matches!(&ev.kind, EventKind::StepStarted { step, .. } if step.starts_with("create_server:"))
        {
            break;
        }
    }
    lab.fault("site-b", site_down()).await;
    engine.wait_local(&started.id).await;
    let rec = record(&lab, &started.id).await;
    assert_eq!(rec.status, OperationStatus::RollbackFailed);
    assert!(
        rec.error_message
            .as_deref()
            .is_some_and(|m| m.contains("ops cleanup")),
        "{rec:?}"
    );
    let attention = engine.group_state("batch").await.expect("s").attention;
    assert!(
        attention.is_some_and(|a| a.operation_id == rec.id),
        "the group needs attention"
    );
    assert!(
        rec.error_message
            .as_deref()
            .is_some_and(|m| m.contains("site-b")),
        "{rec:?}"
    );
    assert_eq!(
        status_of(&engine, "batch").await,
        GroupStatus::PlannedFailoverFailed
    );
    assert!(
        lab.store().get_lock("batch").await.expect("lock").is_none(),
        "lock released"
    );
}

#[tokio::test]
async fn a_cancelled_failover_rolls_back_and_leaves_the_dr_site_as_before() {
    let lab = lab().await;
    let engine = lab.engine();
    let before_b = lab.inventory("site-b").await;
    let mut events = engine.events().subscribe();
    let started = engine
        .start(req(Op::PlannedFailover, "web-app"))
        .await
        .expect("starts");
    loop {
        let ev = events.recv().await.expect("event");
        if matches!(&ev.kind, EventKind::StepSucceeded { step, .. } if step == "manage_volumes") {
            break;
        }
    }
    assert!(engine.cancel_local(&started.id));
    engine.wait_local(&started.id).await;
    let rec = record(&lab, &started.id).await;
    assert_eq!(
        rec.status,
        OperationStatus::Cancelled,
        "rolled back cleanly"
    );
    assert!(
        rec.error_message
            .as_deref()
            .is_some_and(|m| m.contains("cancel")),
        "{rec:?}"
    );
    assert_eq!(
        status_of(&engine, "web-app").await,
        GroupStatus::PlannedFailoverFailed
    );
    assert_eq!(lab.inventory("site-b").await, before_b);
}

#[tokio::test]
async fn a_failed_drill_leaves_the_group_protected_and_sync_keeps_it_so() {
    let lab = lab().await;
    let engine = lab.engine();
    let before_b = lab.inventory("site-b").await;
    lab.fault("site-b", json!({"kind": "boot_failure", "server": "web-1"}))
        .await;
    let drill = run(&engine, req(Op::TestFailover, "web-app"))
        .await
        .expect("starts");
    assert_eq!(drill.status, OperationStatus::Failed);
    assert_eq!(status_of(&engine, "web-app").await, GroupStatus::Protected);
    assert_eq!(lab.inventory("site-b").await, before_b);
    let err = engine
        .start(req(Op::TestCleanup, "web-app"))
        .await
        .expect_err("nothing to clean");
    assert!(err.to_string().contains("test_active"), "{err}");
    let sync = run(&engine, req(Op::SyncNow, "web-app"))
        .await
        .expect("sync");
    assert_eq!(
        sync.status,
        OperationStatus::Completed,
        "{:?}",
        sync.error_message
    );
    assert_eq!(status_of(&engine, "web-app").await, GroupStatus::Protected);
}

#[tokio::test]
async fn a_locked_group_is_refused_with_who_holds_it_since_when_and_for_what() {
    use drconsole::domain::Actor;
    use drconsole::store::LockHolder;
    let lab = lab().await;
    let engine = lab.engine();
    let other = LockHolder {
        operation_id: "0badc0de-0000-4000-8000-000000000001".into(),
        operation_type: Op::TestFailover,
        actor: Actor {
            user: "alice".into(),
            host: "jump-2".into(),
            ssh_client: None,
        },
        console_id: "jump-2:4242:abcdef".into(),
    };
    lab.store()
        .acquire_lock("web-app", &other, std::time::Duration::from_secs(600))
        .await
        .expect("lock");
    let err = engine
        .start(req(Op::PlannedFailover, "web-app"))
        .await
        .expect_err("locked");
    let msg = err.to_string();
    for part in [
        "0badc0de",
        "Test Failover",
        "alice@jump-2",
        "since",
        "ops watch",
    ] {
        assert!(msg.contains(part), "{part:?} missing from: {msg}");
    }
    assert!(matches!(err, EngineError::Rejected(_)));
    assert!(lab.server_names("site-b").await.is_empty(), "nothing ran");
}

#[tokio::test]
async fn a_cancel_from_another_console_rolls_the_operation_back() {
    // Boots of 3 s real time: the engine notices a journaled cancel within a second.
    let lab = common::lab_with(|o| o.time_speed = 10.0).await;
    let running = lab.engine();
    let other = lab.engine_with(lab.store());
    let mut events = running.events().subscribe();
    let started = running
        .start(req(Op::PlannedFailover, "batch"))
        .await
        .expect("starts");
    loop {
        let ev = events.recv().await.expect("event");
        if matches!(&ev.kind, EventKind::StepStarted { step, .. } if step.starts_with("wait_active"))
        {
            break;
        }
    }
    // `ops cancel ID` in another terminal: it reaches the running engine through the journal.
    other.request_cancel(&started.id).await.expect("asked");
    running.wait_local(&started.id).await;
    let rec = record(&lab, &started.id).await;
    assert_eq!(
        rec.status,
        OperationStatus::Cancelled,
        "{:?}",
        rec.error_message
    );
    assert!(
        rec.error_message
            .as_deref()
            .is_some_and(|m| m.contains("cancel")),
        "{rec:?}"
    );
    assert_eq!(lab.servers_named("site-b", "batch-").await, 0);
}
