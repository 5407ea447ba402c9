//! The executor: runs a plan's ready steps concurrently up to a limit, each with its timeout and
//! retry policy, journaling write-ahead; on a failure or a cancel it stops starting steps, lets the
//! running ones finish, then compensates completed steps in reverse back to the last point of no
//! return. On resume, steps that had started are first re-checked with their idempotent check.

use super::events::{EventBus, EventKind};
use super::plan::{Plan, PlanError, StepSpec, progress};
use super::runner::{ExecJournal, JournalEntry, StepCtx, StepError, StepRunner};
use crate::domain::{OperationStatus, Phase};
use serde_json::Value;
use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::watch;
use tokio::task::JoinSet;
use tokio::time::Instant;

/// What the journal says of a step before this run (resume).
#[derive(Debug, Clone, PartialEq)]
pub enum PriorStep {
    Succeeded(Value),
    /// Started, never finished: it may or may not have had its effect.
    Started,
}

#[derive(Debug, Clone, PartialEq)]
enum State {
    Pending,
    Running,
    Succeeded,
    Failed,
}

/// The end of an execution.
#[derive(Debug, Clone, PartialEq)]
pub struct Outcome {
    pub status: OperationStatus,
    pub error_message: Option<String>,
    pub steps_completed: Vec<String>,
    pub steps_failed: Vec<String>,
    pub steps_compensated: Vec<String>,
    pub outputs: HashMap<String, Value>,
    pub durations: HashMap<String, Duration>,
}

pub struct Executor {
    pub operation_id: String,
    pub plan: Plan,
    pub runner: Arc<dyn StepRunner>,
    pub journal: Arc<dyn ExecJournal>,
    pub events: EventBus,
    pub max_concurrency: usize,
    pub cancel: watch::Receiver<bool>,
    pub prior: HashMap<String, PriorStep>,
}

type TaskResult = (usize, Result<Value, StepError>, Duration);

impl Executor {
    pub async fn run(self) -> Result<Outcome, PlanError> {
        let order = self.plan.validate()?;
        let mut run = Run::new(&self, &order);
        run.forward(&self).await;
        let failure = run.failure.clone();
        let mut compensated = Vec::new();
        if let Some(err) = &failure {
            self.set_status(OperationStatus::RollingBack).await;
            compensated = run.rollback(&self, err).await;
        }
        let status = if failure.is_some() {
            OperationStatus::Failed
        } else {
            OperationStatus::Completed
        };
        self.set_status(status).await;
        Ok(run.outcome(&self.plan, status, compensated))
    }

    async fn set_status(&self, status: OperationStatus) {
        let _ = self
            .journal
            .record(&self.operation_id, JournalEntry::Status(status))
            .await;
        self.events
            .publish(&self.operation_id, EventKind::Status { status });
    }

    fn ctx(&self, step: &StepSpec, outputs: Arc<HashMap<String, Arc<Value>>>) -> StepCtx {
        StepCtx {
            operation_id: Arc::from(self.operation_id.as_str()),
            step_id: Arc::from(step.id.as_str()),
            outputs,
            events: self.events.clone(),
            cancel: self.cancel.clone(),
        }
    }
}

/// The mutable state of one execution.
struct Run {
    states: Vec<State>,
    /// Indices of succeeded steps in the order they finished (prior ones first, topologically).
    finished: Vec<usize>,
    outputs: HashMap<String, Arc<Value>>,
    durations: HashMap<String, Duration>,
    failed: Vec<usize>,
    /// The progress last journaled: only a change is written.
    last_percent: Option<u8>,
    /// `outputs` as last handed to a step; rebuilt only after a step finished.
    shared: Option<Arc<HashMap<String, Arc<Value>>>>,
    failure: Option<String>,
    resumed: Vec<bool>,
    index: HashMap<String, usize>,
    totals: BTreeMap<Phase, usize>,
    last_phase: Option<Phase>,
}

impl Run {
    fn new(ex: &Executor, order: &[usize]) -> Self {
        let n = ex.plan.steps.len();
        let index = ex
            .plan
            .steps
            .iter()
            .enumerate()
            .map(|(i, s)| (s.id.clone(), i))
            .collect();
        let mut run = Run {
            states: vec![State::Pending; n],
            finished: Vec::new(),
            outputs: HashMap::new(),
            durations: HashMap::new(),
            failed: Vec::new(),
            failure: None,
            resumed: vec![false; n],
            index,
            totals: ex.plan.phase_totals(),
            last_phase: None,
            last_percent: None,
            shared: None,
        };
        for &i in order {
            match ex.prior.get(&ex.plan.steps[i].id) {
                Some(PriorStep::Succeeded(out)) => {
                    run.states[i] = State::Succeeded;
                    run.outputs
                        .insert(ex.plan.steps[i].id.clone(), Arc::new(out.clone()));
                    run.finished.push(i);
                }
                Some(PriorStep::Started) => run.resumed[i] = true,
                None => {}
            }
        }
        run
    }

