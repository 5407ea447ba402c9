//! Fencing the side an operation leaves: stop its copies of the group's servers as soon as it
//! answers (`fence_source`), and verify them stopped immediately before the recovery point is
//! taken (`verify_fenced`). A copy found running stops the operation before anything is made at
//! the target, naming the server. A forced failover whose old side does not answer records that
//! it could not fence it: the engine marks the group `fence_pending`.

use crate::domain::Resource;
use crate::orchestrator::site_runner::{SiteRunner, is_off, step_err};
use crate::orchestrator::step::{AlreadyDone, Step, StepCtx, StepError, StepId, Undo};
use crate::providers::compute::Server;
use serde::{Deserialize, Serialize};

/// Stop the group's copies at `site` and wait until they are SHUTOFF.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FenceSource {
    pub site: String,
    pub servers: Vec<String>,
    /// A forced failover: an unreachable side is recorded as not fenced, and the run goes on.
    pub force: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Fenced {
    /// Every copy at the site is stopped (false: the site did not answer).
    pub fenced: bool,
    /// Ids of the servers this step stopped: what undo starts again.
    pub stopped: Vec<String>,
    /// Why the site could not be fenced.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

/// Every copy of the group's servers at `site` is SHUTOFF (or absent).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct VerifyFenced {
    pub site: String,
    pub servers: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Verified {
    /// False only when a forced failover could not reach the site at all.
    pub verified: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

impl StepId {
    pub fn fence_source() -> Self {
        Self::single(FenceSource::NAME)
    }

    pub fn verify_fenced() -> Self {
        Self::single(VerifyFenced::NAME)
    }
}

/// What a look at the side being fenced found.
enum Look {
    /// The named servers there.
    Seen(Vec<Server>),
    /// The site did not answer at all: why.
    Unreachable(String),
}

/// The named servers at `site`, or that it does not answer; any other failure is the step's.
async fn members_at(env: &SiteRunner, site: &str, names: &[String]) -> Result<Look, StepError> {
    match env.site(site)?.compute().list_servers().await {
        Ok(all) => Ok(Look::Seen(
            all.into_iter()
                .filter(|s| names.contains(&s.name))
                .collect(),
        )),
        Err(e) if e.is_unreachable() => Ok(Look::Unreachable(e.to_string())),
        Err(e) => Err(step_err(e)),
    }
}

impl Step for FenceSource {
    type Env = SiteRunner;
    type Output = Fenced;
    const NAME: &'static str = "fence_source";

    fn label(&self) -> String {
        format!("{} at {}", Self::NAME, self.site)
    }

    async fn run(&self, env: &SiteRunner, ctx: &StepCtx) -> Result<Fenced, StepError> {
        if let Look::Unreachable(why) = members_at(env, &self.site, &self.servers).await? {
            if !self.force {
                return Err(StepError::transient(format!(
                    "cannot fence {}: {why}",
                    self.site
                )));
            }
            ctx.log(format!(
                "{} does not answer: not fenced; it is fenced when it answers again",
                self.site
            ));
            return Ok(Fenced {
                fenced: false,
                stopped: Vec::new(),
                reason: Some(why),
            });
        }
        let stopped = env.stop_and_wait(&self.site, &self.servers, ctx).await?;
        ctx.log(format!("{} fenced: every copy is SHUTOFF", self.site));
        Ok(Fenced {
            fenced: true,
            stopped,
            reason: None,
        })
    }

    /// Stopping a stopped server is refused and ignored: the fence is safe to run again.
    async fn check(&self, _: &SiteRunner, _: &StepCtx) -> Result<AlreadyDone<Fenced>, StepError> {
        Ok(AlreadyDone::RepeatSafe)
    }

    /// Start what the fence stopped: the failover did not happen, production runs as before.
    async fn undo(
        &self,
        env: &SiteRunner,
        output: Option<&Fenced>,
        _: &StepCtx,
    ) -> Result<Undo, StepError> {
        match output {
            Some(o) if !o.fenced => Ok(Undo::NothingToUndo),
            Some(o) => {
                env.start_again(&self.site, &self.servers, Some(o.stopped.clone()))
                    .await
            }
            None => env.start_again(&self.site, &self.servers, None).await,
        }
    }

    /// A stop makes nothing.
    fn resources(&self, _: &Fenced) -> Vec<Resource> {
        Vec::new()
    }

    fn intended_resources(&self) -> Vec<Resource> {
        Vec::new()
    }
}

impl VerifyFenced {
    /// The first copy that is not stopped, as the operator must read it.
    fn running(&self, servers: &[Server]) -> Option<String> {
        servers.iter().find(|s| !is_off(s)).map(|s| {
            let what = match s.task_state.as_deref() {
                Some("powering-on") => "powering on".to_string(),
                _ => s.status.clone(),
            };
            format!(
                "{} is {what} at {}: started after the stop step? Stop it and retry; nothing was \
                 created at the target",
                s.name, self.site
            )
        })
    }
}

impl Step for VerifyFenced {
    type Env = SiteRunner;
    type Output = Verified;
    const NAME: &'static str = "verify_fenced";

    fn label(&self) -> String {
        format!("{} at {}", Self::NAME, self.site)
    }

    async fn run(&self, env: &SiteRunner, ctx: &StepCtx) -> Result<Verified, StepError> {
        let forced_unfenced = ctx
            .maybe_output::<FenceSource>(&StepId::fence_source())?
            .is_some_and(|f| !f.fenced);
        let servers = match members_at(env, &self.site, &self.servers).await? {
            Look::Seen(servers) => servers,
            Look::Unreachable(why) if forced_unfenced => {
                return Ok(Verified {
                    verified: false,
                    reason: Some(why),
                });
            }
            Look::Unreachable(why) => {
                return Err(StepError::transient(format!(
                    "cannot verify that {} is fenced: {why}",
                    self.site
                )));
            }
        };
        if let Some(why) = self.running(&servers) {
            return Err(StepError::fatal(why));
        }
        ctx.log(format!(
            "verified: no copy runs at {} ({} stopped)",
            self.site,
            servers.len()
        ));
        Ok(Verified {
            verified: true,
            reason: None,
        })
    }

    /// A look changes nothing: looking again is the check.
    async fn check(&self, _: &SiteRunner, _: &StepCtx) -> Result<AlreadyDone<Verified>, StepError> {
        Ok(AlreadyDone::RepeatSafe)
    }

    async fn undo(
        &self,
        _: &SiteRunner,
        _: Option<&Verified>,
        _: &StepCtx,
    ) -> Result<Undo, StepError> {
        Ok(Undo::NothingToUndo)
    }

    /// A look makes nothing.
    fn resources(&self, _: &Verified) -> Vec<Resource> {
        Vec::new()
    }

    fn intended_resources(&self) -> Vec<Resource> {
        Vec::new()
    }
}
