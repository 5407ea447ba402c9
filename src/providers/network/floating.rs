//! Neutron's floating IPs (API.md §3): list with filters, allocate on an external network
//! (keeping an address when asked), associate to a port or release, delete.

use super::Networking;
use crate::providers::error::ProviderError;
use crate::sanitize::clean;
use reqwest::Method;
use serde::Deserialize;
use serde_json::{Value, json};

/// A floating IP as Neutron shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FloatingIp {
    pub id: String,
    pub address: String,
    /// The external network it is allocated on.
    pub network_id: String,
    /// The port it forwards to; `None` while it is only allocated.
    pub port_id: Option<String>,
    pub fixed_ip: Option<String>,
    /// `ACTIVE` (associated) or `DOWN`.
    pub status: String,
    pub description: String,
}

/// `POST /v2.0/floatingips`: allocate on an external network, keeping `address` when given.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct FloatingIpCreate {
    pub network_id: String,
    pub address: Option<String>,
    pub port_id: Option<String>,
    pub description: Option<String>,
}

/// `GET /v2.0/floatingips` filters; `None` filters nothing.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct FloatingIpFilter {
    pub port_id: Option<String>,
    pub address: Option<String>,
}

#[derive(Deserialize)]
struct List {
    floatingips: Vec<Wire>,
}

#[derive(Deserialize)]
struct One {
    floatingip: Wire,
}

#[derive(Deserialize)]
struct Wire {
    id: String,
    #[serde(default)]
    floating_ip_address: String,
    #[serde(default)]
    floating_network_id: String,
    #[serde(default)]
    port_id: Option<String>,
    #[serde(default)]
    fixed_ip_address: Option<String>,
    #[serde(default)]
    status: String,
    #[serde(default)]
    description: Option<String>,
}

impl From<Wire> for FloatingIp {
    fn from(w: Wire) -> Self {
        FloatingIp {
            id: clean(&w.id),
            address: clean(&w.floating_ip_address),
            network_id: clean(&w.floating_network_id),
            port_id: w.port_id.as_deref().map(clean),
            fixed_ip: w.fixed_ip_address.as_deref().map(clean),
            status: clean(&w.status),
            description: w.description.as_deref().map(clean).unwrap_or_default(),
        }
    }
}

impl Networking {
    pub async fn list_floating_ips(
        &self,
        filter: &FloatingIpFilter,
    ) -> Result<Vec<FloatingIp>, ProviderError> {
        let mut call = self.session.call(Method::GET, "/v2.0/floatingips").await?;
        if let Some(p) = &filter.port_id {
            call = call.query("port_id", p.as_str());
        }
        if let Some(a) = &filter.address {
            call = call.query("floating_ip_address", a.as_str());
        }
        let list: List = self.session.execute_json(call).await?;
        Ok(list.floatingips.into_iter().map(FloatingIp::from).collect())
    }

    /// Allocate a floating IP on an external network, its address when given (an address in
    /// use answers 409: a Conflict), associated to its port when given.
    pub async fn create_floating_ip(
        &self,
        req: &FloatingIpCreate,
    ) -> Result<FloatingIp, ProviderError> {
        let mut body = json!({ "floating_network_id": req.network_id });
        if let Some(a) = &req.address {
            body["floating_ip_address"] = json!(a);
        }
        if let Some(p) = &req.port_id {
            body["port_id"] = json!(p);
        }
        if let Some(d) = &req.description {
            body["description"] = json!(d);
        }
        let call = self
            .session
            .call(Method::POST, "/v2.0/floatingips")
            .await?
            .json(json!({ "floatingip": body }));
        let one: One = self.session.execute_json(call).await?;
        Ok(one.floatingip.into())
    }

    /// Associate the floating IP to `port_id`, or release it (`None`): idempotent.
    pub async fn set_floating_ip_port(
        &self,
        id: &str,
        port_id: Option<&str>,
    ) -> Result<FloatingIp, ProviderError> {
        let port = port_id.map_or(Value::Null, |p| json!(p));
        let call = self
            .session
            .call(Method::PUT, &format!("/v2.0/floatingips/{id}"))
            .await?
            .json(json!({ "floatingip": { "port_id": port } }));
        let one: One = self.session.execute_json(call).await?;
        Ok(one.floatingip.into())
    }

    /// Deletes a floating IP; one already gone is not an error.
    pub async fn delete_floating_ip(&self, id: &str) -> Result<(), ProviderError> {
        self.session
            .delete(&format!("/v2.0/floatingips/{id}"))
            .await
    }
}