    fn shared_outputs(&mut self) -> Arc<HashMap<String, Arc<Value>>> {
        let outputs = &self.outputs;
        self.shared
            .get_or_insert_with(|| Arc::new(outputs.clone()))
            .clone()
    }

    fn ready(&self, plan: &Plan) -> Vec<usize> {
        (0..plan.steps.len())
            .filter(|&i| self.states[i] == State::Pending)
            .filter(|&i| {
                plan.steps[i].deps.iter().all(|d| {
                    self.index
                        .get(d)
                        .is_some_and(|&j| self.states[j] == State::Succeeded)
                })
            })
            .collect()
    }

    async fn forward(&mut self, ex: &Executor) {
        let mut tasks: JoinSet<TaskResult> = JoinSet::new();
        let mut cancel = ex.cancel.clone();
        self.publish_progress(ex).await;
        loop {
            if self.failure.is_none() {
                if *cancel.borrow() {
                    self.failure = Some("cancelled by the operator".into());
                } else {
                    for i in self.ready(&ex.plan) {
                        if tasks.len() >= ex.max_concurrency.max(1) {
                            break;
                        }
                        self.start(ex, i, &mut tasks);
                    }
                }
            }
            if tasks.is_empty() {
                break;
            }
            tokio::select! {
                joined = tasks.join_next() => match joined {
                    Some(Ok((i, result, took))) => self.finish(ex, i, result, took).await,
                    Some(Err(join_err)) if self.failure.is_none() => {
                        self.failure = Some(format!("a step task ended abnormally: {join_err}"));
                    }
                    Some(Err(_)) => {}
                    None => {}
                },
                changed = cancel.changed(), if self.failure.is_none() => {
                    if changed.is_err() || *cancel.borrow() {
                        self.failure = Some("cancelled by the operator".into());
                    }
                }
            }
        }
    }

    fn start(&mut self, ex: &Executor, i: usize, tasks: &mut JoinSet<TaskResult>) {
        self.states[i] = State::Running;
        let step = ex.plan.steps[i].clone();
        if self.last_phase.is_none_or(|p| step.phase > p) {
            self.last_phase = Some(step.phase);
            ex.events
                .publish(&ex.operation_id, EventKind::Phase { phase: step.phase });
        }
        let ctx = ex.ctx(&step, self.shared_outputs());
        let runner = ex.runner.clone();
        let journal = ex.journal.clone();
        let resumed = self.resumed[i];
        tasks.spawn(async move {
            let started = Instant::now();
            let result = attempt_step(&*runner, &*journal, &step, &ctx, resumed).await;
            (i, result, started.elapsed())
        });
    }

    async fn finish(
        &mut self,
        ex: &Executor,
        i: usize,
        result: Result<Value, StepError>,
        took: Duration,
    ) {
        let id = ex.plan.steps[i].id.clone();
        match result {
            Ok(output) => {
                self.states[i] = State::Succeeded;
                self.outputs.insert(id.clone(), Arc::new(output));
                self.shared = None;
                self.durations.insert(id, took);
                self.finished.push(i);
                self.publish_progress(ex).await;
            }
            Err(e) => {
                self.states[i] = State::Failed;
                self.failed.push(i);
                self.durations.insert(id.clone(), took);
                if self.failure.is_none() {
                    self.failure = Some(format!(
                        "step {} failed: {}",
                        ex.plan.steps[i].label(),
                        e.message
                    ));
                }
            }
        }
    }

    async fn publish_progress(&mut self, ex: &Executor) {
        let mut done: BTreeMap<Phase, usize> = BTreeMap::new();
        for &i in &self.finished {
            *done.entry(ex.plan.steps[i].phase).or_insert(0) += 1;
        }
        let percent = progress(&self.totals, &done);
        if self.last_percent == Some(percent) {
            return;
        }
        self.last_percent = Some(percent);
        let _ = ex
            .journal
            .record(&ex.operation_id, JournalEntry::Progress(percent))
            .await;
        ex.events
            .publish(&ex.operation_id, EventKind::Progress { percent });
    }

