//! A drill run with `retain_primary = false`: production is quiesced (stopped, by a
//! `quiesce_primary` step of the `StopServers` kind) for the drill's duration, and its cleanup
//! starts again exactly the servers the drill stopped, waiting until they are ACTIVE.

use super::servers::{StopServers, Stopped};
use crate::orchestrator::site_runner::{SiteRunner, each, state_err, step_err};
use crate::orchestrator::step::{AlreadyDone, Resource, Step, StepCtx, StepError, StepId, Undo};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RestartQuiesced {
    /// The production site the drill quiesced.
    pub site: String,
    /// The drill whose `quiesce_primary` step stopped them.
    pub test_operation: String,
    pub servers: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Restarted {
    /// Ids of the servers started again.
    pub started: Vec<String>,
}

impl StepId {
    /// A drill's stop of production (a `StopServers` step under its own id).
    pub fn quiesce_primary() -> Self {
        Self::single("quiesce_primary")
    }

    pub fn restart_primary() -> Self {
        Self::single(RestartQuiesced::NAME)
    }
}

impl StopServers {
    /// Quiesce production for a drill.
    pub fn quiesce(site: &str, servers: Vec<String>) -> Self {
        Self {
            site: site.into(),
            servers,
        }
    }
}

impl RestartQuiesced {
    /// The ids the drill's quiesce step stopped, as its journal recorded them.
    async fn stopped_by_drill(&self, env: &SiteRunner) -> Result<Vec<String>, StepError> {
        let drill = env
            .state
            .recorded(&self.test_operation)
            .await
            .map_err(state_err)?;
        let Some(out) = drill.outputs.get(StepId::quiesce_primary().as_str()) else {
            return Ok(Vec::new());
        };
        let stopped = Stopped::deserialize(out).map_err(|e| {
            StepError::fatal(format!(
                "the journaled quiesce of drill {} is unreadable: {e}",
                self.test_operation
            ))
        })?;
        Ok(stopped.stopped)
    }
}

impl Step for RestartQuiesced {
    type Env = SiteRunner;
    type Output = Restarted;
    const NAME: &'static str = "restart_primary";

    fn label(&self) -> String {
        format!("{} at {}", Self::NAME, self.site)
    }

    async fn run(&self, env: &SiteRunner, ctx: &StepCtx) -> Result<Restarted, StepError> {
        let ids = self.stopped_by_drill(env).await?;
        let compute = env.site(&self.site)?.compute();
        each(ids.clone(), |id| {
            let compute = &compute;
            async move {
                match compute.start(&id).await {
                    Err(e) if !(e.is_conflict() || e.is_not_found()) => Err(step_err(e)),
                    _ => Ok(()),
                }
            }
        })
        .await?;
        env.poll_until(ctx, || async {
            let servers = env.servers_named(&self.site, &self.servers).await?;
            let up = servers
                .iter()
                .filter(|s| ids.contains(&s.id))
                .all(|s| s.status == "ACTIVE");
            Ok(up.then_some(()))
        })
        .await?;
        ctx.log(format!(
            "production at {} runs again: {} server(s) started",
            self.site,
            ids.len()
        ));
        Ok(Restarted { started: ids })
    }

    /// Starting a running server is refused and ignored: the restart is safe to run again.
    async fn check(
        &self,
        _: &SiteRunner,
        _: &StepCtx,
    ) -> Result<AlreadyDone<Restarted>, StepError> {
        Ok(AlreadyDone::RepeatSafe)
    }

    /// Production running again is what the operator asked for: it is never stopped again.
    async fn undo(
        &self,
        _: &SiteRunner,
        _: Option<&Restarted>,
        _: &StepCtx,
    ) -> Result<Undo, StepError> {
        Ok(Undo::Irreversible)
    }

    fn resources(&self, _: &Restarted) -> Vec<Resource> {
        Vec::new()
    }

    fn intended_resources(&self) -> Vec<Resource> {
        Vec::new()
    }
}
