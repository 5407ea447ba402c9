//! Neutron v2.0: version document, networks, subnets, and ports (list with filters, create with a
//! fixed IP and MAC, show, delete), with Neutron's error shapes.

use super::errors;
use crate::lab::state::Ctx;
use crate::lab::world::ops::{NewPort, PortError};
use crate::lab::world::{Port, Site};
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use serde::Deserialize;
use serde_json::{Value, json};
use std::collections::HashMap;

type Filters = Vec<(String, String)>;

pub fn routes() -> Router<Ctx> {
    let v = "/network/v2.0";
    Router::new()
        .route("/network", get(versions))
        .route("/network/", get(versions))
        .route(&format!("{v}/networks"), get(networks))
        .route(&format!("{v}/networks/{{id}}"), get(network))
        .route(&format!("{v}/subnets"), get(subnets))
        .route(&format!("{v}/subnets/{{id}}"), get(subnet))
        .route(&format!("{v}/ports"), get(ports).post(create_port))
        .route(&format!("{v}/ports/{{id}}"), get(port).delete(delete_port))
}

async fn versions(State(ctx): State<Ctx>) -> Json<Value> {
    let href = format!("{}/network/v2.0/", ctx.base_url());
    Json(json!({"versions": [{"id": "v2.0", "status": "CURRENT",
        "links": [{"rel": "self", "href": href}]}]}))
}

/// Neutron filters: every given key must match one of its given values.
fn passes(filters: &Filters, field: impl Fn(&str) -> Option<String>) -> bool {
    let keys: Vec<&str> = filters.iter().map(|(k, _)| k.as_str()).collect();
    keys.iter().all(|k| match field(k) {
        None => true,
        Some(actual) => filters.iter().any(|(fk, fv)| fk == k && *fv == actual),
    })
}

fn render_network(site: &Site, n: &crate::lab::world::Network) -> Value {
    json!({"id": n.id, "name": n.name, "status": "ACTIVE", "subnets": n.subnet_ids,
        "admin_state_up": true, "project_id": site.identity.project_id,
        "tenant_id": site.identity.project_id, "shared": false, "router:external": n.external,
        "mtu": 1450})
}

async fn networks(State(ctx): State<Ctx>, Query(q): Query<Filters>) -> Json<Value> {
    ctx.with(|site, _| {
        let list: Vec<Value> = site
            .networks
            .iter()
            .filter(|n| {
                passes(&q, |k| match k {
                    "id" => Some(n.id.clone()),
                    "name" => Some(n.name.clone()),
                    _ => None,
                })
            })
            .map(|n| render_network(site, n))
            .collect();
        Json(json!({"networks": list}))
    })
}

async fn network(State(ctx): State<Ctx>, Path(id): Path<String>) -> Response {
    ctx.with(|site, _| match site.network(&id) {
        Some(n) => Json(json!({"network": render_network(site, n)})).into_response(),
        None => errors::neutron(
            404,
            "NetworkNotFound",
            &format!("Network {id} could not be found."),
        ),
    })
}

/// Neutron's defaults for an IPv4 subnet: the gateway is the first address, the pool the rest
/// (without the broadcast address).
fn gateway_and_pool(cidr: &str) -> Option<(String, String, String)> {
    let (addr, len) = cidr.split_once('/')?;
    let base = u32::from(addr.parse::<std::net::Ipv4Addr>().ok()?);
    let size = 1u32.checked_shl(32 - len.parse::<u32>().ok()?.min(30))?;
    let ip = |n: u32| std::net::Ipv4Addr::from(base + n).to_string();
    Some((ip(1), ip(2), ip(size - 2)))
}

fn render_subnet(site: &Site, s: &crate::lab::world::Subnet) -> Value {
    let (gateway, pools) = match gateway_and_pool(&s.cidr) {
        Some((gw, start, end)) => (json!(gw), json!([{"start": start, "end": end}])),
        None => (Value::Null, json!([])),
    };
    json!({"id": s.id, "name": s.name, "network_id": s.network_id, "cidr": s.cidr,
        "ip_version": 4, "enable_dhcp": true, "gateway_ip": gateway,
        "allocation_pools": pools, "dns_nameservers": [], "host_routes": [],
        "project_id": site.identity.project_id, "tenant_id": site.identity.project_id})
}

async fn subnets(State(ctx): State<Ctx>, Query(q): Query<Filters>) -> Json<Value> {
    ctx.with(|site, _| {
        let list: Vec<Value> = site
            .subnets
            .iter()
            .filter(|s| {
                passes(&q, |k| match k {
                    "id" => Some(s.id.clone()),
                    "name" => Some(s.name.clone()),
                    "network_id" => Some(s.network_id.clone()),
                    _ => None,
                })
            })
            .map(|s| render_subnet(site, s))
            .collect();
        Json(json!({"subnets": list}))
    })
}

async fn subnet(State(ctx): State<Ctx>, Path(id): Path<String>) -> Response {
    ctx.with(|site, _| match site.subnets.iter().find(|s| s.id == id) {
        Some(s) => Json(json!({"subnet": render_subnet(site, s)})).into_response(),
        None => errors::neutron(
            404,
            "SubnetNotFound",
            &format!("Subnet {id} could not be found."),
        ),
    })
}

