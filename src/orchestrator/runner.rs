//! The seams of the executor: how a plan's step is run, checked and undone (`StepRunner`), and
//! how its progress is journaled write-ahead (`ExecJournal`). The executor knows neither HTTP
//! nor SQL; real steps come through `SiteRunner`, whose kinds each state all three (`Step`).

use super::plan::StepSpec;
pub use super::step::{AlreadyDone, StepCtx, StepError, Undo};
pub use crate::domain::JournalEntry;
use crate::store::{Store, StoreError};
use futures_util::future::BoxFuture;
use serde_json::Value;

pub trait StepRunner: Send + Sync + 'static {
    /// Do the step; the returned output (ids of what it made) is journaled before dependents run.
    fn run<'a>(
        &'a self,
        step: &'a StepSpec,
        ctx: &'a StepCtx,
    ) -> BoxFuture<'a, Result<Value, StepError>>;

    /// Did the step happen before a crash? Then its output, found at the sites.
    fn check<'a>(
        &'a self,
        step: &'a StepSpec,
        ctx: &'a StepCtx,
    ) -> BoxFuture<'a, Result<AlreadyDone<Value>, StepError>>;

    /// Undo the step's effect, and say what that did. `output` is `None` for a step that failed
    /// part way: find what it made the way `check` does.
    fn undo<'a>(
        &'a self,
        step: &'a StepSpec,
        output: Option<&'a Value>,
        ctx: &'a StepCtx,
    ) -> BoxFuture<'a, Result<Undo, StepError>>;
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
