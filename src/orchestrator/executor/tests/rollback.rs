//! Rollback riding out a site that does not answer, leaving behind what it cannot undo (and
//! what comes before it), and the retry and rollback-on-demand paths of the executor.

use super::*;
use crate::orchestrator::OperationEvent;

/// A step that fails for good.
fn failing() -> Script {
    Script {
        fail_times: 9,
        fatal: true,
        ..Default::default()
    }
}

fn undo_log(fake: &Fake) -> Vec<String> {
    fake.log()
        .into_iter()
        .filter(|l| l.starts_with("undo"))
        .collect()
}

fn waits(events: &mut tokio::sync::broadcast::Receiver<OperationEvent>) -> Vec<u32> {
    let mut attempts = Vec::new();
    while let Ok(ev) = events.try_recv() {
        if let EventKind::RollbackWaiting { attempt, site, .. } = ev.kind {
            assert_eq!(site.as_deref(), Some("site-b"));
            attempts.push(attempt);
        }
    }
    attempts
}

#[tokio::test(start_paused = true)]
async fn a_compensation_is_retried_until_the_site_answers_again() {
    let fake = Fake::default().with("vol3", failing()).with(
        "vol4",
        Script {
            undo_fails: 4,
            ..Default::default()
        },
    );
    let h = Harness::new(fake);
    let mut events = h.events.subscribe();
    let t0 = Instant::now();
    let out = h.executor(plan(), 8, HashMap::new()).run().await.unwrap();
    assert_eq!(
        out.status,
        OperationStatus::Failed,
        "{:?}",
        out.error_message
    );
    assert!(out.left_behind.is_empty());
    assert_eq!(
        *h.fake.undo_attempts.lock().unwrap().get("vol4").unwrap(),
        5
    );
    assert_eq!(waits(&mut events), [1, 2, 3, 4], "each wait is told");
    // Pauses: at most 1 + 2 + 4 + 8 s (capped exponential, full jitter).
    assert!(
        t0.elapsed() <= Duration::from_secs(16),
        "{:?}",
        t0.elapsed()
    );
    assert!(undo_log(&h.fake).contains(&"undo prepare \"out-prepare\"".to_string()));
}

#[tokio::test(start_paused = true)]
async fn what_cannot_be_undone_in_the_budget_is_left_behind_with_what_it_came_after() {
    let fake = Fake::default().with("vol3", failing()).with(
        "vol2",
        Script {
            undo_fails: u32::MAX,
            ..Default::default()
        },
    );
    let h = Harness::new(fake);
    // prepare stops production (its undo restarts it); vol1..4 wait for it.
    let mut p = plan();
    p.steps[0].kind = crate::orchestrator::steps::StopServers {
        site: "site-a".into(),
        servers: vec!["web-1".into()],
    }
    .into();
    let mut ex = h.executor(p, 8, HashMap::new());
    ex.rollback.budget = Duration::from_secs(60);
    let t0 = Instant::now();
    let out = ex.run().await.unwrap();
    assert_eq!(out.status, OperationStatus::RollbackFailed);
    let left: Vec<&str> = out.left_behind.iter().map(|l| l.step.as_str()).collect();
    assert_eq!(left, ["vol2", "prepare"], "prepare comes before vol2: kept");
    assert!(
        out.left_behind[1].error.contains("vol2"),
        "{:?}",
        out.left_behind
    );
    assert!(
        t0.elapsed() >= Duration::from_secs(60) && t0.elapsed() < Duration::from_secs(61),
        "the budget is spent, not more: {:?}",
        t0.elapsed()
    );
    let undone = undo_log(&h.fake);
    assert!(
        undone.contains(&"undo vol1 \"out-vol1\"".to_string()),
        "{undone:?}"
    );
    assert!(
        !undone.iter().any(|u| u.starts_with("undo prepare")),
        "{undone:?}"
    );
    let journaled: Vec<String> = h
        .journal
        .0
        .lock()
        .unwrap()
        .iter()
        .filter_map(|e| match e {
            JournalEntry::StepLeftBehind { step, .. } => Some(step.clone()),
            _ => None,
        })
        .collect();
    assert_eq!(journaled, ["vol2", "prepare"]);
    let msg = out.error_message.unwrap_or_default();
    assert!(
        msg.contains("the rollback could not undo 2 steps (first: could not undo vol2"),
        "{msg}"
    );
}

#[tokio::test(start_paused = true)]
async fn a_retry_verifies_finished_steps_and_runs_the_rest() {
    let fake = Fake::default()
        .with(
            "vol1",
            Script {
                check: Some(Value::String("still".into())),
                ..Default::default()
            },
        )
        .with("vol2", Script::default());
    let h = Harness::new(fake);
    let prior = HashMap::from([
        (
            "prepare".to_string(),
            PriorStep::Finished(Value::String("p".into())),
        ),
        (
            "vol1".to_string(),
            PriorStep::Finished(Value::String("old".into())),
        ),
        (
            "vol2".to_string(),
            PriorStep::Finished(Value::String("old".into())),
        ),
        ("vol3".to_string(), PriorStep::Compensated),
        ("vol4".to_string(), PriorStep::Started),
    ]);
    let out = h.executor(plan(), 8, prior).run().await.unwrap();
    assert_eq!(out.status, OperationStatus::Completed);
    let log = h.fake.log();
    assert!(
        !log.contains(&"run vol1".to_string()),
        "found: kept, {log:?}"
    );
    assert!(
        log.contains(&"run vol2".to_string()),
        "gone: run again, {log:?}"
    );
    assert!(log.contains(&"run vol3".to_string()), "undone: run again");
    assert!(log.contains(&"check vol4".to_string()) && log.contains(&"run vol4".to_string()));
    assert_eq!(
        out.outputs.get("vol1"),
        Some(&Value::String("still".into()))
    );
    let verified: Vec<String> = h
        .journal
        .0
        .lock()
        .unwrap()
        .iter()
        .filter_map(|e| match e {
            JournalEntry::StepVerified { step, .. } => Some(step.clone()),
            _ => None,
        })
        .collect();
    assert_eq!(verified, ["vol1"]);
}

#[tokio::test(start_paused = true)]
async fn a_rollback_on_demand_undoes_what_stands_and_nothing_else() {
    let h = Harness::new(Fake::default());
    let prior = HashMap::from([
        (
            "prepare".to_string(),
            PriorStep::Succeeded(Value::String("p".into())),
        ),
        (
            "vol1".to_string(),
            PriorStep::Succeeded(Value::String("v1".into())),
        ),
        ("vol2".to_string(), PriorStep::Started),
        ("vol3".to_string(), PriorStep::Compensated),
        (
            "vol4".to_string(),
            PriorStep::LeftBehind(Some(Value::String("v4".into()))),
        ),
    ]);
    let mut ex = h.executor(plan(), 8, prior);
    ex.mode = Mode::Rollback {
        reason: "rolled back on demand".into(),
        then: OperationStatus::Failed,
    };
    let out = ex.run().await.unwrap();
    assert_eq!(out.status, OperationStatus::Failed);
    assert_eq!(
        undo_log(&h.fake),
        [
            "undo vol4 \"v4\"",
            "undo vol2 null",
            "undo vol1 \"v1\"",
            "undo prepare \"p\""
        ]
    );
    assert!(
        !h.fake.log().iter().any(|l| l.starts_with("run")),
        "nothing runs"
    );
}
