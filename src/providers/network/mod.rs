//! Neutron v2.0: networks, subnets and ports (list with filters, create keeping an address,
//! delete), and floating IPs (`floating.rs`). An address already in use answers 409, which
//! becomes `ErrorKind::Conflict`.

mod floating;
mod types;
mod wire;

pub use floating::{FloatingIp, FloatingIpCreate, FloatingIpFilter};

use reqwest::Method;
use serde_json::json;

pub use types::*;

use super::error::ProviderError;
use super::session::Session;

#[derive(Clone)]
pub struct Networking {
    session: Session,
}

impl Networking {
    pub(crate) fn new(session: Session) -> Self {
        Self { session }
    }

    pub async fn list_networks(&self) -> Result<Vec<Network>, ProviderError> {
        let list: wire::NetworkList = self.session.get("/v2.0/networks").await?;
        Ok(list.networks.into_iter().map(Network::from).collect())
    }

    /// The network named exactly `name` (the first, if several share it).
    pub async fn find_network(&self, name: &str) -> Result<Option<Network>, ProviderError> {
        let call = self
            .session
            .call(Method::GET, "/v2.0/networks")
            .await?
            .query("name", name);
        let list: wire::NetworkList = self.session.execute_json(call).await?;
        Ok(list
            .networks
            .into_iter()
            .map(Network::from)
            .find(|n| n.name == name))
    }

    pub async fn list_subnets(&self) -> Result<Vec<Subnet>, ProviderError> {
        let list: wire::SubnetList = self.session.get("/v2.0/subnets").await?;
        Ok(list.subnets.into_iter().map(Subnet::from).collect())
    }

    pub async fn list_ports(&self, filter: &PortFilter) -> Result<Vec<Port>, ProviderError> {
        let mut call = self.session.call(Method::GET, "/v2.0/ports").await?;
        let pairs = [
            ("device_id", &filter.device_id),
            ("network_id", &filter.network_id),
            ("name", &filter.name),
        ];
        for (key, value) in pairs {
            if let Some(v) = value {
                call = call.query(key, v.as_str());
            }
        }
        let list: wire::PortList = self.session.execute_json(call).await?;
        Ok(list.ports.into_iter().map(Port::from).collect())
    }

    /// Creates a port; 409 (`IpAddressAlreadyAllocated`, `MacAddressInUse`) is a Conflict error
    /// carrying Neutron's message.
    pub async fn create_port(&self, req: &PortCreate) -> Result<Port, ProviderError> {
        let mut port = json!({ "network_id": req.network_id, "name": req.name });
        if let Some(ip) = &req.ip {
            port["fixed_ips"] = json!([{ "ip_address": ip }]);
        }
        if let Some(mac) = &req.mac {
            port["mac_address"] = json!(mac);
        }
        let call = self
            .session
            .call(Method::POST, "/v2.0/ports")
            .await?
            .json(json!({ "port": port }));
        let one: wire::PortOne = self.session.execute_json(call).await?;
        Ok(one.port.into())
    }

    /// Deletes a port; one already gone is not an error.
    pub async fn delete_port(&self, id: &str) -> Result<(), ProviderError> {
        self.session.delete(&format!("/v2.0/ports/{id}")).await
    }
}
