//! Failed is not the end, over the lab's HTTP: an operation says `running` while it runs; a 10 s
//! outage of the DR site mid-failover is ridden out by the rollback (or, past its budget, ends
//! rollback_failed listing every leftover, which `ops cleanup` removes); a failure past the point
//! of no return is continued by `ops retry` in its original direction. Resources are counted at
//! both sites afterwards.

mod common;

use common::{Inventory, Lab, lab, record, req, rollback, site_down_for, status_of, wait_for};
use drconsole::domain::{
    AttentionKind, GroupStatus, OperationStatus, OperationType as Op, ResourceKind, StepMark,
};
use drconsole::orchestrator::EventKind;
use drconsole::orchestrator::engine::{Engine, EngineError};
use serde_json::json;
use std::collections::BTreeSet;
use std::sync::Arc;
use std::time::Duration;

/// Start a planned failover of batch and lose site-b for ten seconds once its servers are
/// being created; the record when the operation has ended.
async fn failover_through_an_outage(
    lab: &Lab,
    engine: &Arc<Engine>,
) -> drconsole::domain::OperationRecord {
    let mut events = engine.events().subscribe();
    let started = engine
        .start(req(Op::PlannedFailover, "batch"))
        .await
        .expect("starts");
    loop {
        let ev = events.recv().await.expect("event");
        if matches!(&ev.kind, EventKind::StepStarted { step, .. } if step.starts_with("create_server:"))
        {
            break;
        }
    }
    lab.fault("site-b", site_down_for(10)).await;
    engine.wait_local(&started.id).await;
    record(lab, &started.id).await
}

/// Every member of batch ACTIVE at site-a, none of them at site-b.
async fn production_at_a_only(lab: &Lab) {
    let a = lab.inventory("site-a").await;
    let active: Vec<&String> = a
        .servers
        .iter()
        .filter(|s| s.starts_with("batch-") && s.ends_with("ACTIVE"))
        .collect();
    assert_eq!(active.len(), 5, "{:?}", a.servers);
    assert_eq!(lab.servers_named("site-b", "batch-").await, 0);
}

async fn site_answers(lab: &Lab, site: &str) {
    let client = lab.client(site);
    wait_for("the site to answer", Duration::from_secs(60), || async {
        client.probe().await.reachable.then_some(())
    })
    .await;
}

