//! Instance steps at the target: ports that keep IP and MAC, a server from its ports and managed
//! volumes, and the wait for a boot wave. Each finds its own earlier work (by name, MAC, or the
//! `drconsole:operation` metadata) and is undone by deleting exactly that.

use super::volumes::{ByServer, ManageVolumes, removed_any};
use crate::domain::PortInfo;
use crate::orchestrator::site_runner::{
    META_GROUP, META_OPERATION, SiteRunner, ip_in_cidr, port_name,
};
use crate::orchestrator::step::{
    AlreadyDone, Resource, ResourceKind, Step, StepCtx, StepError, StepId, Undo,
};
use crate::providers::compute::{Server, ServerCreate};
use crate::providers::network::PortCreate;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashSet};

/// Create one server's ports at the target, keeping IP and MAC.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CreatePorts {
    pub site: String,
    pub server: String,
    /// With their networks already mapped to the target's network names.
    pub ports: Vec<PortInfo>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Ports {
    /// Port ids, in the order of the step's ports.
    pub ports: Vec<String>,
}

/// A server to create at the target.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ServerPlan {
    pub name: String,
    /// The flavor's name at the target (mapped).
    pub flavor: String,
    /// Ports with their networks already mapped to the target's network names.
    pub ports: Vec<PortInfo>,
    /// Volume names in boot order (index 0 boots).
    pub volumes: Vec<String>,
    pub wave: usize,
}

/// Create one server at the target from its ports and managed volumes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CreateServer {
    pub site: String,
    pub server: ServerPlan,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CreatedServer {
    pub server_id: String,
}

/// Wait until every server of a boot wave is ACTIVE (one list call a poll, not one per server).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WaitActive {
    pub site: String,
    /// 0-based; shown 1-based.
    pub wave: usize,
    pub servers: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Active {
    /// Ids of the wave's servers, all ACTIVE.
    pub active: Vec<String>,
}

impl StepId {
    pub fn create_ports(server: &str) -> Self {
        Self::of(CreatePorts::NAME, server)
    }

    pub fn create_server(server: &str) -> Self {
        Self::of(CreateServer::NAME, server)
    }

    /// `wave` is 0-based; the id counts from 1 as the operator does.
    pub fn wait_active(wave: usize) -> Self {
        Self::of(WaitActive::NAME, format_args!("wave{}", wave + 1))
    }
}

impl Step for CreatePorts {
    type Env = SiteRunner;
    type Output = Ports;
    const NAME: &'static str = "create_ports";

    fn label(&self) -> String {
        format!("{} {}", Self::NAME, self.server)
    }

    async fn run(&self, env: &SiteRunner, ctx: &StepCtx) -> Result<Ports, StepError> {
        let site = self.site.as_str();
        let network = env.site(site)?.network();
        let existing = env.existing_ports(site, &self.server, &self.ports).await?;
        let mut ids = Vec::new();
        for (p, found) in self.ports.iter().zip(existing) {
            if let Some(port) = found {
                ids.push(port.id);
                continue;
            }
            let (network_id, cidrs) = env.network_named(site, &p.network).await?;
            // Keep the address when the target network's subnets hold it (the usual DR layout);
            // a drill's test network may be addressed differently: then Neutron picks one.
            let ip =
                p.ip.clone()
                    .filter(|ip| cidrs.iter().any(|c| ip_in_cidr(ip, c)));
            let req = PortCreate {
                network_id,
                name: port_name(&self.server, &p.network),
                ip,
                mac: Some(p.mac.clone()),
            };
            let what = format!("POST /ports {} at {site}", req.name);
            let one = std::slice::from_ref(p);
            let id = env
                .create_once(
                    &what,
                    ctx,
                    || async { network.create_port(&req).await.map(|port| port.id) },
                    || async {
                        let found = env.existing_ports(site, &self.server, one).await?;
                        Ok(found.into_iter().flatten().next().map(|port| port.id))
                    },
                )
                .await?;
            ids.push(id);
        }
        Ok(Ports { ports: ids })
    }

