//! Ports as the steps make and look for them: the name drconsole gives a port, the free ports
//! an earlier attempt made, deleting ports, and whether an address belongs in a subnet.

use super::{SiteRunner, each, step_err};
use crate::domain::PortInfo;
use crate::orchestrator::step::StepError;
use crate::providers::network::{Port, PortFilter};

/// The name drconsole gives a port it creates: the server's and the network's.
pub(crate) fn port_name(server: &str, network: &str) -> String {
    format!("{server}-{network}")
}

impl SiteRunner {
    /// The ports a step would make for `server`, where they already exist (same name, network
    /// and MAC) and are this operation's: attached to nothing, or to the server this operation
    /// made under that name (a retry re-checking ports its server already uses).
    pub(crate) async fn existing_ports(
        &self,
        site: &str,
        server: &str,
        ports: &[PortInfo],
    ) -> Result<Vec<Option<Port>>, StepError> {
        let network = self.site(site)?.network();
        let mut lists = Vec::new();
        for p in ports {
            let filter = PortFilter {
                name: Some(port_name(server, &p.network)),
                ..PortFilter::default()
            };
            let list = network.list_ports(&filter).await.map_err(step_err)?;
            lists.push(list);
        }
        // One attached to another server belongs to that server: looked up only when needed.
        let attached = lists.iter().flatten().any(|x| !x.device_id.is_empty());
        let own = if attached {
            self.find_own_server(site, server).await?.map(|s| s.id)
        } else {
            None
        };
        let ours = |x: &Port| x.device_id.is_empty() || own.as_deref() == Some(&x.device_id);
        Ok(ports
            .iter()
            .zip(lists)
            .map(|(p, list)| {
                list.into_iter()
                    .find(|x| x.mac.eq_ignore_ascii_case(&p.mac) && ours(x))
            })
            .collect())
    }

    /// Which of `ids` (ports made for `server`) still exist, attached or not: one list call a
    /// port, by its name.
    pub(crate) async fn ports_still_there(
        &self,
        site: &str,
        server: &str,
        ports: &[PortInfo],
        ids: &[String],
    ) -> Result<Vec<String>, StepError> {
        let network = self.site(site)?.network();
        let mut there = Vec::new();
        for p in ports {
            let filter = PortFilter {
                name: Some(port_name(server, &p.network)),
                ..PortFilter::default()
            };
            let list = network.list_ports(&filter).await.map_err(step_err)?;
            there.extend(list.into_iter().map(|x| x.id).filter(|id| ids.contains(id)));
        }
        Ok(there)
    }

    /// Delete ports by id; one already gone counts as deleted.
    pub(crate) async fn delete_ports(&self, site: &str, ids: Vec<String>) -> Result<(), StepError> {
        let network = self.site(site)?.network();
        let network = &network;
        each(ids, |id| async move {
            network.delete_port(&id).await.map_err(step_err)
        })
        .await
        .map(|_| ())
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
