//! Executor behaviour with a scripted runner, on tokio's paused clock (virtual time, not flaky).

use super::*;
use crate::domain::Phase;
use crate::orchestrator::runner::{AlreadyDone, StepError};
use crate::orchestrator::steps::Noop;
use std::sync::Mutex;
use tokio::time::Instant;

#[derive(Default, Clone)]
struct Script {
    delay_ms: u64,
    /// Fail this many attempts first.
    fail_times: u32,
    fatal: bool,
    check: Option<Value>,
    /// What undoing it reports (`Undone` when not set).
    undo: Option<Undo>,
    /// Its undo fails this many times first (transiently: a site that does not answer).
    undo_fails: u32,
}

#[derive(Default)]
struct Fake {
    scripts: HashMap<String, Script>,
    log: Mutex<Vec<String>>,
    attempts: Mutex<HashMap<String, u32>>,
    undo_attempts: Mutex<HashMap<String, u32>>,
    running: Mutex<(usize, usize)>,
}

impl Fake {
    fn with(mut self, id: &str, s: Script) -> Self {
        self.scripts.insert(id.into(), s);
        self
    }
    fn note(&self, line: String) {
        self.log.lock().unwrap().push(line);
    }
    fn log(&self) -> Vec<String> {
        self.log.lock().unwrap().clone()
    }
}

impl StepRunner for Fake {
    fn run<'a>(
        &'a self,
        step: &'a StepSpec,
        _ctx: &'a StepCtx,
    ) -> futures_util::future::BoxFuture<'a, Result<Value, StepError>> {
        Box::pin(async move {
            let s = self
                .scripts
                .get(step.id.as_str())
                .cloned()
                .unwrap_or_default();
            let n = {
                let mut a = self.attempts.lock().unwrap();
                let e = a.entry(step.id.to_string()).or_insert(0);
                *e += 1;
                *e
            };
            self.note(format!("run {}", step.id));
            {
                let mut r = self.running.lock().unwrap();
                r.0 += 1;
                r.1 = r.1.max(r.0);
            }
            // The step's work, in virtual time: every test here runs on tokio's paused clock.
            tokio::time::sleep(Duration::from_millis(s.delay_ms)).await; // on the paused clock
            self.running.lock().unwrap().0 -= 1;
            if n <= s.fail_times {
                return Err(if s.fatal {
                    StepError::fatal("boom")
                } else {
                    StepError::transient("flaky")
                });
            }
            Ok(Value::String(format!("out-{}", step.id)))
        })
    }

    fn check<'a>(
        &'a self,
        step: &'a StepSpec,
        _ctx: &'a StepCtx,
    ) -> futures_util::future::BoxFuture<'a, Result<AlreadyDone<Value>, StepError>> {
        Box::pin(async move {
            self.note(format!("check {}", step.id));
            let found = self
                .scripts
                .get(step.id.as_str())
                .and_then(|s| s.check.clone());
            Ok(AlreadyDone::found_or_not(found))
        })
    }

    fn undo<'a>(
        &'a self,
        step: &'a StepSpec,
        output: Option<&'a Value>,
        _ctx: &'a StepCtx,
    ) -> futures_util::future::BoxFuture<'a, Result<Undo, StepError>> {
        Box::pin(async move {
            self.note(format!(
                "undo {} {}",
                step.id,
                output.unwrap_or(&Value::Null)
            ));
            let script = self.scripts.get(step.id.as_str());
            let n = {
                let mut a = self.undo_attempts.lock().unwrap();
                let e = a.entry(step.id.to_string()).or_insert(0);
                *e += 1;
                *e
            };
            if script.is_some_and(|s| n <= s.undo_fails) {
                return Err(StepError::transient("site-b unreachable").at("site-b"));
            }
            Ok(script.and_then(|s| s.undo).unwrap_or(Undo::Undone))
        })
    }
}

#[derive(Default)]
struct Recorder(Mutex<Vec<JournalEntry>>);

impl ExecJournal for Recorder {
    fn record<'a>(
        &'a self,
        _: &'a str,
        entry: JournalEntry,
    ) -> futures_util::future::BoxFuture<'a, Result<(), crate::store::StoreError>> {
        self.0.lock().unwrap().push(entry);
        Box::pin(async { Ok(()) })
    }
}

fn step(id: &str, phase: Phase, deps: &[&str]) -> StepSpec {
    StepSpec::new(id, Noop { name: id.into() }, phase)
        .after(deps.iter().copied())
        .retry(crate::orchestrator::RetryPolicy {
            attempts: 3,
            backoff_ms: 10,
        })
}

/// prepare → 4 parallel volumes → finalize (a point of no return in the middle of storage).
fn plan() -> Plan {
    let mut p = Plan::default();
    p.push(step("prepare", Phase::Preparation, &[]));
    for v in 1..=4 {
        p.push(step(&format!("vol{v}"), Phase::Storage, &["prepare"]));
    }
    p.push(step(
        "finalize",
        Phase::Finalization,
        &["vol1", "vol2", "vol3", "vol4"],
    ));
    p
}

