//! Instance steps: stop and restart the source servers, create ports that keep IP and MAC, create
//! servers from managed volumes, wait for a boot wave, and retire the old copies.

use super::storage::volume_ids_for;
use super::{META_GROUP, META_OPERATION, SiteRunner, each, gone_is_done, step_err, strings_at};
use crate::domain::PortInfo;
use crate::orchestrator::runner::{StepCtx, StepError};
use crate::orchestrator::step_kind::ServerPlan;
use crate::providers::compute::{Server, ServerCreate};
use crate::providers::network::{Port, PortCreate, PortFilter};
use serde_json::{Value, json};
use std::collections::BTreeMap;

/// The name drconsole gives a port it creates: the server's and the network's.
pub(crate) fn port_name(server: &str, network: &str) -> String {
    format!("{server}-{network}")
}

impl SiteRunner {
    /// The group's servers at `site`, matched by exact name.
    async fn servers_named(&self, site: &str, names: &[String]) -> Result<Vec<Server>, StepError> {
        let all = self
            .site(site)?
            .compute()
            .list_servers()
            .await
            .map_err(step_err)?;
        Ok(all
            .into_iter()
            .filter(|s| names.contains(&s.name))
            .collect())
    }

    /// Stop the servers that run and wait until all are SHUTOFF.
    pub(crate) async fn stop_servers(
        &self,
        site: &str,
        names: &[String],
        ctx: &StepCtx,
    ) -> Result<Value, StepError> {
        let compute = self.site(site)?.compute();
        let servers = self.servers_named(site, names).await?;
        let running: Vec<(String, String)> = servers
            .iter()
            .filter(|s| s.status == "ACTIVE")
            .map(|s| (s.id.clone(), s.name.clone()))
            .collect();
        let stopped = each(running, |(id, name)| {
            let compute = &compute;
            async move {
                match compute.stop(&id).await {
                    Err(e) if !e.is_conflict() => return Err(step_err(e)),
                    _ => {}
                }
                ctx.log(format!("stopping {name} at {site}"));
                Ok(id)
            }
        })
        .await?;
        let total = servers.len() as u32;
        self.poll_until(ctx, || async {
            let now = self.servers_named(site, names).await?;
            let off = now.iter().filter(|s| s.status == "SHUTOFF").count() as u32;
            ctx.progress(off, total);
            Ok((off == now.len() as u32).then_some(()))
        })
        .await?;
        Ok(json!({ "stopped": stopped }))
    }

    /// Undo a stop: start what the step stopped (all SHUTOFF members when its output is lost).
    pub(crate) async fn restart_servers(
        &self,
        site: &str,
        names: &[String],
        output: &Value,
    ) -> Result<(), StepError> {
        let compute = self.site(site)?.compute();
        let mut ids = strings_at(output, "stopped");
        if output.is_null() {
            ids = self
                .servers_named(site, names)
                .await?
                .into_iter()
                .filter(|s| s.status == "SHUTOFF")
                .map(|s| s.id)
                .collect();
        }
        each(ids, |id| {
            let compute = &compute;
            async move {
                match compute.start(&id).await {
                    Err(e) if !(e.is_conflict() || e.is_not_found()) => Err(step_err(e)),
                    _ => Ok(()),
                }
            }
        })
        .await
        .map(|_| ())
    }

    /// The ports this step would make, if they already exist (same name, network and MAC).
    async fn existing_ports(
        &self,
        site: &str,
        server: &str,
        ports: &[PortInfo],
    ) -> Result<Vec<Option<Port>>, StepError> {
        let network = self.site(site)?.network();
        let mut found = Vec::new();
        for p in ports {
            let filter = PortFilter {
                name: Some(port_name(server, &p.network)),
                ..PortFilter::default()
            };
            let list = network.list_ports(&filter).await.map_err(step_err)?;
            // Only a free port is ours to reuse: one attached to a server belongs to that server.
            found.push(
                list.into_iter()
                    .find(|x| x.mac.eq_ignore_ascii_case(&p.mac) && x.device_id.is_empty()),
            );
        }
        Ok(found)
    }

