//! One execution's moving state: which steps are pending, running, done or failed, their outputs
//! and durations, the progress last journaled, and the forward loop that starts ready steps up
//! to the concurrency limit and takes in their results.

use super::attempt::attempt_step;
use super::{EventKind, Executor, Outcome, PriorStep};
use crate::domain::{OperationStatus, Phase};
use crate::orchestrator::plan::{Plan, progress};
use crate::orchestrator::runner::{JournalEntry, StepError};
use crate::orchestrator::step::{Outputs, StepId, Undo};
use serde_json::Value;
use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;
use std::time::Duration;
use tokio::task::JoinSet;
use tokio::time::Instant;

#[derive(Debug, Clone, Copy, PartialEq)]
enum State {
    Pending,
    Running,
    Succeeded,
    Failed,
}

type TaskResult = (usize, Result<Value, StepError>, Duration);

pub(super) struct Run {
    states: Vec<State>,
    /// Indices of succeeded steps in the order they finished (prior ones first, topologically).
    pub(super) finished: Vec<usize>,
    pub(super) outputs: HashMap<StepId, Arc<Value>>,
    durations: HashMap<StepId, Duration>,
    pub(super) failed: Vec<usize>,
    /// The progress last journaled: only a change is written.
    last_percent: Option<u8>,
    /// `outputs` as last handed to a step; rebuilt only after a step finished.
    shared: Option<Outputs>,
    /// Why the run failed; rollback adds what it could not undo.
    pub(super) failure: Option<String>,
    /// What the journal failed to record that the operator must know.
    pub(super) unjournaled: Vec<String>,
    resumed: Vec<bool>,
    index: HashMap<StepId, usize>,
    totals: BTreeMap<Phase, usize>,
    last_phase: Option<Phase>,
}

impl Run {
    pub(super) fn new(ex: &Executor, order: &[usize]) -> Self {
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
            unjournaled: Vec::new(),
            resumed: vec![false; n],
            index,
            totals: ex.plan.phase_totals(),
            last_phase: None,
            last_percent: None,
            shared: None,
        };
        for &i in order {
            let id = &ex.plan.steps[i].id;
            match ex.prior.get(id.as_str()) {
                Some(PriorStep::Succeeded(out)) => {
                    run.states[i] = State::Succeeded;
                    run.outputs.insert(id.clone(), Arc::new(out.clone()));
                    run.finished.push(i);
                }
                Some(PriorStep::Started) => run.resumed[i] = true,
                None => {}
            }
        }
        run
    }

    pub(super) fn shared_outputs(&mut self) -> Outputs {
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

    /// Start what is ready until a failure or a cancel; then wait for what runs to finish.
    pub(super) async fn forward(&mut self, ex: &Executor) {
        let mut tasks: JoinSet<TaskResult> = JoinSet::new();
        let mut cancel = ex.cancel.clone();
        self.publish_progress(ex).await;
        loop {
            if self.failure.is_none() {
                if *cancel.borrow() {
                    self.failure = Some("cancelled by the operator".into());
                } else {
                    let free = ex.max_concurrency.max(1).saturating_sub(tasks.len());
                    for i in self.ready(&ex.plan).into_iter().take(free) {
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
                    Some(Err(_)) | None => {}
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
            ex.publish(EventKind::Phase { phase: step.phase });
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
        self.durations.insert(id.clone(), took);
        match result {
            Ok(output) => {
                self.states[i] = State::Succeeded;
                self.outputs.insert(id, Arc::new(output));
                self.shared = None;
                self.finished.push(i);
                self.publish_progress(ex).await;
            }
            Err(e) => {
                self.states[i] = State::Failed;
                self.failed.push(i);
                if self.failure.is_none() {
                    let label = ex.plan.steps[i].label();
                    self.failure = Some(format!("step {label} failed: {}", e.message));
                }
            }
        }
    }

    /// Journal and publish the progress when it changed. A progress the journal missed is
    /// logged only: the next one, or the end, corrects it.
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
        let entry = JournalEntry::Progress(percent);
        ex.record(entry, || format!("progress {percent}%")).await;
        ex.publish(EventKind::Progress { percent });
    }

    /// Journal and publish a status. One the journal missed is told to the operator: another
    /// console, or a resume after a crash, would act on the stale one.
    pub(super) async fn set_status(&mut self, ex: &Executor, status: OperationStatus) {
        let entry = JournalEntry::Status(status);
        if let Some(missed) = ex.record(entry, || format!("the status {status}")).await {
            self.unjournaled.push(missed);
        }
        ex.publish(EventKind::Status { status });
    }

    pub(super) fn outcome(
        &self,
        plan: Plan,
        status: OperationStatus,
        steps_compensated: Vec<(StepId, Undo)>,
    ) -> Outcome {
        let ids = |list: &[usize]| -> Vec<StepId> {
            list.iter().map(|&i| plan.steps[i].id.clone()).collect()
        };
        let mut error = self
            .failure
            .iter()
            .cloned()
            .chain(self.unjournaled.iter().cloned());
        let first = error.next();
        let error_message = first.map(|f| error.fold(f, |acc, e| format!("{acc}; {e}")));
        Outcome {
            status,
            error_message,
            steps_completed: ids(&self.finished),
            steps_failed: ids(&self.failed),
            steps_compensated,
            outputs: self
                .outputs
                .iter()
                .map(|(k, v)| (k.clone(), v.as_ref().clone()))
                .collect(),
            durations: self.durations.clone(),
            plan,
        }
    }
}
