//! `validate_sites`: both sites answer (or, when forced, the target does) before anything changes.

use crate::orchestrator::site_runner::SiteRunner;
use crate::orchestrator::step::{AlreadyDone, Resource, Step, StepCtx, StepError, StepId, Undo};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ValidateSites {
    pub source: String,
    pub target: String,
    /// An unplanned failover while the source is down: only the target must answer.
    pub force: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SitesValidated {
    pub source_reachable: bool,
}

impl StepId {
    pub fn validate_sites() -> Self {
        Self::single(ValidateSites::NAME)
    }
}

impl Step for ValidateSites {
    type Env = SiteRunner;
    type Output = SitesValidated;
    const NAME: &'static str = "validate_sites";

    async fn run(&self, env: &SiteRunner, _: &StepCtx) -> Result<SitesValidated, StepError> {
        let target_probe = env.site(&self.target)?.probe().await;
        if !target_probe.reachable {
            return Err(StepError::transient(format!(
                "target site {} is unreachable: {}",
                self.target,
                target_probe.error.unwrap_or_default()
            )));
        }
        let probe = env.site(&self.source)?.probe().await;
        if !probe.reachable && !self.force {
            return Err(StepError::fatal(format!(
                "source site {} is unreachable: {}; for an unplanned failover while it is down, \
                 use --unplanned --force",
                self.source,
                probe.error.unwrap_or_default()
            )));
        }
        Ok(SitesValidated {
            source_reachable: probe.reachable,
        })
    }

    /// A probe changes nothing: asking again is the check.
    async fn check(
        &self,
        _: &SiteRunner,
        _: &StepCtx,
    ) -> Result<AlreadyDone<SitesValidated>, StepError> {
        Ok(AlreadyDone::RepeatSafe)
    }

    async fn undo(
        &self,
        _: &SiteRunner,
        _: Option<&SitesValidated>,
        _: &StepCtx,
    ) -> Result<Undo, StepError> {
        Ok(Undo::NothingToUndo)
    }

    fn resources(&self, _: &SitesValidated) -> Vec<Resource> {
        Vec::new()
    }

    fn intended_resources(&self) -> Vec<Resource> {
        Vec::new()
    }
}