    /// Compensate in reverse: the failed steps (they may have half-acted), then completed steps
    /// back to the last point of no return. Returns the ids compensated.
    async fn rollback(&mut self, ex: &Executor, reason: &str) -> Vec<String> {
        ex.events.publish(
            &ex.operation_id,
            EventKind::Log {
                line: format!("rolling back: {reason}"),
            },
        );
        let mut order: Vec<(usize, Value)> =
            self.failed.iter().map(|&i| (i, Value::Null)).collect();
        for &i in self.finished.iter().rev() {
            if ex.plan.steps[i].no_rollback {
                break;
            }
            order.push((
                i,
                self.outputs
                    .get(&ex.plan.steps[i].id)
                    .map(|v| v.as_ref().clone())
                    .unwrap_or(Value::Null),
            ));
        }
        let mut compensated = Vec::new();
        for (i, output) in order {
            let step = &ex.plan.steps[i];
            if step.no_rollback {
                continue;
            }
            let ctx = ex.ctx(step, self.shared_outputs());
            match ex.runner.compensate(step, &output, &ctx).await {
                Ok(()) => {
                    let _ = ex
                        .journal
                        .record(
                            &ex.operation_id,
                            JournalEntry::StepCompensated {
                                step: step.id.clone(),
                            },
                        )
                        .await;
                    ex.events.publish(
                        &ex.operation_id,
                        EventKind::StepCompensated {
                            step: step.id.clone(),
                        },
                    );
                    compensated.push(step.id.clone());
                }
                Err(e) => {
                    let msg = format!(
                        "rollback of {} failed: {}; clean it up by hand",
                        step.label(),
                        e.message
                    );
                    ex.events
                        .publish(&ex.operation_id, EventKind::Log { line: msg.clone() });
                    if let Some(f) = self.failure.as_mut() {
                        f.push_str("; ");
                        f.push_str(&msg);
                    }
                }
            }
        }
        compensated
    }

    fn outcome(
        &self,
        plan: &Plan,
        status: OperationStatus,
        steps_compensated: Vec<String>,
    ) -> Outcome {
        Outcome {
            status,
            error_message: self.failure.clone(),
            steps_completed: self
                .finished
                .iter()
                .map(|&i| plan.steps[i].id.clone())
                .collect(),
            steps_failed: self
                .failed
                .iter()
                .map(|&i| plan.steps[i].id.clone())
                .collect(),
            steps_compensated,
            outputs: self
                .outputs
                .iter()
                .map(|(k, v)| (k.clone(), v.as_ref().clone()))
                .collect(),
            durations: self.durations.clone(),
        }
    }
}

/// One step: re-check if resumed, then attempts with timeout and backoff, journaled write-ahead.
async fn attempt_step(
    runner: &dyn StepRunner,
    journal: &dyn ExecJournal,
    step: &StepSpec,
    ctx: &StepCtx,
    resumed: bool,
) -> Result<Value, StepError> {
    let op = &*ctx.operation_id;
    let events = &ctx.events;
    let started = Instant::now();
    if resumed && let Some(output) = runner.check(step, ctx).await? {
        ctx.log(format!("{}: already done before the restart", step.label()));
        return succeed(journal, events, op, step, output, started).await;
    }
    let attempts = step.retry.attempts.max(1);
    let mut attempt = 1;
    loop {
        journal
            .record(
                op,
                JournalEntry::StepStarted {
                    step: step.id.clone(),
                    attempt,
                },
            )
            .await
            .map_err(|e| {
                StepError::fatal(format!("cannot journal the start of {}: {e}", step.id))
            })?;
        events.publish(
            op,
            EventKind::StepStarted {
                step: step.id.clone(),
                label: step.label(),
                attempt,
            },
        );
        let limit = Duration::from_millis(step.timeout_ms);
        let result = match tokio::time::timeout(limit, runner.run(step, ctx)).await {
            Ok(r) => r,
            Err(_) => Err(StepError::transient(format!(
                "timed out after {}",
                humanize(limit)
            ))),
        };
        match result {
            Ok(output) => return succeed(journal, events, op, step, output, started).await,
            Err(e) => {
                let will_retry = e.retryable && attempt < attempts && !ctx.is_cancelled();
                events.publish(
                    op,
                    EventKind::StepFailed {
                        step: step.id.clone(),
                        error: e.message.clone(),
                        will_retry,
                    },
                );
                if !will_retry {
                    let _ = journal
                        .record(
                            op,
                            JournalEntry::StepFailed {
                                step: step.id.clone(),
                                error: e.message.clone(),
                            },
                        )
                        .await;
                    return Err(e);
                }
                tokio::time::sleep(Duration::from_millis(
                    step.retry.backoff_ms << (attempt - 1).min(6),
                ))
                .await;
                attempt += 1;
            }
        }
    }
}

async fn succeed(
    journal: &dyn ExecJournal,
    events: &EventBus,
    op: &str,
    step: &StepSpec,
    output: Value,
    started: Instant,
) -> Result<Value, StepError> {
    let duration_ms = started.elapsed().as_millis() as u64;
    journal
        .record(
            op,
            JournalEntry::StepSucceeded {
                step: step.id.clone(),
                output: output.clone(),
                duration_ms,
            },
        )
        .await
        .map_err(|e| StepError::fatal(format!("cannot journal the end of {}: {e}", step.id)))?;
    events.publish(
        op,
        EventKind::StepSucceeded {
            step: step.id.clone(),
            duration_ms,
        },
    );
    Ok(output)
}

fn humanize(d: Duration) -> String {
    if d.as_secs() >= 1 {
        format!("{} s", d.as_secs())
    } else {
        format!("{} ms", d.as_millis())
    }
}

#[cfg(test)]
mod tests;
