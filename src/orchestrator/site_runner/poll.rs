//! Waiting for a site to reach a state: poll at the runner's interval until a condition holds,
//! giving up when the operation is cancelled (the step's timeout is the executor's job). A poll
//! that fails transiently is a missed look, not a failed wait — up to a few in a row.

use super::SiteRunner;
use crate::orchestrator::step::{StepCtx, StepError};
use std::future::Future;

/// Transient failures in a row a wait rides out (each already retried by the HTTP client); one
/// more ends it, so a site that is gone fails the step in seconds, not at its timeout.
pub(crate) const POLL_MISSES_TOLERATED: u32 = 3;

impl SiteRunner {
    /// Call `probe` until it returns `Some`; an `Err` ends the wait with that error.
    pub(crate) async fn poll_until<T, F, Fut>(
        &self,
        ctx: &StepCtx,
        mut probe: F,
    ) -> Result<T, StepError>
    where
        F: FnMut() -> Fut,
        Fut: Future<Output = Result<Option<T>, StepError>>,
    {
        let mut cancel = ctx.cancel.clone();
        let mut misses = 0;
        loop {
            match probe().await {
                Ok(Some(done)) => return Ok(done),
                Ok(None) => misses = 0,
                Err(e) if e.retryable && misses < POLL_MISSES_TOLERATED => {
                    misses += 1;
                    tracing::debug!("{}: a look failed ({}), looking again", ctx.step_id, e);
                }
                Err(e) => return Err(e),
            }
            if *cancel.borrow() {
                return Err(StepError::fatal("cancelled by the operator"));
            }
            tokio::select! {
                _ = tokio::time::sleep(self.poll_interval) => {}
                _ = cancel.changed() => {}
            }
        }
    }
}