struct Harness {
    fake: Arc<Fake>,
    journal: Arc<Recorder>,
    events: EventBus,
    cancel: watch::Sender<bool>,
}

impl Harness {
    fn new(fake: Fake) -> Self {
        Self {
            fake: Arc::new(fake),
            journal: Arc::default(),
            events: EventBus::new(),
            cancel: watch::channel(false).0,
        }
    }

    fn executor(&self, plan: Plan, limit: usize, prior: HashMap<String, PriorStep>) -> Executor {
        Executor {
            operation_id: "op-1".into(),
            plan,
            runner: self.fake.clone(),
            journal: self.journal.clone(),
            events: self.events.clone(),
            max_concurrency: limit,
            cancel: self.cancel.subscribe(),
            prior,
            mode: Mode::Forward,
            rollback: RollbackPolicy::default(),
        }
    }
}

#[tokio::test(start_paused = true)]
async fn runs_in_dependency_order_and_completes() {
    let h = Harness::new(Fake::default());
    let mut rx = h.events.subscribe();
    let out = h.executor(plan(), 8, HashMap::new()).run().await.unwrap();
    assert_eq!(out.status, OperationStatus::Completed);
    let log = h.fake.log();
    assert_eq!(log.first().map(String::as_str), Some("run prepare"));
    assert_eq!(log.last().map(String::as_str), Some("run finalize"));
    assert_eq!(out.steps_completed.len(), 6);
    let mut last_progress = 0;
    while let Ok(ev) = rx.try_recv() {
        if let EventKind::Progress { percent } = ev.kind {
            assert!(percent >= last_progress, "progress never goes back");
            last_progress = percent;
        }
    }
    assert_eq!(last_progress, 100);
}

#[tokio::test(start_paused = true)]
async fn ready_steps_run_concurrently_up_to_the_limit() {
    let mut fake = Fake::default();
    for v in 1..=4 {
        fake = fake.with(
            &format!("vol{v}"),
            Script {
                delay_ms: 1000,
                ..Default::default()
            },
        );
    }
    let h = Harness::new(fake);
    let t0 = Instant::now();
    h.executor(plan(), 2, HashMap::new()).run().await.unwrap();
    assert_eq!(
        h.fake.running.lock().unwrap().1,
        2,
        "never more than the limit at once"
    );
    assert_eq!(
        t0.elapsed().as_secs(),
        2,
        "4 one-second volumes, two at a time"
    );

    let h = Harness::new(Fake::default().with(
        "vol1",
        Script {
            delay_ms: 1000,
            ..Default::default()
        },
    ));
    let t0 = Instant::now();
    let out = h.executor(plan(), 8, HashMap::new()).run().await.unwrap();
    let critical = plan().critical_path(&out.durations);
    assert_eq!(
        t0.elapsed().as_secs(),
        critical.as_secs(),
        "wall time is the critical path"
    );
}

#[tokio::test(start_paused = true)]
async fn a_failure_rolls_back_completed_steps_in_reverse() {
    let fake = Fake::default()
        .with(
            "vol1",
            Script {
                delay_ms: 10,
                ..Default::default()
            },
        )
        .with(
            "vol2",
            Script {
                delay_ms: 20,
                ..Default::default()
            },
        )
        .with(
            "vol3",
            Script {
                delay_ms: 30,
                fail_times: 9,
                fatal: true,
                ..Default::default()
            },
        )
        .with(
            "vol4",
            Script {
                delay_ms: 40,
                ..Default::default()
            },
        );
    let h = Harness::new(fake);
    let out = h.executor(plan(), 8, HashMap::new()).run().await.unwrap();
    assert_eq!(out.status, OperationStatus::Failed);
    assert_eq!(out.steps_failed, ["vol3"]);
    assert_eq!(out.error_message.as_deref(), Some("step vol3 failed: boom"));
    let undo: Vec<String> = h
        .fake
        .log()
        .into_iter()
        .filter(|l| l.starts_with("undo"))
        .collect();
    assert_eq!(
        undo,
        [
            "undo vol3 null",
            "undo vol4 \"out-vol4\"",
            "undo vol2 \"out-vol2\"",
            "undo vol1 \"out-vol1\"",
            "undo prepare \"out-prepare\""
        ]
    );
    assert!(
        !h.fake.log().contains(&"run finalize".to_string()),
        "nothing starts after a failure"
    );
    assert_eq!(
        *h.fake.attempts.lock().unwrap().get("vol3").unwrap(),
        1,
        "a fatal error is not retried"
    );
    let statuses: Vec<_> = h
        .journal
        .0
        .lock()
        .unwrap()
        .iter()
        .filter_map(|e| match e {
            JournalEntry::Status(s) => Some(*s),
            _ => None,
        })
        .collect();
    assert_eq!(
        statuses,
        [OperationStatus::Running, OperationStatus::RollingBack],
        "running is journaled the moment the executor starts; the end is the engine's to journal"
    );
}

