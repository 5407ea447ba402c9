//! `swap_primary`: record the new current primary in the group's journaled state — the point
//! after which an operation is finished forward, never rolled back.

use crate::orchestrator::site_runner::{SiteRunner, state_err};
use crate::orchestrator::step::{AlreadyDone, Resource, Step, StepCtx, StepError, StepId, Undo};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SwapPrimary {
    pub new_primary: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PrimarySwapped {
    pub current_primary: String,
}

impl StepId {
    pub fn swap_primary() -> Self {
        Self::single(SwapPrimary::NAME)
    }
}

impl Step for SwapPrimary {
    type Env = SiteRunner;
    type Output = PrimarySwapped;
    const NAME: &'static str = "swap_primary";

    async fn run(&self, env: &SiteRunner, _: &StepCtx) -> Result<PrimarySwapped, StepError> {
        env.state
            .swap_primary(&env.group.name, &self.new_primary)
            .await
            .map_err(state_err)?;
        Ok(PrimarySwapped {
            current_primary: self.new_primary.clone(),
        })
    }

    /// Found when the journal already names the new primary.
    async fn check(
        &self,
        env: &SiteRunner,
        _: &StepCtx,
    ) -> Result<AlreadyDone<PrimarySwapped>, StepError> {
        let now = env
            .state
            .current_primary(&env.group.name)
            .await
            .map_err(state_err)?;
        let swapped = now == self.new_primary;
        Ok(AlreadyDone::found_or_not(swapped.then_some(
            PrimarySwapped {
                current_primary: now,
            },
        )))
    }

    /// Plans make it a point of no return: the workloads run on the new primary now.
    async fn undo(
        &self,
        _: &SiteRunner,
        _: Option<&PrimarySwapped>,
        _: &StepCtx,
    ) -> Result<Undo, StepError> {
        Ok(Undo::Irreversible)
    }

    fn resources(&self, _: &PrimarySwapped) -> Vec<Resource> {
        Vec::new()
    }

    fn intended_resources(&self) -> Vec<Resource> {
        Vec::new()
    }
}