    pub(crate) async fn create_ports(
        &self,
        site: &str,
        server: &str,
        ports: &[PortInfo],
    ) -> Result<Value, StepError> {
        let network = self.site(site)?.network();
        let existing = self.existing_ports(site, server, ports).await?;
        let mut ids = Vec::new();
        for (p, found) in ports.iter().zip(existing) {
            if let Some(port) = found {
                ids.push(port.id);
                continue;
            }
            let (network_id, cidrs) = self.network_named(site, &p.network).await?;
            // Keep the address when the target network's subnets hold it (the usual DR layout);
            // a drill's test network may be addressed differently: then Neutron picks one.
            let ip =
                p.ip.clone()
                    .filter(|ip| cidrs.iter().any(|c| ip_in_cidr(ip, c)));
            let req = PortCreate {
                network_id,
                name: port_name(server, &p.network),
                ip,
                mac: Some(p.mac.clone()),
            };
            let port = network.create_port(&req).await.map_err(step_err)?;
            ids.push(port.id);
        }
        Ok(json!({ "ports": ids }))
    }

    pub(crate) async fn check_ports(
        &self,
        site: &str,
        server: &str,
        ports: &[PortInfo],
    ) -> Result<Option<Value>, StepError> {
        let existing = self.existing_ports(site, server, ports).await?;
        if existing.iter().all(Option::is_some) {
            let ids: Vec<String> = existing.into_iter().flatten().map(|p| p.id).collect();
            return Ok(Some(json!({ "ports": ids })));
        }
        Ok(None)
    }

    pub(crate) async fn remove_ports(
        &self,
        site: &str,
        server: &str,
        ports: &[PortInfo],
        output: &Value,
    ) -> Result<(), StepError> {
        let network = self.site(site)?.network();
        let mut ids = strings_at(output, "ports");
        if output.is_null() {
            ids = self
                .existing_ports(site, server, ports)
                .await?
                .into_iter()
                .flatten()
                .map(|p| p.id)
                .collect();
        }
        for id in ids {
            gone_is_done(network.delete_port(&id).await)?;
        }
        Ok(())
    }

    /// The server this operation created under `name` at `site`, if any.
    pub(crate) async fn find_own_server(
        &self,
        site: &str,
        name: &str,
    ) -> Result<Option<Server>, StepError> {
        let own = self
            .site(site)?
            .compute()
            .find_servers_by_metadata(META_OPERATION, &self.operation_id)
            .await
            .map_err(step_err)?;
        Ok(own.into_iter().find(|s| s.name == name))
    }

    pub(crate) async fn create_server(
        &self,
        site: &str,
        plan: &ServerPlan,
        ctx: &StepCtx,
    ) -> Result<Value, StepError> {
        // No look for an earlier copy here: create_server is never retried, and on resume the
        // executor asks `check` (which finds it by metadata) before running it again.
        let compute = self.site(site)?.compute();
        let flavor_id = self.flavor_id(site, &plan.flavor).await?;
        let port_ids = ctx
            .output_of(&format!("create_ports:{}", plan.name))
            .map(|o| strings_at(o, "ports"))
            .unwrap_or_default();
        let volume_ids = volume_ids_for(ctx.output_of("manage_volumes"), &plan.name, &plan.volumes);
        if volume_ids.is_empty() {
            return Err(StepError::fatal(format!(
                "no managed volume to boot {} from",
                plan.name
            )));
        }
        let mut metadata = BTreeMap::new();
        metadata.insert(META_GROUP.to_string(), self.group.name.clone());
        metadata.insert(META_OPERATION.to_string(), self.operation_id.clone());
        let req = ServerCreate {
            name: plan.name.clone(),
            flavor_id,
            port_ids,
            volume_ids,
            metadata,
        };
        let id = compute.create_server(&req).await.map_err(step_err)?;
        ctx.log(format!("creating {} at {site}", plan.name));
        Ok(json!({ "server_id": id }))
    }

    /// Delete the server this operation made and wait until it is gone (volumes and ports free).
    pub(crate) async fn remove_server(
        &self,
        site: &str,
        name: &str,
        output: &Value,
        ctx: &StepCtx,
    ) -> Result<(), StepError> {
        let id: Option<String> = match output.get("server_id").and_then(Value::as_str) {
            Some(id) => Some(id.to_string()),
            None => self.find_own_server(site, name).await?.map(|s| s.id),
        };
        let Some(id) = id else { return Ok(()) };
        self.delete_server_and_wait(site, &id, ctx).await
    }

    pub(crate) async fn delete_server_and_wait(
        &self,
        site: &str,
        id: &str,
        ctx: &StepCtx,
    ) -> Result<(), StepError> {
        let compute = self.site(site)?.compute();
        match compute.delete(id).await {
            Ok(()) => {}
            Err(e) if e.is_not_found() => return Ok(()),
            Err(e) => return Err(step_err(e)),
        }
        self.poll_until(ctx, || async {
            let s = compute.get_server(id).await.map_err(step_err)?;
            Ok(s.is_none().then_some(()))
        })
        .await
    }

