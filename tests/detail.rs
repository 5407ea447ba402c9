//! An operation's detail, the one the console's operation view and `ops show` both read: every
//! step of its plan with its state, the failed step with its error, and the log tail.

mod common;

use common::{lab, req, run};
use drconsole::domain::{OperationStatus, OperationType as Op, StepMark};
use drconsole::orchestrator::Plan;
use drconsole::orchestrator::engine::StepState;
use drconsole::store::Store;
use serde_json::{Value, json};
use std::process::Command;

#[tokio::test]
async fn a_failed_failover_shows_every_step_the_failed_one_with_its_error_in_console_and_cli() {
    let lab = lab().await;
    // The journal the lab's drconsole.toml names, so the CLI below reads the same one.
    let journal = lab.dir.path().join("lab").join("journal.sqlite");
    let engine = lab.engine_with(Store::open_sqlite(&journal).expect("journal"));
    lab.fault("site-b", json!({"kind": "boot_failure", "server": "web-2"}))
        .await;
    let rec = run(&engine, req(Op::PlannedFailover, "web-app"))
        .await
        .expect("starts");
    assert_eq!(rec.status, OperationStatus::Failed);

    let d = engine
        .operation_detail(&rec.id[..8], 50)
        .await
        .expect("found by an id prefix");
    assert_eq!(d.record.id, rec.id);
    let stored = engine
        .store()
        .get_operation(&rec.id)
        .await
        .expect("journal")
        .expect("journaled");
    let plan: Plan = serde_json::from_value(stored.plan).expect("plan");
    let ids: Vec<String> = plan.steps.iter().map(|s| s.id.to_string()).collect();
    let shown: Vec<String> = d.steps.iter().map(|s| s.id.clone()).collect();
    assert_eq!(shown, ids, "every step of the plan, in plan order");
    // The step that failed carries its error (its partial work was then undone with the rest).
    let failed = d
        .steps
        .iter()
        .find(|s| s.error.is_some())
        .unwrap_or_else(|| panic!("a step with its error: {:#?}", d.steps));
    let error = failed.error.clone().unwrap_or_default();
    assert!(error.contains("web-2"), "{error}");
    assert!(failed.started_at.is_some() && failed.attempt >= 1);
    assert!(
        d.steps.iter().any(|s| s.status == StepState::Skipped
            && s.mark == StepMark::NeverRun
            && s.started_at.is_none()),
        "steps that never ran are listed too, as skipped: {:?}",
        d.steps
    );
    assert!(
        d.steps
            .iter()
            .any(|s| s.status == StepState::Compensated && s.mark == StepMark::Undone),
        "the rollback shows: {:?}",
        d.steps
    );

    assert!(
        d.log.iter().any(|l| l.contains("web-2")),
        "the log tail tells the story: {:?}",
        d.log
    );

    let missing = engine.operation_detail("no-such-op", 10).await.unwrap_err();
    assert!(missing.to_string().contains("no operation no-such-op"));

    // `ops show` prints the same steps from the same function.
    let config = lab.dir.path().join("lab").join("drconsole.toml");
    let cli = |json: bool| {
        let mut args = vec!["--config", config.to_str().expect("utf8"), "ops", "show"];
        args.push(&rec.id[..8]);
        if json {
            args.push("--json");
        }
        let out = Command::new(env!("CARGO_BIN_EXE_drconsole"))
            .args(&args)
            .env("DRCONSOLE_DATA_DIR", lab.dir.path())
            .env_remove("DRCONSOLE_CONFIG")
            .output()
            .expect("run drconsole");
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).to_string()
    };
    let v: Value = serde_json::from_str(&cli(true)).expect("json");
    let steps = v["steps"].as_array().expect("steps");
    assert_eq!(steps.len(), ids.len());
    assert!(steps.iter().any(|s| s["step_id"] == failed.id.as_str()
        && s["error"].as_str().unwrap_or("").contains("web-2")));
    let text = cli(false);
    assert!(text.contains(&failed.id), "{text}");
    assert!(text.contains("undone"), "{text}");
    assert!(text.contains("never_run"), "{text}");

    // The task view: every step from the start with what the plan says of it.
    for (s, spec) in steps.iter().zip(&plan.steps) {
        let upstream: Vec<String> = spec.deps.iter().map(|d| d.to_string()).collect();
        assert_eq!(s["upstream"], json!(upstream), "{s}");
        assert_eq!(s["attempt_limit"], json!(spec.retry.attempts), "{s}");
        assert_eq!(s["timeout_ms"], json!(spec.timeout_ms), "{s}");
        assert_eq!(s["point_of_no_return"], json!(spec.no_rollback), "{s}");
        assert!(s["label"].is_string() && s["phase"].is_string(), "{s}");
        assert!(
            s.get("started_at").is_some() && s.get("finished_at").is_some(),
            "{s}"
        );
        if s["mark"] == "never_run" {
            assert_eq!(s["status"], "pending", "a step never run is pending: {s}");
            assert_eq!(s["attempt"], 0);
        }
    }
    let ponr = steps
        .iter()
        .find(|s| s["step_id"] == "swap_primary")
        .expect("swap_primary listed though it never ran");
    assert_eq!(ponr["point_of_no_return"], true);
    assert_eq!(ponr["upstream"], json!(["reverse_replication"]));
    for column in [
        "ID", "STEP", "PHASE", "AFTER", "STATUS", "TRIES", "TIMEOUT", "PONR", "STARTED",
    ] {
        assert!(text.contains(column), "{column}: {text}");
    }
    let row = text
        .lines()
        .find(|l| l.starts_with("swap_primary "))
        .unwrap_or_else(|| panic!("a row for swap_primary: {text}"));
    assert!(
        row.contains("⚑") && row.contains("reverse_replication"),
        "{row}"
    );
    assert!(row.contains("pending") && row.contains("0/3"), "{row}");
    let failed_row = text
        .lines()
        .find(|l| l.starts_with(&format!("{} ", failed.id)))
        .unwrap_or_else(|| panic!("a row for {}: {text}", failed.id));
    assert!(failed_row.contains("web-2"), "{failed_row}");
}
