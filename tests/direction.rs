//! Direction is explicit: `--to` naming the wrong side is refused; after a failure past the
//! point of no return a new failover is refused (it would run the other way and stop the live
//! servers), naming the retry and the direction it continues in; every message and `ops show`
//! name the direction, and `ops show` every step's timeout.

mod common;

use common::{lab, record, req};
use drconsole::domain::{GroupStatus, OperationStatus, OperationType as Op};
use drconsole::orchestrator::EventKind;
use drconsole::orchestrator::engine::EngineError;
use serde_json::json;

#[tokio::test]
async fn to_a_site_that_is_not_the_other_side_is_refused() {
    let lab = lab().await;
    let engine = lab.engine();
    let mut wrong = req(Op::PlannedFailover, "web-app");
    wrong.to = Some("site-a".into());
    let err = engine.start(wrong).await.expect_err("refused");
    let msg = err.to_string();
    assert!(matches!(err, EngineError::Rejected(_)), "{msg}");
    assert!(
        msg.contains("--to site-a") && msg.contains("can only go to site-b (site-a → site-b)"),
        "{msg}"
    );
    let out = lab
        .cli_exits(2, &["failover", "web-app", "--to", "site-a", "--yes"])
        .await;
    assert!(out.all().contains("--to site-a"), "{}", out.all());
    assert_eq!(lab.servers_named("site-b", "web-").await, 0, "nothing ran");
    lab.cli_exits(2, &["test-failover", "web-app", "--to", "site-a", "--yes"])
        .await;

    // The right side is accepted, and every message names the direction.
    let out = lab
        .cli_exits(
            0,
            &["failover", "web-app", "--to", "site-b", "--yes", "--wait"],
        )
        .await;
    assert!(out.stdout.contains("site-a → site-b"), "{}", out.all());
    let ops = lab.cli(&["ops", "list"]).await.stdout;
    assert!(
        ops.contains("DIRECTION") && ops.contains("site-a → site-b"),
        "{ops}"
    );
}

#[tokio::test]
async fn after_a_failure_past_the_point_of_no_return_a_new_failover_is_refused_and_says_why() {
    let lab = lab().await;
    let engine = lab.engine();
    let mut events = engine.events().subscribe();
    let started = engine
        .start(req(Op::PlannedFailover, "batch"))
        .await
        .expect("starts");
    // Once the new side runs, site-a's network fails every call: retiring the old copies
    // (after the swap, the point of no return) cannot finish.
    loop {
        let ev = events.recv().await.expect("event");
        if matches!(&ev.kind, EventKind::StepSucceeded { step, .. } if step == "wait_active:wave1")
        {
            break;
        }
    }
    lab.fault(
        "site-a",
        json!({"kind": "error_rate", "service": "network", "rate": 1.0}),
    )
    .await;
    engine.wait_local(&started.id).await;
    lab.clear_faults("site-a").await;
    let rec = record(&lab, &started.id).await;
    assert_eq!(rec.status, OperationStatus::Failed, "{rec:?}");
    assert!(rec.steps_completed.iter().any(|s| s == "swap_primary"));
    assert_eq!(
        (
            rec.result_data.instances_created,
            rec.result_data.data_loss_seconds
        ),
        (5, Some(0)),
        "what stands is said: five servers run at site-b, synced before the move"
    );
    let state = engine.group_state("batch").await.expect("state");
    assert_eq!(
        (state.status, state.current_primary.as_str()),
        (GroupStatus::PlannedFailoverFailed, "site-b")
    );
    assert_eq!(lab.statuses("site-b", "batch-").await.len(), 5);

    // The obvious retry must not run the other way (stopping the live servers at site-b).
    let short = &started.id[..8];
    for op in [Op::PlannedFailover, Op::Failover] {
        let err = engine.start(req(op, "batch")).await.expect_err("refused");
        let msg = err.to_string();
        assert!(
            msg.contains("failed past its point of no return")
                && msg.contains(&format!(
                    "drconsole ops retry {short}` (continues site-a → site-b)"
                )),
            "{msg}"
        );
    }
    assert!(
        lab.statuses("site-b", "batch-")
            .await
            .iter()
            .all(|s| s.ends_with("ACTIVE")),
        "the live servers still run"
    );
    let checks = engine
        .check(&req(Op::PlannedFailover, "batch"))
        .await
        .expect("check");
    let last = checks
        .iter()
        .find(|c| c.label == "last operation")
        .expect("named in the checklist");
    assert!(last.reason.contains("ops retry"), "{last:?}");
}

#[tokio::test]
async fn ops_show_names_the_direction_and_every_steps_timeout() {
    let lab = lab().await;
    let out = lab
        .cli_exits(0, &["failover", "web-app", "--yes", "--wait", "--json"])
        .await;
    let id = out.json()["operation"]["id"]
        .as_str()
        .expect("id")
        .to_string();
    let shown = lab.cli(&["ops", "show", &id, "--json"]).await.json();
    assert_eq!(shown["direction"], "site-a → site-b");
    let steps = shown["steps"].as_array().expect("steps");
    assert!(steps.len() > 10);
    assert!(
        steps
            .iter()
            .all(|s| s["timeout_ms"].as_u64().is_some_and(|t| t > 0)),
        "{steps:?}"
    );
    let sync = steps
        .iter()
        .find(|s| s["step_id"] == "final_sync")
        .expect("final_sync");
    assert_eq!(
        sync["timeout_ms"], 600_000,
        "the configured default deadline"
    );
    assert_eq!(sync["attempt"], 1);
    let text = lab.cli(&["ops", "show", &id]).await.stdout;
    assert!(
        text.contains("TIMEOUT") && text.contains("site-a → site-b"),
        "{text}"
    );
    let line = text
        .lines()
        .find(|l| l.starts_with("final_sync"))
        .expect("final_sync row");
    assert!(line.contains("10 m"), "{line}");
    let verify = text
        .lines()
        .find(|l| l.starts_with("verify_fenced"))
        .expect("verify_fenced row");
    assert!(verify.contains("succeeded"), "{verify}");
}