    /// Every server of the wave is ACTIVE; one that went to ERROR fails the step with its fault.
    pub(crate) async fn wait_active(
        &self,
        site: &str,
        names: &[String],
        ctx: &StepCtx,
    ) -> Result<Value, StepError> {
        self.poll_until(ctx, || async { self.wave_state(site, names, ctx).await })
            .await
    }

    pub(crate) async fn check_active(
        &self,
        site: &str,
        names: &[String],
        ctx: &StepCtx,
    ) -> Result<Option<Value>, StepError> {
        self.wave_state(site, names, ctx).await
    }

    async fn wave_state(
        &self,
        site: &str,
        names: &[String],
        ctx: &StepCtx,
    ) -> Result<Option<Value>, StepError> {
        let own = self
            .site(site)?
            .compute()
            .find_servers_by_metadata(META_OPERATION, &self.operation_id)
            .await
            .map_err(step_err)?;
        let wave: Vec<&Server> = own.iter().filter(|s| names.contains(&s.name)).collect();
        if let Some(bad) = wave.iter().find(|s| s.status == "ERROR") {
            return Err(StepError::fatal(format!(
                "server {} failed to boot at {site}: {}",
                bad.name,
                bad.fault.clone().unwrap_or_else(|| "no fault given".into())
            )));
        }
        let active = wave.iter().filter(|s| s.status == "ACTIVE").count();
        ctx.progress(active as u32, names.len() as u32);
        Ok((active == names.len()).then(|| {
            let ids: Vec<&str> = wave.iter().map(|s| s.id.as_str()).collect();
            json!({ "active": ids })
        }))
    }

    /// Delete the old copies of the group's servers at `site` with their ports; their volumes are
    /// unmanaged, so the data stays on the array until an administrator removes it.
    pub(crate) async fn retire_instances(
        &self,
        site: &str,
        names: &[String],
        ctx: &StepCtx,
    ) -> Result<Value, StepError> {
        let client = self.site(site)?;
        let servers = self.servers_named(site, names).await?;
        // Ports by server from one list call, then each server deleted and waited for.
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
        let volumes: Vec<String> = servers.iter().flat_map(|s| s.volume_ids.clone()).collect();
        let targets: Vec<(String, String)> = servers
            .iter()
            .map(|s| (s.id.clone(), s.name.clone()))
            .collect();
        let retired = each(targets, |(id, name)| async move {
            self.delete_server_and_wait(site, &id, ctx).await?;
            ctx.log(format!("retired {name} at {site}"));
            Ok(name)
        })
        .await?;
        let network = client.network();
        each(ports.clone(), |id| {
            let network = &network;
            async move { gone_is_done(network.delete_port(&id).await) }
        })
        .await?;
        let volume = client.volume();
        each(volumes.clone(), |id| {
            let volume = &volume;
            async move { gone_is_done(volume.unmanage_volume(&id).await) }
        })
        .await?;
        Ok(json!({ "servers": retired, "ports": ports, "volumes_unmanaged": volumes }))
    }
}

/// Does an IPv4 or IPv6 address fall in a CIDR? Unparsable input counts as "yes", so the address
/// is kept and Neutron gives the precise error.
pub(crate) fn ip_in_cidr(ip: &str, cidr: &str) -> bool {
    use std::net::IpAddr;
    let Some((net, bits)) = cidr.split_once('/') else {
        return true;
    };
    let (Ok(ip), Ok(net), Ok(bits)) = (
        ip.parse::<IpAddr>(),
        net.parse::<IpAddr>(),
        bits.parse::<u32>(),
    ) else {
        return true;
    };
    match (ip, net) {
        (IpAddr::V4(a), IpAddr::V4(n)) if bits <= 32 => {
            let mask = if bits == 0 {
                0
            } else {
                u32::MAX << (32 - bits)
            };
            u32::from(a) & mask == u32::from(n) & mask
        }
        (IpAddr::V6(a), IpAddr::V6(n)) if bits <= 128 => {
            let mask = if bits == 0 {
                0
            } else {
                u128::MAX << (128 - bits)
            };
            u128::from(a) & mask == u128::from(n) & mask
        }
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::ip_in_cidr;

    #[test]
    fn addresses_are_kept_only_inside_the_target_subnet() {
        assert!(ip_in_cidr("10.0.1.5", "10.0.1.0/24"));
        assert!(!ip_in_cidr("10.0.1.5", "10.100.1.0/24"));
        assert!(ip_in_cidr("10.0.1.5", "0.0.0.0/0"));
        assert!(ip_in_cidr("fd00::5", "fd00::/64"));
        assert!(!ip_in_cidr("fd00::5", "10.0.0.0/8"));
    }
}