    /// Found when every port exists under its name and MAC, free or used by the server this
    /// operation made.
    async fn check(&self, env: &SiteRunner, _: &StepCtx) -> Result<AlreadyDone<Ports>, StepError> {
        let existing = env
            .existing_ports(&self.site, &self.server, &self.ports)
            .await?;
        let all: Option<Vec<String>> = existing.into_iter().map(|p| p.map(|p| p.id)).collect();
        Ok(AlreadyDone::found_or_not(all.map(|ports| Ports { ports })))
    }

    async fn undo(
        &self,
        env: &SiteRunner,
        output: Option<&Ports>,
        _: &StepCtx,
    ) -> Result<Undo, StepError> {
        let (site, server) = (self.site.as_str(), self.server.as_str());
        let ids = match output {
            Some(o) => {
                env.ports_still_there(site, server, &self.ports, &o.ports)
                    .await?
            }
            None => env
                .existing_ports(site, server, &self.ports)
                .await?
                .into_iter()
                .flatten()
                .map(|p| p.id)
                .collect(),
        };
        let count = ids.len();
        env.delete_ports(site, ids).await?;
        Ok(removed_any(count))
    }

    fn resources(&self, output: &Ports) -> Vec<Resource> {
        self.ports
            .iter()
            .zip(&output.ports)
            .map(|(p, id)| {
                let name = port_name(&self.server, &p.network);
                Resource::new(&self.site, ResourceKind::Port, id, &name)
            })
            .collect()
    }

    fn intended_resources(&self) -> Vec<Resource> {
        self.ports
            .iter()
            .map(|p| {
                let name = port_name(&self.server, &p.network);
                Resource::named(&self.site, ResourceKind::Port, &name)
            })
            .collect()
    }
}

impl Step for CreateServer {
    type Env = SiteRunner;
    type Output = CreatedServer;
    const NAME: &'static str = "create_server";

    fn label(&self) -> String {
        format!(
            "{} {} (wave {})",
            Self::NAME,
            self.server.name,
            self.server.wave + 1
        )
    }

    async fn run(&self, env: &SiteRunner, ctx: &StepCtx) -> Result<CreatedServer, StepError> {
        // The step is never retried whole: a create whose answer was lost is looked for by
        // metadata before it is tried again, and on resume the executor asks `check` first.
        let plan = &self.server;
        let flavor_id = env.flavor_id(&self.site, &plan.flavor).await?;
        let ports = ctx.output::<CreatePorts>(&StepId::create_ports(&plan.name))?;
        let volumes =
            env.decoded::<ManageVolumes, _>(ctx, &StepId::manage_volumes(), ByServer::from)?;
        let volume_ids = volumes.ids_for(&plan.name, &plan.volumes);
        if volume_ids.is_empty() {
            return Err(StepError::fatal(format!(
                "no managed volume to boot {} from",
                plan.name
            )));
        }
        let metadata = BTreeMap::from([
            (META_GROUP.to_string(), env.group.name.clone()),
            (META_OPERATION.to_string(), env.operation_id.clone()),
        ]);
        let req = ServerCreate {
            name: plan.name.clone(),
            flavor_id,
            port_ids: ports.ports,
            volume_ids,
            metadata,
        };
        let compute = env.site(&self.site)?.compute();
        let what = format!("POST /servers {} at {}", plan.name, self.site);
        let server_id = env
            .create_once(
                &what,
                ctx,
                || compute.create_server(&req),
                || async {
                    let found = env.find_own_server(&self.site, &plan.name).await?;
                    Ok(found.map(|s| s.id))
                },
            )
            .await?;
        ctx.log(format!("creating {} at {}", plan.name, self.site));
        Ok(CreatedServer { server_id })
    }