#[tokio::test]
async fn an_operation_says_running_while_it_runs() {
    let lab = lab().await;
    let engine = lab.engine();
    let mut events = engine.events().subscribe();
    let started = engine
        .start(req(Op::PlannedFailover, "web-app"))
        .await
        .expect("starts");
    loop {
        if let EventKind::Progress { percent } = events.recv().await.expect("event").kind
            && percent >= 20
        {
            break;
        }
    }
    let d = engine
        .operation_detail(&started.id, 0)
        .await
        .expect("steps");
    let (rec, steps) = (d.record, d.steps);
    assert_eq!(rec.status, OperationStatus::Running, "at {}%", rec.progress);
    assert!(steps.iter().any(|s| s.mark == StepMark::NeverRun));
    engine.wait_local(&started.id).await;
    assert_eq!(
        record(&lab, &started.id).await.status,
        OperationStatus::Completed
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_ten_second_outage_of_the_dr_site_is_ridden_out_by_the_rollback() {
    let lab = lab().await;
    let engine = lab.engine_opts(lab.store(), rollback(Duration::from_secs(60)));
    let before_b = lab.inventory("site-b").await;
    let rec = failover_through_an_outage(&lab, &engine).await;
    assert_eq!(
        rec.status,
        OperationStatus::Failed,
        "{:?}",
        rec.error_message
    );
    assert!(rec.result_data.leftovers.is_empty());
    assert_eq!(
        lab.inventory("site-b").await,
        before_b,
        "nothing left at site-b"
    );
    production_at_a_only(&lab).await;
    let state = engine.group_state("batch").await.expect("state");
    assert_eq!(
        (state.status, state.attention),
        (GroupStatus::PlannedFailoverFailed, None)
    );
    let steps = engine
        .operation_detail(&rec.id, 0)
        .await
        .expect("steps")
        .steps;
    let mark = |id: &str| steps.iter().find(|s| s.id == id).map(|s| s.mark);
    assert_eq!(mark("manage_volumes"), Some(StepMark::Undone));
    assert_eq!(mark("stop_source_servers"), Some(StepMark::Undone));
    assert_eq!(mark("validate_sites"), Some(StepMark::NothingToUndo));
    assert_eq!(mark("swap_primary"), Some(StepMark::NeverRun));
    let marks: Vec<(&str, StepMark)> = steps.iter().map(|s| (s.id.as_str(), s.mark)).collect();
    assert!(
        marks.iter().all(|(_, m)| matches!(
            m,
            StepMark::Undone | StepMark::NothingToUndo | StepMark::NeverRun
        )),
        "every step undone, with nothing to undo, or never run: {marks:?}"
    );
}

/// Resources at `site` now that were not there `before`, as (kind, name).
fn made_since(before: &Inventory, now: &Inventory) -> BTreeSet<(ResourceKind, String)> {
    let new = |a: &[String], b: &[String], kind| {
        let name = |s: &String| s.rsplit_once(' ').map_or(s.clone(), |(n, _)| n.to_string());
        b.iter()
            .filter(|x| !a.contains(x))
            .map(move |x| (kind, name(x)))
            .collect::<Vec<_>>()
    };
    let mut out: BTreeSet<(ResourceKind, String)> = BTreeSet::new();
    out.extend(new(&before.servers, &now.servers, ResourceKind::Server));
    out.extend(new(&before.ports, &now.ports, ResourceKind::Port));
    out.extend(new(&before.volumes, &now.volumes, ResourceKind::Volume));
    out.extend(
        now.array_volumes
            .difference(&before.array_volumes)
            .map(|n| (ResourceKind::ArrayVolume, n.clone())),
    );
    out
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_rollback_past_its_budget_lists_every_leftover_and_cleanup_removes_exactly_them() {
    let lab = lab().await;
    let engine = lab.engine_opts(lab.store(), rollback(Duration::from_secs(1)));
    let (before_a, before_b) = (lab.inventory("site-a").await, lab.inventory("site-b").await);
    let rec = failover_through_an_outage(&lab, &engine).await;
    assert_eq!(
        rec.status,
        OperationStatus::RollbackFailed,
        "{:?}",
        rec.error_message
    );
    let state = engine.group_state("batch").await.expect("state");
    let attention = state.attention.expect("the group needs attention");
    assert_eq!(attention.kind, AttentionKind::RollbackFailed);
    assert_eq!(attention.leftovers, rec.result_data.leftovers);
    let err = engine
        .start(req(Op::PlannedFailover, "batch"))
        .await
        .expect_err("refused until cleaned up");
    assert!(err.to_string().contains("ops cleanup"), "{err}");
    let checks = engine
        .check(&req(Op::PlannedFailover, "batch"))
        .await
        .expect("checks");
    assert!(checks[0].reason.contains("ops cleanup"), "{:?}", checks[0]);

    // Once site-b answers: every resource the operation left there is listed, by kind and name.
    site_answers(&lab, "site-b").await;
    let left = made_since(&before_b, &lab.inventory("site-b").await);
    let listed: BTreeSet<(ResourceKind, String)> = rec
        .result_data
        .leftovers
        .iter()
        .map(|r| (r.kind, r.name.clone()))
        .collect();
    assert!(!left.is_empty());
    assert!(
        left.is_subset(&listed),
        "unlisted: {:?}",
        left.difference(&listed)
    );

    let report = engine.cleanup(&rec.id).await.expect("cleanup");
    assert!(
        report.remaining.is_empty() && report.failures.is_empty(),
        "{report:?}"
    );
    assert_eq!(
        lab.inventory("site-b").await,
        before_b,
        "nothing left at site-b"
    );
    assert_eq!(
        lab.inventory("site-a").await,
        before_a,
        "production as before"
    );
    production_at_a_only(&lab).await;
    assert_eq!(
        engine.group_state("batch").await.expect("s").attention,
        None
    );
    let again = engine.cleanup(&rec.id).await.expect("cleanup again");
    assert!(
        again.removed.is_empty() && again.remaining.is_empty(),
        "{again:?}"
    );
    assert!(record(&lab, &rec.id).await.result_data.leftovers.is_empty());

    // Cleaned up, the operation can be retried: same id, same direction, to the end.
    let retried = engine.retry(&rec.id, true).await.expect("retry");
    assert_eq!(retried.id, rec.id);
    engine.wait_local(&rec.id).await;
    let done = record(&lab, &rec.id).await;
    assert_eq!(
        done.status,
        OperationStatus::Completed,
        "{:?}",
        done.error_message
    );
    assert_eq!(lab.servers_named("site-b", "batch-").await, 5);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_retry_after_a_failure_past_the_point_of_no_return_completes_in_the_same_direction() {
    let lab = lab().await;
    let engine = lab.engine();
    let mut events = engine.events().subscribe();
    let started = engine
        .start(req(Op::PlannedFailover, "batch"))
        .await
        .expect("starts");
    // Once replication is reversed, site-a's compute fails every call: the old copies cannot
    // be retired, after the primary was swapped.
    loop {
        let ev = events.recv().await.expect("event");
        if matches!(&ev.kind, EventKind::StepStarted { step, .. } if step == "reverse_replication")
        {
            break;
        }
    }
    let fault = json!({"kind": "error_rate", "service": "compute", "rate": 1.0});
    lab.fault("site-a", fault).await;
    engine.wait_local(&started.id).await;
    let rec = record(&lab, &started.id).await;
    assert_eq!(
        rec.status,
        OperationStatus::Failed,
        "{:?}",
        rec.error_message
    );
    assert!(
        rec.steps_failed
            .contains(&"retire_source_instances".to_string())
    );
    let state = engine.group_state("batch").await.expect("state");
    assert_eq!(state.current_primary, "site-b", "what it did stands");
    let attention = state.attention.expect("attention");
    assert_eq!(attention.kind, AttentionKind::PastPointOfNoReturn);
    assert_eq!(lab.servers_named("site-b", "batch-").await, 5);

    // The obvious next command would run the other way: it is refused with the way forward.
    let err = engine
        .start(req(Op::PlannedFailover, "batch"))
        .await
        .expect_err("refused");
    let msg = err.to_string();
    assert!(
        msg.contains("ops retry") && msg.contains("site-a → site-b"),
        "{msg}"
    );
    let err = engine
        .rollback_operation(&rec.id, true)
        .await
        .expect_err("past the point of no return");
    assert!(
        matches!(&err, EngineError::Rejected(m) if m.contains("point of no return") && m.contains("ops retry")),
        "{err}"
    );
    let err = engine.resume_one(&rec.id).await.expect_err("finished");
    assert!(err.to_string().contains("ops retry"), "{err}");

    lab.clear_faults("site-a").await;
    engine.retry(&rec.id, true).await.expect("retry");
    assert_eq!(status_of(&engine, "batch").await, GroupStatus::FailingOver);
    engine.wait_local(&rec.id).await;
    let done = record(&lab, &rec.id).await;
    assert_eq!(
        done.status,
        OperationStatus::Completed,
        "{:?}",
        done.error_message
    );
    assert_eq!(
        (done.source_site_id.as_str(), done.target_site_id.as_str()),
        ("site-a", "site-b")
    );
    let state = engine.group_state("batch").await.expect("state");
    assert_eq!(
        (
            state.status,
            state.current_primary.as_str(),
            state.attention
        ),
        (GroupStatus::Protected, "site-b", None)
    );
    assert_eq!(lab.servers_named("site-a", "batch-").await, 0, "retired");
    let b = lab.names("site-b").await;
    assert_eq!(
        b.servers.iter().filter(|s| s.starts_with("batch-")).count(),
        5
    );
    let steps = engine
        .operation_detail(&rec.id, 0)
        .await
        .expect("steps")
        .steps;
    let mark = |id: &str| steps.iter().find(|s| s.id == id).map(|s| s.mark);
    assert_eq!(
        mark("create_server:batch-1"),
        Some(StepMark::Verified),
        "not made again"
    );
    assert_eq!(mark("swap_primary"), Some(StepMark::Verified));
    assert_eq!(mark("retire_source_instances"), Some(StepMark::Succeeded));
}
