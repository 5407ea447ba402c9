//! Creates that may have happened. A create whose answer was lost — a 5xx, a timeout, a reset
//! after the request was sent — may have made the resource: it is looked up (by its
//! deterministic name or the `drconsole:operation` tag) before it is tried again, and it is
//! tried again only once the look found nothing, a bounded number of times. So a flaky API
//! neither fails the operation nor duplicates a server, a port or a volume.

use super::{SiteRunner, step_err};
use crate::orchestrator::step::{StepCtx, StepError};
use crate::providers::ProviderError;
use rand::Rng;
use std::future::Future;
use std::time::Duration;

/// Attempts at a create in all (each after a look that found nothing).
pub(crate) const CREATE_ATTEMPTS: u32 = 4;

/// After an answer that may have been lost, a create may have had its effect: a transient
/// failure, or a conflict on a retry (the earlier attempt took the name or the address).
fn may_have_happened(e: &ProviderError, attempt: u32) -> bool {
    e.is_transient() || (attempt > 1 && e.is_conflict())
}

impl SiteRunner {
    /// Create with `create`; after a failure that may have happened, find the result with
    /// `find` first and create again only when it is not there. `what` names it in the log.
    pub(crate) async fn create_once<T, C, CF, F, FF>(
        &self,
        what: &str,
        ctx: &StepCtx,
        create: C,
        find: F,
    ) -> Result<T, StepError>
    where
        C: Fn() -> CF,
        CF: Future<Output = Result<T, ProviderError>>,
        F: Fn() -> FF,
        FF: Future<Output = Result<Option<T>, StepError>>,
    {
        let mut attempt = 1;
        let mut last: Option<ProviderError> = None;
        loop {
            if let Some(e) = &last {
                match find().await {
                    Ok(Some(found)) => {
                        ctx.log(format!("{what}: made by the attempt whose answer was lost"));
                        return Ok(found);
                    }
                    Ok(None) => {}
                    // Not known whether it exists: never create blind; look again later.
                    Err(look) if attempt < CREATE_ATTEMPTS => {
                        ctx.log(format!("{what}: {e}; cannot look for it yet ({look})"));
                        self.create_backoff(attempt).await;
                        attempt += 1;
                        continue;
                    }
                    Err(look) => return Err(look),
                }
            }
            match create().await {
                Ok(made) => return Ok(made),
                Err(e) if may_have_happened(&e, attempt) && attempt < CREATE_ATTEMPTS => {
                    ctx.log(format!(
                        "{what}: {e}; looking for it before trying again (attempt {attempt} of \
                         {CREATE_ATTEMPTS})"
                    ));
                    self.create_backoff(attempt).await;
                    attempt += 1;
                    last = Some(e);
                }
                Err(e) if may_have_happened(&e, attempt) => {
                    // The last attempt: still look, so a made resource is used, not left over.
                    return match find().await? {
                        Some(found) => Ok(found),
                        None => Err(step_err(e)),
                    };
                }
                Err(e) => return Err(step_err(e)),
            }
        }
    }

    /// Full jitter up to the poll interval × 2^(attempt-1): a busy API gets room.
    async fn create_backoff(&self, attempt: u32) {
        let cap = self
            .poll_interval
            .saturating_mul(1u32 << (attempt - 1).min(6));
        let ms = rand::rng().random_range(0..=cap.as_millis() as u64);
        tokio::time::sleep(Duration::from_millis(ms)).await;
    }
}