    /// Found when this operation's metadata marks a server of that name at the target.
    async fn check(
        &self,
        env: &SiteRunner,
        _: &StepCtx,
    ) -> Result<AlreadyDone<CreatedServer>, StepError> {
        let found = env.find_own_server(&self.site, &self.server.name).await?;
        Ok(AlreadyDone::found_or_not(
            found.map(|s| CreatedServer { server_id: s.id }),
        ))
    }

    /// Delete the server this operation made and wait until it is gone (volumes and ports free).
    async fn undo(
        &self,
        env: &SiteRunner,
        output: Option<&CreatedServer>,
        ctx: &StepCtx,
    ) -> Result<Undo, StepError> {
        let id = match output {
            Some(o) => Some(o.server_id.clone()),
            None => env
                .find_own_server(&self.site, &self.server.name)
                .await?
                .map(|s| s.id),
        };
        let Some(id) = id else {
            return Ok(Undo::NothingToUndo);
        };
        let deleted = env.delete_server_and_wait(&self.site, &id, ctx).await?;
        Ok(removed_any(usize::from(deleted)))
    }

    fn resources(&self, output: &CreatedServer) -> Vec<Resource> {
        let name = &self.server.name;
        vec![Resource::new(
            &self.site,
            ResourceKind::Server,
            &output.server_id,
            name,
        )]
    }

    fn intended_resources(&self) -> Vec<Resource> {
        let name = &self.server.name;
        vec![Resource::named(&self.site, ResourceKind::Server, name)]
    }
}

impl WaitActive {
    /// `Some` when every server of the wave is ACTIVE; a server in ERROR fails with its fault.
    async fn state(&self, env: &SiteRunner, ctx: &StepCtx) -> Result<Option<Active>, StepError> {
        // A poll: the site's list shared with the other waits there (a site failover's 20
        // groups wait at once), filtered to this operation's servers of the wave.
        let listed = env.polled_servers(&self.site, None).await?;
        let names: HashSet<&str> = self.servers.iter().map(String::as_str).collect();
        let wave: Vec<&Server> = listed
            .iter()
            .filter(|s| s.metadata.get(META_OPERATION) == Some(&env.operation_id))
            .filter(|s| names.contains(s.name.as_str()))
            .collect();
        if let Some(bad) = wave.iter().find(|s| s.status == "ERROR") {
            return Err(StepError::fatal(format!(
                "server {} failed to boot at {}: {}",
                bad.name,
                self.site,
                bad.fault.clone().unwrap_or_else(|| "no fault given".into())
            )));
        }
        let active = wave.iter().filter(|s| s.status == "ACTIVE").count();
        ctx.progress(active as u32, self.servers.len() as u32);
        Ok((active == self.servers.len()).then(|| Active {
            active: wave.iter().map(|s| s.id.clone()).collect(),
        }))
    }
}

impl Step for WaitActive {
    type Env = SiteRunner;
    type Output = Active;
    const NAME: &'static str = "wait_active";

    fn label(&self) -> String {
        format!("{} (wave {})", Self::NAME, self.wave + 1)
    }

    async fn run(&self, env: &SiteRunner, ctx: &StepCtx) -> Result<Active, StepError> {
        env.poll_until(ctx, || self.state(env, ctx)).await
    }

    /// Found when the wave is already ACTIVE; else the wait goes on.
    async fn check(
        &self,
        env: &SiteRunner,
        ctx: &StepCtx,
    ) -> Result<AlreadyDone<Active>, StepError> {
        Ok(AlreadyDone::found_or_not(self.state(env, ctx).await?))
    }

    /// A wait changes nothing at the sites.
    async fn undo(
        &self,
        _: &SiteRunner,
        _: Option<&Active>,
        _: &StepCtx,
    ) -> Result<Undo, StepError> {
        Ok(Undo::NothingToUndo)
    }

    fn resources(&self, _: &Active) -> Vec<Resource> {
        Vec::new()
    }

    fn intended_resources(&self) -> Vec<Resource> {
        Vec::new()
    }
}
