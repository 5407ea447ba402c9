//! Floating IPs move with the servers: released at the side left (kept allocated there, so the
//! address is never lost to the pool and an undo gives it back), then held at the new primary on
//! its external network — the same address where that network allows it, else the operator's
//! mapping — and associated to the recovered server's port. Undone by releasing or deleting what
//! the target holds and associating the source's floating IP to its port again.

use super::instances::CreatePorts;
use crate::domain::FloatingIpInfo;
use crate::orchestrator::site_runner::{SiteRunner, step_err};
use crate::orchestrator::step::{
    AlreadyDone, Resource, ResourceKind, Step, StepCtx, StepError, StepId, Undo,
};
use crate::providers::network::{FloatingIp, FloatingIpCreate, FloatingIpFilter};
use serde::{Deserialize, Serialize};

/// Move the group's floating IPs from the side left to the new primary's ports.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MoveFloatingIps {
    pub source: String,
    pub target: String,
    /// A forced failover: a source that does not answer keeps its floating IPs (it is fenced).
    pub force: bool,
    pub moves: Vec<FloatingIpMove>,
}

/// One floating IP: where it is at the source and where it goes at the target.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FloatingIpMove {
    pub server: String,
    /// The port's index among the server's `create_ports` ports.
    pub port: usize,
    pub source: FloatingIpInfo,
    /// The target's external network, by name (mapped).
    pub network: String,
    /// The address to hold at the target; `None`: Neutron picks one (mapped to `auto`).
    pub address: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MovedFloatingIps {
    pub moved: Vec<MovedFloatingIp>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MovedFloatingIp {
    pub server: String,
    /// The floating IP at the target.
    pub id: String,
    pub address: String,
    /// This operation allocated it (else it was there, free, and was associated).
    pub created: bool,
    /// Released at the source (a forced failover's unreachable source was not).
    pub released: bool,
}

impl StepId {
    pub fn move_floating_ips() -> Self {
        Self::single(MoveFloatingIps::NAME)
    }
}

/// The description drconsole gives a floating IP it allocates: how a retry and an undo know it.
fn marker(operation_id: &str) -> String {
    format!("drconsole:operation={operation_id}")
}

impl MoveFloatingIps {
    /// Release `m`'s floating IP at the source: `false` when a forced failover's source does
    /// not answer.
    async fn release(&self, env: &SiteRunner, m: &FloatingIpMove) -> Result<bool, StepError> {
        let net = env.site(&self.source)?.network();
        match net.set_floating_ip_port(&m.source.id, None).await {
            Ok(_) => Ok(true),
            Err(e) if e.is_not_found() => Ok(true),
            Err(e) if self.force && e.is_unreachable() => Ok(false),
            Err(e) => Err(step_err(e)),
        }
    }

    /// The floating IPs at the target that could be `m`'s: on its port, or of its address.
    async fn at_target(
        &self,
        env: &SiteRunner,
        m: &FloatingIpMove,
        port: &str,
    ) -> Result<Vec<FloatingIp>, StepError> {
        let net = env.site(&self.target)?.network();
        let on_port = FloatingIpFilter {
            port_id: Some(port.to_string()),
            ..FloatingIpFilter::default()
        };
        let mut found = net.list_floating_ips(&on_port).await.map_err(step_err)?;
        if let Some(a) = &m.address {
            let of_address = FloatingIpFilter {
                address: Some(a.clone()),
                ..FloatingIpFilter::default()
            };
            found.extend(net.list_floating_ips(&of_address).await.map_err(step_err)?);
        }
        Ok(found)
    }

    /// Hold `m`'s address at the target on `port`: the one already there (ours, or free),
    /// else a new one.
    async fn hold(
        &self,
        env: &SiteRunner,
        m: &FloatingIpMove,
        port: &str,
    ) -> Result<MovedFloatingIp, StepError> {
        let net = env.site(&self.target)?.network();
        let mine = marker(&env.operation_id);
        let found = self.at_target(env, m, port).await?;
        let moved = |f: &FloatingIp| MovedFloatingIp {
            server: m.server.clone(),
            id: f.id.clone(),
            address: f.address.clone(),
            created: f.description == mine,
            released: true,
        };
        if let Some(f) = found.iter().find(|f| f.port_id.as_deref() == Some(port)) {
            return Ok(moved(f));
        }
        if let Some(f) = found.first() {
            if f.port_id.is_some() {
                return Err(StepError::fatal(format!(
                    "floating IP {} is held at {} by port {} (not {}'s): release it there, or \
                     map it with --floating-ip-mapping {}=auto",
                    f.address,
                    self.target,
                    f.port_id.as_deref().unwrap_or_default(),
                    m.server,
                    m.source.address
                )));
            }
            let f = net
                .set_floating_ip_port(&f.id, Some(port))
                .await
                .map_err(step_err)?;
            return Ok(moved(&f));
        }
        let (network_id, _) = env.network_named(&self.target, &m.network).await?;
        let req = FloatingIpCreate {
            network_id,
            address: m.address.clone(),
            port_id: Some(port.to_string()),
            description: Some(mine.clone()),
        };
        let f = net.create_floating_ip(&req).await.map_err(step_err)?;
        Ok(moved(&f))
    }

    /// `m`'s target port, made by this operation's `create_ports`.
    fn port(ctx: &StepCtx, m: &FloatingIpMove) -> Result<Option<String>, StepError> {
        let ports = ctx.maybe_output::<CreatePorts>(&StepId::create_ports(&m.server))?;
        Ok(ports.and_then(|p| p.ports.get(m.port).cloned()))
    }

    /// Undo one move: what the target holds is deleted (ours) or released (it was there), and
    /// the source's floating IP is associated to its port again.
    async fn give_back(
        &self,
        env: &SiteRunner,
        m: &FloatingIpMove,
        done: Option<&MovedFloatingIp>,
        ctx: &StepCtx,
    ) -> Result<bool, StepError> {
        let net = env.site(&self.target)?.network();
        let mine = marker(&env.operation_id);
        let held: Vec<FloatingIp> = match (done, Self::port(ctx, m)?) {
            (Some(d), _) => vec![FloatingIp {
                id: d.id.clone(),
                description: if d.created {
                    mine.clone()
                } else {
                    String::new()
                },
                ..empty_fip()
            }],
            (None, Some(port)) => self.at_target(env, m, &port).await?,
            (None, None) => Vec::new(),
        };
        let mut changed = false;
        for f in held {
            let r = if f.description == mine {
                net.delete_floating_ip(&f.id).await
            } else {
                net.set_floating_ip_port(&f.id, None).await.map(|_| ())
            };
            changed |= crate::orchestrator::site_runner::was_there(r)?;
        }
        if done.is_some_and(|d| !d.released) {
            return Ok(changed);
        }
        let src = env.site(&self.source)?.network();
        match src
            .set_floating_ip_port(&m.source.id, Some(&m.source.port_id))
            .await
        {
            Ok(_) => Ok(true),
            Err(e) if self.force && e.is_unreachable() => Ok(changed),
            Err(e) => Err(step_err(e)),
        }
    }
}

fn empty_fip() -> FloatingIp {
    FloatingIp {
        id: String::new(),
        address: String::new(),
        network_id: String::new(),
        port_id: None,
        fixed_ip: None,
        status: String::new(),
        description: String::new(),
    }
}

impl Step for MoveFloatingIps {
    type Env = SiteRunner;
    type Output = MovedFloatingIps;
    const NAME: &'static str = "move_floating_ips";

    fn label(&self) -> String {
        let addresses: Vec<&str> = self
            .moves
            .iter()
            .map(|m| m.source.address.as_str())
            .collect();
        format!("{} {}", Self::NAME, addresses.join(", "))
    }

    async fn run(&self, env: &SiteRunner, ctx: &StepCtx) -> Result<MovedFloatingIps, StepError> {
        let mut moved = Vec::new();
        for (done, m) in self.moves.iter().enumerate() {
            let port = Self::port(ctx, m)?.ok_or_else(|| {
                StepError::fatal(format!(
                    "{}'s port was not made at {}",
                    m.server, self.target
                ))
            })?;
            let released = self.release(env, m).await?;
            let mut held = self.hold(env, m, &port).await?;
            held.released = released;
            ctx.log(format!(
                "floating IP {} → {} at {} ({})",
                m.source.address, held.address, self.target, m.server
            ));
            moved.push(held);
            ctx.progress(done as u32 + 1, self.moves.len() as u32);
        }
        Ok(MovedFloatingIps { moved })
    }

    /// A run finds its own earlier work (the port's association, the address, the description
    /// it gives what it allocates): running it again makes nothing twice.
    async fn check(
        &self,
        _: &SiteRunner,
        _: &StepCtx,
    ) -> Result<AlreadyDone<MovedFloatingIps>, StepError> {
        Ok(AlreadyDone::RepeatSafe)
    }

    async fn undo(
        &self,
        env: &SiteRunner,
        output: Option<&MovedFloatingIps>,
        ctx: &StepCtx,
    ) -> Result<Undo, StepError> {
        let mut changed = 0;
        for (i, m) in self.moves.iter().enumerate() {
            // The output lists the moves in order; a run cut short lists the first ones.
            let done = output
                .and_then(|o| o.moved.get(i))
                .filter(|d| d.server == m.server);
            changed += usize::from(self.give_back(env, m, done, ctx).await?);
        }
        Ok(super::volumes::removed_any(changed))
    }

    /// The floating IPs this operation allocated at the target (those it only associated were
    /// there before it and stay when it is cleaned up).
    fn resources(&self, output: &MovedFloatingIps) -> Vec<Resource> {
        output
            .moved
            .iter()
            .filter(|m| m.created)
            .map(|m| Resource::new(&self.target, ResourceKind::FloatingIp, &m.id, &m.address))
            .collect()
    }

    fn intended_resources(&self) -> Vec<Resource> {
        self.moves
            .iter()
            .map(|m| {
                let name = m.address.as_deref().unwrap_or(&m.source.address);
                Resource::named(&self.target, ResourceKind::FloatingIp, name)
            })
            .collect()
    }
}
