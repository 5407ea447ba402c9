//! The chaos test's faults: a seeded schedule of what the lab's control API offers (a site that
//! drops every connection for a few seconds, 5xx rates per service and method, answers lost after
//! the call was served, slow calls, failing boots, stalled replication), each injected when the
//! running operation has started its Nth step and ending by itself (`until`) or, at the latest,
//! when the run ends (the test clears the sites' faults before the operator's next step).

use super::common::Lab;
use drconsole::orchestrator::{EventKind, OperationEvent};
use rand::Rng;
use rand::rngs::StdRng;
use serde_json::{Value, json};
use std::sync::{Arc, Mutex};
use tokio::sync::broadcast::error::RecvError;

const SITES: [&str; 2] = ["site-a", "site-b"];
const SERVICES: [&str; 5] = ["compute", "network", "volume", "array", "identity"];
const CREATING: [&str; 3] = ["compute", "network", "volume"];
const METHODS: [Option<&str>; 5] = [None, Some("GET"), Some("POST"), Some("DELETE"), Some("PUT")];

/// One fault to inject once the operation has started `after_steps` steps.
#[derive(Debug, Clone)]
pub struct Injection {
    pub after_steps: usize,
    pub site: &'static str,
    /// The fault as posted, without its end.
    pub fault: Value,
    /// How long it holds (real seconds).
    pub secs: i64,
}

impl Injection {
    pub fn describe(&self) -> String {
        format!(
            "{} at {} for {} s after {} steps",
            self.fault, self.site, self.secs, self.after_steps
        )
    }
}

fn pick<T: Clone>(rng: &mut StdRng, from: &[T]) -> T {
    from[rng.random_range(0..from.len())].clone()
}

/// 0 to 2 faults for one run of an operation whose members are `members`.
pub fn schedule(rng: &mut StdRng, members: &[String]) -> Vec<Injection> {
    let n = match rng.random_range(0..4) {
        0 => 0,
        1 | 2 => 1,
        _ => 2,
    };
    let mut out: Vec<Injection> = (0..n).map(|_| one(rng, members)).collect();
    out.sort_by_key(|i| i.after_steps);
    out
}

fn one(rng: &mut StdRng, members: &[String]) -> Injection {
    let site = pick(rng, &SITES);
    let after_steps = rng.random_range(0..10);
    let rate =
        |rng: &mut StdRng, lo: f64, hi: f64| (rng.random_range(lo..hi) * 100.0).round() / 100.0;
    let (fault, secs) = match rng.random_range(0..7) {
        0 | 1 => (json!({"kind": "site_down"}), rng.random_range(1..=5)),
        2 => {
            let mut f = json!({"kind": "error_rate", "service": pick(rng, &SERVICES),
                "rate": rate(rng, 0.1, 0.6)});
            if let Some(m) = pick(rng, &METHODS) {
                f["method"] = json!(m);
            }
            (f, rng.random_range(2..=5))
        }
        3 => (
            json!({"kind": "error_rate", "service": pick(rng, &CREATING), "method": "POST",
                "rate": rate(rng, 0.2, 0.7), "answer_lost": true}),
            rng.random_range(2..=5),
        ),
        4 => (
            json!({"kind": "latency", "service": pick(rng, &SERVICES),
                "latency_ms": rng.random_range(200..1500)}),
            rng.random_range(2..=4),
        ),
        5 => (
            json!({"kind": "boot_failure", "server": pick(rng, members)}),
            rng.random_range(1..=3),
        ),
        _ => (
            json!({"kind": "replication_stalled"}),
            rng.random_range(2..=5),
        ),
    };
    Injection {
        after_steps,
        site,
        fault,
        secs,
    }
}

/// Faults injected so far, with when each ends.
pub type Injected = Arc<Mutex<Vec<(Injection, chrono::DateTime<chrono::Utc>)>>>;

/// Inject `plan` as the steps of operation `id` start (`rx` subscribed before it started, so
/// no step is missed), printing each. The task ends when every fault is in; abort it when the
/// run ends first.
pub fn spawn_injector(
    lab: Arc<Lab>,
    mut rx: tokio::sync::broadcast::Receiver<OperationEvent>,
    id: String,
    plan: Vec<Injection>,
    label: String,
) -> (tokio::task::JoinHandle<()>, Injected) {
    let injected: Injected = Arc::default();
    let done = injected.clone();
    let task = tokio::spawn(async move {
        let mut started = 0;
        for inj in plan {
            while started < inj.after_steps {
                match rx.recv().await {
                    Ok(ev) if ev.operation_id == id => {
                        if matches!(ev.kind, EventKind::StepStarted { .. }) {
                            started += 1;
                        }
                    }
                    Ok(_) | Err(RecvError::Lagged(_)) => {}
                    Err(RecvError::Closed) => return,
                }
            }
            let until = chrono::Utc::now() + chrono::Duration::seconds(inj.secs);
            let mut fault = inj.fault.clone();
            fault["until"] = json!(until.to_rfc3339());
            lab.fault(inj.site, fault).await;
            println!("  inject [{label}] {}", inj.describe());
            done.lock().expect("injected").push((inj, until));
        }
    });
    (task, injected)
}
