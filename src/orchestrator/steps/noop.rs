//! A step that does nothing but succeed: a join in a DAG, and the executor's tests.

use crate::orchestrator::site_runner::SiteRunner;
use crate::orchestrator::step::{AlreadyDone, Resource, Step, StepCtx, StepError, Undo};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Noop {
    pub name: String,
}

impl Step for Noop {
    type Env = SiteRunner;
    type Output = ();
    const NAME: &'static str = "noop";

    fn label(&self) -> String {
        self.name.clone()
    }

    async fn run(&self, _: &SiteRunner, _: &StepCtx) -> Result<(), StepError> {
        Ok(())
    }

    async fn check(&self, _: &SiteRunner, _: &StepCtx) -> Result<AlreadyDone<()>, StepError> {
        Ok(AlreadyDone::RepeatSafe)
    }

    async fn undo(&self, _: &SiteRunner, _: Option<&()>, _: &StepCtx) -> Result<Undo, StepError> {
        Ok(Undo::NothingToUndo)
    }

    fn resources(&self, _: &()) -> Vec<Resource> {
        Vec::new()
    }

    fn intended_resources(&self) -> Vec<Resource> {
        Vec::new()
    }
}
