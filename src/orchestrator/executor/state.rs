//! One execution's moving state: which steps are pending, running, done or failed, their outputs
//! and durations, the progress last journaled, and the forward loop that starts ready steps up
//! to the concurrency limit and takes in their results.

use super::attempt::{Start, attempt_step};
use super::ready::{Ready, State, ancestors_outputs};
use super::{EventKind, Executor, LeftBehind, Mode, Outcome, PriorStep};
use crate::domain::{OperationStatus, Phase, Resource};
use crate::orchestrator::plan::{Plan, progress};
use crate::orchestrator::runner::{JournalEntry, StepError};
use crate::orchestrator::step::{Outputs, StepId, Undo};
use serde_json::Value;
use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::watch;
use tokio::task::JoinSet;
use tokio::time::Instant;

type TaskResult = (usize, Result<Value, StepError>, Duration);

pub(super) struct Run {
    pub(super) states: Vec<State>,
    /// Indices of succeeded steps in the order they finished (prior ones first, topologically).
    pub(super) finished: Vec<usize>,
    pub(super) outputs: HashMap<StepId, Arc<Value>>,
    durations: HashMap<StepId, Duration>,
    /// Failed steps (this run's, then, rolling back, the ones an earlier run left unfinished).
    pub(super) failed: Vec<usize>,
    /// Left behind by an earlier rollback, with the output they had (rolling back again).
    pub(super) left_before: Vec<(usize, Option<Arc<Value>>)>,
    /// Steps whose undo could not run in this rollback, with why and what they made.
    pub(super) left_behind: Vec<(usize, String, Vec<Resource>)>,
    /// The progress last journaled: only a change is written.
    last_percent: Option<u8>,
    /// `outputs` as last handed to a step; rebuilt only after a step finished.
    shared: Option<Outputs>,
    /// Why the run failed; rollback adds what it could not undo.
    pub(super) failure: Option<String>,
    /// The operator cancelled it (rather than a step failing).
    pub(super) cancelled: bool,
    /// The point of no return that stood when rollback began.
    pub(super) ponr: Option<usize>,
    /// What the journal failed to record that the operator must know.
    pub(super) unjournaled: Vec<String>,
    starts: Vec<Start>,
    index: HashMap<StepId, usize>,
    totals: BTreeMap<Phase, usize>,
    /// Finished steps per phase, over the first `counted` of `finished`.
    done: BTreeMap<Phase, usize>,
    counted: usize,
    last_phase: Option<Phase>,
    /// Kept alive so compensations get a cancel that never fires.
    pub(super) never_cancelled: watch::Sender<bool>,
}

