//! The executor's seam for real steps: a plan's step run, checked and undone through its kind's
//! `Step` impl against the sites.

use crate::orchestrator::plan::StepSpec;
use crate::orchestrator::runner::StepRunner;
use crate::orchestrator::site_runner::SiteRunner;
use crate::orchestrator::step::{AlreadyDone, StepCtx, StepError, Undo};
use futures_util::future::BoxFuture;
use serde_json::Value;

impl StepRunner for SiteRunner {
    fn run<'a>(
        &'a self,
        step: &'a StepSpec,
        ctx: &'a StepCtx,
    ) -> BoxFuture<'a, Result<Value, StepError>> {
        Box::pin(step.kind.run(self, ctx))
    }

    fn check<'a>(
        &'a self,
        step: &'a StepSpec,
        ctx: &'a StepCtx,
    ) -> BoxFuture<'a, Result<AlreadyDone<Value>, StepError>> {
        Box::pin(step.kind.check(self, ctx))
    }

    fn undo<'a>(
        &'a self,
        step: &'a StepSpec,
        output: Option<&'a Value>,
        ctx: &'a StepCtx,
    ) -> BoxFuture<'a, Result<Undo, StepError>> {
        Box::pin(step.kind.undo(self, output, ctx))
    }
}
