//! The seams of the executor: how a step is run, checked and compensated (`StepRunner`), and how
//! its progress is journaled write-ahead (`ExecJournal`). The executor knows neither HTTP nor SQL.

use super::events::{EventBus, EventKind};
use super::plan::StepSpec;
pub use crate::domain::JournalEntry;
use crate::store::{Store, StoreError};
use futures_util::future::BoxFuture;
use serde_json::Value;
use std::collections::HashMap;
use std::fmt;
use std::sync::Arc;
use tokio::sync::watch;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StepError {
    pub message: String,
    /// A transient fault (timeout, 5xx, a busy resource): the step's retry policy may try again.
    pub retryable: bool,
}

impl StepError {
    pub fn fatal(message: impl Into<String>) -> Self {
        Self {
            message: message.into(),
            retryable: false,
        }
    }

    pub fn transient(message: impl Into<String>) -> Self {
        Self {
            message: message.into(),
            retryable: true,
        }
    }
}

impl fmt::Display for StepError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for StepError {}

/// What a running step may see and say.
#[derive(Clone)]
pub struct StepCtx {
    pub operation_id: Arc<str>,
    pub step_id: Arc<str>,
    /// Outputs of the steps that finished before this one started.
    /// Shared, not copied: a step of a 1,000-instance plan starts without cloning the rest.
    pub outputs: Arc<HashMap<String, Arc<Value>>>,
    pub events: EventBus,
    pub cancel: watch::Receiver<bool>,
}

impl StepCtx {
    pub fn output_of(&self, step_id: &str) -> Option<&Value> {
        self.outputs.get(step_id).map(|v| v.as_ref())
    }

    pub fn progress(&self, done: u32, total: u32) {
        self.events.publish(
            &self.operation_id,
            EventKind::StepProgress {
                step: self.step_id.to_string(),
                done,
                total,
            },
        );
    }

    pub fn log(&self, line: impl Into<String>) {
        self.events
            .publish(&self.operation_id, EventKind::Log { line: line.into() });
    }

    pub fn is_cancelled(&self) -> bool {
        *self.cancel.borrow()
    }
}

pub trait StepRunner: Send + Sync + 'static {
    /// Do the step; the returned output (ids of what it made) is journaled before dependents run.
    fn run<'a>(
        &'a self,
        step: &'a StepSpec,
        ctx: &'a StepCtx,
    ) -> BoxFuture<'a, Result<Value, StepError>>;

    /// Is the step already done (it ran before a crash)? Then its output, found at the sites.
    fn check<'a>(
        &'a self,
        step: &'a StepSpec,
        ctx: &'a StepCtx,
    ) -> BoxFuture<'a, Result<Option<Value>, StepError>>;

    /// Undo the step's effect. `output` is `Null` for a step that failed part way: find what it
    /// made the way `check` does.
    fn compensate<'a>(
        &'a self,
        step: &'a StepSpec,
        output: &'a Value,
        ctx: &'a StepCtx,
    ) -> BoxFuture<'a, Result<(), StepError>>;
}

pub trait ExecJournal: Send + Sync + 'static {
    fn record<'a>(
        &'a self,
        operation_id: &'a str,
        entry: JournalEntry,
    ) -> BoxFuture<'a, Result<(), StoreError>>;
}

/// A journal that keeps nothing (dry runs and tests of the executor alone).
pub struct NoJournal;

impl ExecJournal for NoJournal {
    fn record<'a>(&'a self, _: &'a str, _: JournalEntry) -> BoxFuture<'a, Result<(), StoreError>> {
        Box::pin(async { Ok(()) })
    }
}

/// The real journal: the store's group-committed write-ahead path.
impl ExecJournal for Store {
    fn record<'a>(
        &'a self,
        operation_id: &'a str,
        entry: JournalEntry,
    ) -> BoxFuture<'a, Result<(), StoreError>> {
        Box::pin(self.commit(operation_id, entry))
    }
}