const CANCELLED: &str = "cancelled by the operator";

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
            left_before: Vec::new(),
            left_behind: Vec::new(),
            failure: None,
            cancelled: false,
            ponr: None,
            unjournaled: Vec::new(),
            starts: vec![Start::Fresh; n],
            index,
            totals: ex.plan.phase_totals(),
            done: BTreeMap::new(),
            counted: 0,
            last_phase: None,
            last_percent: None,
            shared: None,
            never_cancelled: watch::channel(false).0,
        };
        let rolling_back = matches!(ex.mode, Mode::Rollback { .. });
        for &i in order {
            let id = ex.plan.steps[i].id.clone();
            if let Some(p) = ex.prior.get(id.as_str()) {
                run.take_prior(i, id, p, rolling_back);
            }
        }
        run
    }

    /// What the journal says of step `i` before this run.
    fn take_prior(&mut self, i: usize, id: StepId, prior: &PriorStep, rolling_back: bool) {
        match prior {
            PriorStep::Succeeded(out) => self.succeeded_before(i, id, out),
            PriorStep::Finished(out) if rolling_back => self.succeeded_before(i, id, out),
            PriorStep::Finished(out) => self.starts[i] = Start::Verify(out.clone()),
            PriorStep::Started if rolling_back => {
                self.states[i] = State::Failed;
                self.failed.push(i);
            }
            PriorStep::Started => self.starts[i] = Start::Resumed,
            PriorStep::Compensated if rolling_back => self.states[i] = State::Compensated,
            // Going forward again, what was undone runs again (looked for first).
            PriorStep::Compensated => self.starts[i] = Start::Resumed,
            PriorStep::LeftBehind(out) if rolling_back => {
                self.states[i] = State::Failed;
                self.left_before.push((i, out.clone().map(Arc::new)));
            }
            PriorStep::LeftBehind(_) => self.starts[i] = Start::Resumed,
        }
    }

    fn succeeded_before(&mut self, i: usize, id: StepId, out: &Value) {
        self.states[i] = State::Succeeded;
        self.outputs.insert(id, Arc::new(out.clone()));
        self.finished.push(i);
    }

    pub(super) fn shared_outputs(&mut self) -> Outputs {
        let outputs = &self.outputs;
        self.shared
            .get_or_insert_with(|| Arc::new(outputs.clone()))
            .clone()
    }

    /// Start what is ready until a failure or a cancel; then wait for what runs to finish.
    pub(super) async fn forward(&mut self, ex: &Executor) {
        let mut tasks: JoinSet<TaskResult> = JoinSet::new();
        let mut cancel = ex.cancel.clone();
        let mut ready = Ready::new(&ex.plan, &self.index, &self.states);
        self.publish_progress(ex).await;
        loop {
            self.start_ready(ex, &mut ready, &mut tasks, &cancel);
            if tasks.is_empty() {
                break;
            }
            tokio::select! {
                joined = tasks.join_next() => match joined {
                    Some(Ok((i, result, took))) => {
                        self.finish(ex, i, result, took);
                        if self.states[i] == State::Succeeded {
                            ready.succeeded(i, &self.states);
                            // Dependents start before the progress is journaled: that write
                            // is no step's prerequisite, and awaited first it put a journal
                            // commit between every step and the next.
                            self.start_ready(ex, &mut ready, &mut tasks, &cancel);
                            self.publish_progress(ex).await;
                        }
                    }
                    Some(Err(join_err)) if self.failure.is_none() => {
                        self.failure = Some(format!("a step task ended abnormally: {join_err}"));
                    }
                    Some(Err(_)) | None => {}
                },
                changed = cancel.changed(), if self.failure.is_none() => {
                    if changed.is_err() || *cancel.borrow() {
                        self.cancel();
                    }
                }
            }
        }
    }

    /// Start ready steps up to the concurrency limit, unless the run failed or was cancelled.
    fn start_ready(
        &mut self,
        ex: &Executor,
        ready: &mut Ready,
        tasks: &mut JoinSet<TaskResult>,
        cancel: &watch::Receiver<bool>,
    ) {
        if self.failure.is_some() {
            return;
        }
        if *cancel.borrow() {
            self.cancel();
            return;
        }
        let free = ex.max_concurrency.max(1).saturating_sub(tasks.len());
        for i in ready.take(free, &self.states) {
            self.start(ex, i, tasks);
        }
    }

    fn cancel(&mut self) {
        self.failure = Some(CANCELLED.into());
        self.cancelled = true;
    }

    fn start(&mut self, ex: &Executor, i: usize, tasks: &mut JoinSet<TaskResult>) {
        self.states[i] = State::Running;
        let step = ex.plan.steps[i].clone();
        if self.last_phase.is_none_or(|p| step.phase > p) {
            self.last_phase = Some(step.phase);
            ex.publish(EventKind::Phase { phase: step.phase });
        }
        let ctx = ex.ctx(
            &step,
            ancestors_outputs(&ex.plan, &self.index, &self.outputs, i),
        );
        let runner = ex.runner.clone();
        let journal = ex.journal.clone();
        let how = self.starts[i].clone();
        tasks.spawn(async move {
            let started = Instant::now();
            let result = attempt_step(&*runner, &*journal, &step, &ctx, how).await;
            (i, result, started.elapsed())
        });
    }

    fn finish(
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
        for &i in &self.finished[self.counted..] {
            *self.done.entry(ex.plan.steps[i].phase).or_insert(0) += 1;
        }
        self.counted = self.finished.len();
        let percent = progress(&self.totals, &self.done);
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

    /// The point of no return that stands: a succeeded step after which nothing before it is
    /// undone.
    pub(super) fn point_of_no_return(&self, plan: &Plan) -> Option<usize> {
        self.finished
            .iter()
            .rev()
            .copied()
            .find(|&i| plan.steps[i].no_rollback && self.states[i] == State::Succeeded)
    }

    /// How the run ended: completed; or, after a rollback, rollback_failed when a step is left
    /// behind, failed when a point of no return stands (what it did stays), cancelled when the
    /// operator asked and everything was undone, else failed.
    pub(super) fn end_status(&self, mode: &Mode) -> OperationStatus {
        if self.failure.is_none() {
            return OperationStatus::Completed;
        }
        if !self.left_behind.is_empty() {
            return OperationStatus::RollbackFailed;
        }
        match mode {
            Mode::Rollback { then, .. } => *then,
            Mode::Forward if self.cancelled && self.ponr_stands() => OperationStatus::Failed,
            Mode::Forward if self.cancelled => OperationStatus::Cancelled,
            Mode::Forward => OperationStatus::Failed,
        }
    }

    fn ponr_stands(&self) -> bool {
        self.ponr.is_some()
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
            left_behind: self
                .left_behind
                .iter()
                .map(|(i, error, resources)| LeftBehind {
                    step: plan.steps[*i].id.clone(),
                    error: error.clone(),
                    resources: resources.clone(),
                })
                .collect(),
            point_of_no_return: self.ponr.map(|i| plan.steps[i].id.clone()),
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
