//! Steps on a site's copies of the group's servers: stop them (undone by starting them again) and
//! retire them (delete the servers and their ports, unmanage their volumes: cannot be undone).

use crate::orchestrator::site_runner::{SiteRunner, each, step_err};
use crate::orchestrator::step::{AlreadyDone, Resource, Step, StepCtx, StepError, StepId, Undo};
use crate::providers::network::PortFilter;
use serde::{Deserialize, Serialize};

/// Stop the group's servers at a site and wait until all are SHUTOFF.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StopServers {
    pub site: String,
    pub servers: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Stopped {
    /// Ids of the servers this step stopped (not those already stopped): what undo starts.
    pub stopped: Vec<String>,
}

/// Delete the old copies of the group's servers at a site, with their ports; their volumes are
/// unmanaged, so the data stays on the array until an administrator removes it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RetireInstances {
    pub site: String,
    pub servers: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Retired {
    /// Names of the servers deleted.
    pub servers: Vec<String>,
    pub ports: Vec<String>,
    pub volumes_unmanaged: Vec<String>,
}

impl StepId {
    pub fn stop_source_servers() -> Self {
        Self::single(StopServers::NAME)
    }

    /// The old primary's copies, once the new side runs.
    pub fn retire_source_instances() -> Self {
        Self::single("retire_source_instances")
    }

    /// Stale copies at the site about to be protected (or failed back to) again.
    pub fn retire_stale_copies() -> Self {
        Self::single("retire_stale_copies")
    }
}

impl Step for StopServers {
    type Env = SiteRunner;
    type Output = Stopped;
    const NAME: &'static str = "stop_source_servers";

    fn label(&self) -> String {
        format!("{} at {}", Self::NAME, self.site)
    }

    async fn run(&self, env: &SiteRunner, ctx: &StepCtx) -> Result<Stopped, StepError> {
        let stopped = env.stop_and_wait(&self.site, &self.servers, ctx).await?;
        Ok(Stopped { stopped })
    }

    /// Stopping a stopped server is refused and ignored: the stop is safe to run again.
    async fn check(&self, _: &SiteRunner, _: &StepCtx) -> Result<AlreadyDone<Stopped>, StepError> {
        Ok(AlreadyDone::RepeatSafe)
    }

    /// Start what the step stopped (every SHUTOFF member when its output is lost).
    async fn undo(
        &self,
        env: &SiteRunner,
        output: Option<&Stopped>,
        _: &StepCtx,
    ) -> Result<Undo, StepError> {
        let ids = output.map(|o| o.stopped.clone());
        env.start_again(&self.site, &self.servers, ids).await
    }

    fn resources(&self, _: &Stopped) -> Vec<Resource> {
        Vec::new()
    }

    fn intended_resources(&self) -> Vec<Resource> {
        Vec::new()
    }
}

impl Step for RetireInstances {
    type Env = SiteRunner;
    type Output = Retired;
    const NAME: &'static str = "retire_instances";

    fn label(&self) -> String {
        format!("{} at {}", Self::NAME, self.site)
    }

    /// In an order a run cut short can take up again: the ports go first (found by the servers
    /// they serve, which still exist), the volumes are marked as this operation's before their
    /// servers go, and what is unmanaged is what the servers held plus what carries the mark.
    async fn run(&self, env: &SiteRunner, ctx: &StepCtx) -> Result<Retired, StepError> {
        let site = self.site.as_str();
        let client = env.site(site)?;
        let servers = env.servers_named(site, &self.servers).await?;
        let all_ports = client
            .network()
            .list_ports(&PortFilter::default())
            .await
            .map_err(step_err)?;
        let ports: Vec<String> = all_ports
            .iter()
            .filter(|p| servers.iter().any(|s| s.id == p.device_id))
            .map(|p| p.id.clone())
            .collect();
        env.delete_ports(site, ports.clone()).await?;
        let attached: Vec<String> = servers.iter().flat_map(|s| s.volume_ids.clone()).collect();
        env.mark_retired(site, &attached).await?;
        let targets: Vec<(String, String)> = servers
            .iter()
            .map(|s| (s.id.clone(), s.name.clone()))
            .collect();
        let retired = each(targets, |(id, name)| async move {
            env.delete_server_and_wait(site, &id, ctx).await?;
            ctx.log(format!("retired {name} at {site}"));
            Ok(name)
        })
        .await?;
        let marked = env.marked_retired(site).await?;
        let mut volumes = attached.clone();
        volumes.extend(marked.into_iter().filter(|v| !attached.contains(v)));
        env.unmanage_each(site, volumes.clone()).await?;
        Ok(Retired {
            servers: retired,
            ports,
            volumes_unmanaged: volumes,
        })
    }

    /// Deleting what is already gone is harmless: the retire is safe to run again.
    async fn check(&self, _: &SiteRunner, _: &StepCtx) -> Result<AlreadyDone<Retired>, StepError> {
        Ok(AlreadyDone::RepeatSafe)
    }

    /// Deleted servers do not come back: plans make this step a point of no return or put it
    /// after one.
    async fn undo(
        &self,
        _: &SiteRunner,
        _: Option<&Retired>,
        _: &StepCtx,
    ) -> Result<Undo, StepError> {
        Ok(Undo::Irreversible)
    }

    fn resources(&self, _: &Retired) -> Vec<Resource> {
        Vec::new()
    }

    fn intended_resources(&self) -> Vec<Resource> {
        Vec::new()
    }
}