#[tokio::test(start_paused = true)]
async fn rollback_stops_at_a_point_of_no_return() {
    let mut p = plan();
    p.steps[1].no_rollback = true; // vol1
    p.steps[1].deps = vec!["prepare".into()];
    for s in &mut p.steps[2..5] {
        s.deps = vec!["vol1".into()];
    }
    let h = Harness::new(Fake::default().with(
        "vol3",
        Script {
            fail_times: 9,
            fatal: true,
            ..Default::default()
        },
    ));
    let out = h.executor(p, 8, HashMap::new()).run().await.unwrap();
    let undo: Vec<String> = h
        .fake
        .log()
        .into_iter()
        .filter(|l| l.starts_with("undo"))
        .collect();
    assert!(
        undo.iter()
            .all(|u| !u.contains("vol1") && !u.contains("prepare")),
        "{undo:?}"
    );
    assert_eq!(out.status, OperationStatus::Failed);
}

#[tokio::test(start_paused = true)]
async fn transient_errors_are_retried_with_backoff() {
    let h = Harness::new(Fake::default().with(
        "vol2",
        Script {
            fail_times: 2,
            ..Default::default()
        },
    ));
    let out = h.executor(plan(), 8, HashMap::new()).run().await.unwrap();
    assert_eq!(out.status, OperationStatus::Completed);
    assert_eq!(*h.fake.attempts.lock().unwrap().get("vol2").unwrap(), 3);
    let starts = h
        .journal
        .0
        .lock()
        .unwrap()
        .iter()
        .filter(|e| matches!(e, JournalEntry::StepStarted { step, .. } if step == "vol2"))
        .count();
    assert_eq!(starts, 3, "each attempt is journaled before it runs");
}

#[tokio::test(start_paused = true)]
async fn a_step_that_overruns_its_timeout_fails() {
    let mut p = plan();
    p.steps[2].timeout_ms = 500;
    p.steps[2].retry = crate::orchestrator::RetryPolicy::NONE;
    let h = Harness::new(Fake::default().with(
        "vol2",
        Script {
            delay_ms: 5_000,
            ..Default::default()
        },
    ));
    let out = h.executor(p, 8, HashMap::new()).run().await.unwrap();
    assert_eq!(
        out.error_message.as_deref(),
        Some("step vol2 failed: timed out after 500 ms")
    );
}

#[tokio::test(start_paused = true)]
async fn cancel_stops_and_rolls_back() {
    let h = Harness::new(Fake::default().with(
        "vol1",
        Script {
            delay_ms: 1000,
            ..Default::default()
        },
    ));
    let mut events = h.events.subscribe();
    let ex = h.executor(plan(), 8, HashMap::new());
    let task = tokio::spawn(ex.run());
    // Cancel while vol1 is under way (before its one second of work is up).
    while !matches!(events.recv().await.unwrap().kind,
                    EventKind::StepStarted { ref step, .. } if step == "vol1")
    {}
    h.cancel.send(true).unwrap();
    let out = task.await.unwrap().unwrap();
    assert_eq!(
        out.status,
        OperationStatus::Cancelled,
        "rolled back cleanly"
    );
    assert_eq!(
        out.error_message.as_deref(),
        Some("cancelled by the operator")
    );
    assert!(
        h.fake.log().contains(&"undo vol1 \"out-vol1\"".to_string()),
        "the step in flight finishes, then is undone"
    );
    assert!(!h.fake.log().contains(&"run finalize".to_string()));
}

#[tokio::test(start_paused = true)]
async fn resume_rechecks_started_steps_and_skips_finished_ones() {
    let fake = Fake::default().with(
        "vol1",
        Script {
            check: Some(Value::String("found".into())),
            ..Default::default()
        },
    );
    let h = Harness::new(fake);
    let prior = HashMap::from([
        (
            "prepare".to_string(),
            PriorStep::Succeeded(Value::String("old".into())),
        ),
        ("vol1".to_string(), PriorStep::Started),
        ("vol2".to_string(), PriorStep::Started),
    ]);
    let out = h.executor(plan(), 8, prior).run().await.unwrap();
    let log = h.fake.log();
    assert!(
        !log.contains(&"run prepare".to_string()),
        "finished steps never run twice"
    );
    assert!(
        log.contains(&"check vol1".to_string()) && !log.contains(&"run vol1".to_string()),
        "{log:?}"
    );
    assert!(
        log.contains(&"check vol2".to_string()) && log.contains(&"run vol2".to_string()),
        "not found → run"
    );
    assert!(
        !log.contains(&"check vol3".to_string()),
        "steps that never started need no check"
    );
    assert_eq!(
        out.outputs.get("vol1"),
        Some(&Value::String("found".into()))
    );
    assert_eq!(out.status, OperationStatus::Completed);
}

mod contract;
mod rollback;
