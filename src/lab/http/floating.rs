//! Neutron's floating IPs (API.md §3): list with filters, allocate (an address kept when asked
//! for), show, associate or release (`PUT` with `port_id` or `null`), delete; and the API
//! extensions the OpenStack client asks for before it makes one.

use super::errors;
use crate::lab::state::Ctx;
use crate::lab::world::{FipError, FloatingIp, NewFip, Site};
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use serde::Deserialize;
use serde_json::{Value, json};

pub fn routes() -> Router<Ctx> {
    let v = "/network/v2.0";
    Router::new()
        .route(&format!("{v}/floatingips"), get(list).post(create))
        .route(
            &format!("{v}/floatingips/{{id}}"),
            get(show).put(update).delete(delete),
        )
        .route(&format!("{v}/extensions"), get(extensions))
        .route(&format!("{v}/extensions/{{alias}}"), get(extension))
}

/// The API extensions the lab's Neutron has (what the OpenStack client asks before some calls).
const EXTENSIONS: [(&str, &str); 3] = [
    ("external-net", "Neutron external network"),
    ("router", "Neutron L3 Router"),
    ("standard-attr-description", "standard-attr-description"),
];

fn render_extension((alias, name): (&str, &str)) -> Value {
    json!({"alias": alias, "name": name, "description": name,
        "updated": "2013-01-20T00:00:00-00:00", "links": []})
}

async fn extensions() -> Json<Value> {
    let list: Vec<Value> = EXTENSIONS.into_iter().map(render_extension).collect();
    Json(json!({"extensions": list}))
}

async fn extension(Path(alias): Path<String>) -> Response {
    match EXTENSIONS.into_iter().find(|(a, _)| *a == alias) {
        Some(e) => Json(json!({"extension": render_extension(e)})).into_response(),
        None => errors::neutron(
            404,
            "ExtensionNotFound",
            &format!("Extension with alias {alias} does not exist"),
        ),
    }
}

/// Its port only while that port exists: a deleted port takes its association along.
fn render(site: &Site, f: &FloatingIp) -> Value {
    let port = site.fip_port(f);
    let fixed = port
        .and_then(|p| p.fixed_ips.first())
        .map(|i| i.ip_address.clone());
    json!({"id": f.id, "floating_ip_address": f.address, "floating_network_id": f.network_id,
        "port_id": port.map(|p| p.id.clone()), "fixed_ip_address": fixed,
        "status": if port.is_some() { "ACTIVE" } else { "DOWN" },
        "router_id": null, "description": f.description,
        "project_id": site.identity.project_id, "tenant_id": site.identity.project_id,
        "created_at": crate::lab::clock::iso(f.created_at)})
}

async fn list(State(ctx): State<Ctx>, Query(q): Query<Vec<(String, String)>>) -> Json<Value> {
    ctx.with(|site, _| {
        let wants = |key: &str, actual: Option<&str>| {
            let given: Vec<&str> = q
                .iter()
                .filter(|(k, _)| k == key)
                .map(|(_, v)| v.as_str())
                .collect();
            given.is_empty() || actual.is_some_and(|a| given.contains(&a))
        };
        let list: Vec<Value> = site
            .floating_ips
            .iter()
            .filter(|f| {
                let port = site.fip_port(f).map(|p| p.id.as_str());
                wants("id", Some(&f.id))
                    && wants("floating_ip_address", Some(&f.address))
                    && wants("floating_network_id", Some(&f.network_id))
                    && wants("port_id", port)
            })
            .map(|f| render(site, f))
            .collect();
        Json(json!({"floatingips": list}))
    })
}

fn not_found(id: &str) -> Response {
    errors::neutron(
        404,
        "FloatingIPNotFound",
        &format!("Floating IP {id} could not be found"),
    )
}

async fn show(State(ctx): State<Ctx>, Path(id): Path<String>) -> Response {
    ctx.with(
        |site, _| match site.floating_ips.iter().find(|f| f.id == id) {
            Some(f) => Json(json!({"floatingip": render(site, f)})).into_response(),
            None => not_found(&id),
        },
    )
}

