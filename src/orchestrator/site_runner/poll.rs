//! Waiting for a site to reach a state: poll at the runner's interval until a condition holds,
//! giving up when the operation is cancelled (the step's timeout is the executor's job).

use super::SiteRunner;
use crate::orchestrator::step::{StepCtx, StepError};
use std::future::Future;

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
        loop {
            if let Some(done) = probe().await? {
                return Ok(done);
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