/// Each server's status by id: one pass over the servers for a whole list of ports.
fn server_status(site: &Site) -> HashMap<&str, &str> {
    site.servers
        .iter()
        .map(|s| (s.id.as_str(), s.status.as_str()))
        .collect()
}

fn render_port(site: &Site, p: &Port) -> Value {
    render_port_with(site, p, &server_status(site))
}

fn render_port_with(site: &Site, p: &Port, servers: &HashMap<&str, &str>) -> Value {
    let status = match servers.get(p.device_id.as_str()) {
        Some(&"ACTIVE") => "ACTIVE",
        _ => "DOWN",
    };
    let ips: Vec<Value> = p
        .fixed_ips
        .iter()
        .map(|f| json!({"subnet_id": f.subnet_id, "ip_address": f.ip_address}))
        .collect();
    json!({"id": p.id, "name": p.name, "network_id": p.network_id,
        "mac_address": p.mac_address, "fixed_ips": ips, "device_id": p.device_id,
        "device_owner": p.device_owner, "status": status,
        "admin_state_up": true, "project_id": site.identity.project_id,
        "tenant_id": site.identity.project_id,
        "created_at": crate::lab::clock::iso(p.created_at)})
}

async fn ports(State(ctx): State<Ctx>, Query(q): Query<Filters>) -> Json<Value> {
    ctx.with(|site, _| {
        let servers = server_status(site);
        let list: Vec<Value> = site
            .ports
            .iter()
            .filter(|p| {
                passes(&q, |k| match k {
                    "id" => Some(p.id.clone()),
                    "name" => Some(p.name.clone()),
                    "device_id" => Some(p.device_id.clone()),
                    "network_id" => Some(p.network_id.clone()),
                    "mac_address" => Some(p.mac_address.clone()),
                    "device_owner" => Some(p.device_owner.clone()),
                    _ => None,
                })
            })
            .map(|p| render_port_with(site, p, &servers))
            .collect();
        Json(json!({"ports": list}))
    })
}

async fn port(State(ctx): State<Ctx>, Path(id): Path<String>) -> Response {
    ctx.with(|site, _| match site.ports.iter().find(|p| p.id == id) {
        Some(p) => Json(json!({"port": render_port(site, p)})).into_response(),
        None => errors::neutron(
            404,
            "PortNotFound",
            &format!("Port {id} could not be found."),
        ),
    })
}

#[derive(Deserialize)]
struct CreateBody {
    port: CreatePort,
}

#[derive(Deserialize)]
struct CreatePort {
    network_id: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    fixed_ips: Vec<RequestedIp>,
    mac_address: Option<String>,
    #[serde(default)]
    device_id: String,
    #[serde(default)]
    device_owner: String,
}

#[derive(Deserialize)]
struct RequestedIp {
    ip_address: Option<String>,
}

async fn create_port(
    State(ctx): State<Ctx>,
    body: Result<Json<CreateBody>, axum::extract::rejection::JsonRejection>,
) -> Response {
    let Ok(Json(CreateBody { port: req })) = body else {
        return errors::neutron(
            400,
            "HTTPBadRequest",
            "expected {\"port\": {\"network_id\": …}}",
        );
    };
    ctx.with(|site, now| {
        let network_id = req.network_id.clone();
        let new = NewPort {
            network_id: req.network_id,
            name: req.name,
            ip: req.fixed_ips.into_iter().find_map(|f| f.ip_address),
            mac: req.mac_address,
            device_id: req.device_id,
            device_owner: req.device_owner,
        };
        match site.add_port(new, now) {
            Ok(p) => (StatusCode::CREATED, Json(json!({"port": render_port(site, &p)})))
                .into_response(),
            Err(PortError::NetworkNotFound) => errors::neutron(
                404,
                "NetworkNotFound",
                &format!("Network {network_id} could not be found."),
            ),
            Err(PortError::IpInUse(ip)) => errors::neutron(
                409,
                "IpAddressAlreadyAllocated",
                &format!("IP address {ip} already allocated in subnet of network {network_id}."),
            ),
            Err(PortError::MacInUse(mac)) => errors::neutron(
                409,
                "MacAddressInUse",
                &format!("Unable to complete operation for network {network_id}. The mac address {mac} is in use."),
            ),
            Err(PortError::BadAddress(ip)) => errors::neutron(
                400,
                "InvalidIpForNetwork",
                &format!("IP address {ip} is not a valid IP for any of the subnets on the specified network."),
            ),
            Err(PortError::NoAddress) => errors::neutron(
                409,
                "IpAddressGenerationFailure",
                &format!("No more IP addresses available on network {network_id}."),
            ),
        }
    })
}

async fn delete_port(State(ctx): State<Ctx>, Path(id): Path<String>) -> Response {
    ctx.with(|site, _| {
        let before = site.ports.len();
        site.ports.retain(|p| p.id != id);
        if site.ports.len() < before {
            StatusCode::NO_CONTENT.into_response()
        } else {
            errors::neutron(
                404,
                "PortNotFound",
                &format!("Port {id} could not be found."),
            )
        }
    })
}