/// Neutron's answer to each reason a floating IP cannot be made or moved.
fn refused(e: FipError, network: &str) -> Response {
    match e {
        FipError::NetworkNotFound => errors::neutron(
            404,
            "ExternalNetworkNotFound",
            &format!("External network {network} could not be found."),
        ),
        FipError::NotExternal => errors::neutron(
            400,
            "BadRequest",
            &format!("Bad floatingip request: Network {network} is not a valid external network."),
        ),
        FipError::AddressInUse(a) => errors::neutron(
            409,
            "IpAddressAlreadyAllocated",
            &format!("IP address {a} already allocated in subnet of network {network}."),
        ),
        FipError::BadAddress(a) => errors::neutron(
            400,
            "InvalidIpForNetwork",
            &format!(
                "IP address {a} is not a valid IP for any of the subnets on the specified network."
            ),
        ),
        FipError::NoAddress => errors::neutron(
            409,
            "IpAddressGenerationFailure",
            &format!("No more IP addresses available on network {network}."),
        ),
        FipError::NotFound => not_found(network),
        FipError::PortNotFound(p) => errors::neutron(
            404,
            "PortNotFound",
            &format!("Port {p} could not be found."),
        ),
        FipError::PortTaken { port, by } => errors::neutron(
            409,
            "FloatingIPPortAlreadyAssociated",
            &format!(
                "Cannot associate floating IP with port {port}: it already has floating IP {by}."
            ),
        ),
    }
}

#[derive(Deserialize)]
struct CreateBody {
    floatingip: CreateFip,
}

#[derive(Deserialize)]
struct CreateFip {
    floating_network_id: String,
    floating_ip_address: Option<String>,
    port_id: Option<String>,
    #[serde(default)]
    description: Option<String>,
}

async fn create(
    State(ctx): State<Ctx>,
    body: Result<Json<CreateBody>, axum::extract::rejection::JsonRejection>,
) -> Response {
    let Ok(Json(CreateBody { floatingip: req })) = body else {
        return errors::neutron(
            400,
            "HTTPBadRequest",
            "expected {\"floatingip\": {\"floating_network_id\": …}}",
        );
    };
    ctx.with(|site, now| {
        let net = req.floating_network_id.clone();
        let new = NewFip {
            network_id: req.floating_network_id,
            address: req.floating_ip_address,
            port_id: req.port_id,
            description: req.description.unwrap_or_default(),
        };
        match site.allocate_fip(new, now) {
            Ok(f) => (
                StatusCode::CREATED,
                Json(json!({"floatingip": render(site, &f)})),
            )
                .into_response(),
            Err(e) => refused(e, &net),
        }
    })
}

#[derive(Deserialize)]
struct UpdateBody {
    floatingip: UpdateFip,
}

#[derive(Deserialize)]
struct UpdateFip {
    port_id: Option<String>,
}

async fn update(
    State(ctx): State<Ctx>,
    Path(id): Path<String>,
    body: Result<Json<UpdateBody>, axum::extract::rejection::JsonRejection>,
) -> Response {
    let Ok(Json(UpdateBody { floatingip: req })) = body else {
        return errors::neutron(
            400,
            "HTTPBadRequest",
            "expected {\"floatingip\": {\"port_id\": \"…\" | null}}",
        );
    };
    ctx.with(|site, _| match site.set_fip_port(&id, req.port_id) {
        Ok(f) => Json(json!({"floatingip": render(site, &f)})).into_response(),
        Err(FipError::NotFound) => not_found(&id),
        Err(e) => refused(e, &id),
    })
}

async fn delete(State(ctx): State<Ctx>, Path(id): Path<String>) -> Response {
    ctx.with(|site, _| match site.delete_fip(&id) {
        true => StatusCode::NO_CONTENT.into_response(),
        false => not_found(&id),
    })
}
