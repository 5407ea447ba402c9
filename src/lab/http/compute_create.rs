//! Nova's POST /servers: a server from volumes (block_device_mapping_v2) and ports, in BUILD
//! until the boot time has passed.

use super::compute_render::links;
use super::errors;
use crate::lab::clock;
use crate::lab::state::Ctx;
use crate::lab::world::ops::NewPort;
use crate::lab::world::{AttachedVolume, Pending, Server, Site, ids};
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use serde_json::{Value, json};
use std::collections::BTreeMap;

#[derive(Deserialize)]
pub(super) struct CreateBody {
    server: CreateServer,
}

#[derive(Deserialize)]
struct CreateServer {
    name: String,
    #[serde(rename = "flavorRef")]
    flavor_ref: String,
    #[serde(default)]
    networks: Value,
    #[serde(default)]
    block_device_mapping_v2: Vec<Bdm>,
    #[serde(default)]
    metadata: BTreeMap<String, String>,
}

#[derive(Deserialize)]
struct Bdm {
    #[serde(default)]
    boot_index: Value,
    uuid: Option<String>,
    source_type: Option<String>,
    #[serde(default)]
    delete_on_termination: bool,
}

fn boot_index(b: &Bdm) -> i64 {
    match &b.boot_index {
        Value::Number(n) => n.as_i64().unwrap_or(i64::MAX),
        Value::String(s) => s.parse().unwrap_or(i64::MAX),
        _ => i64::MAX,
    }
}

pub(super) async fn create(
    State(ctx): State<Ctx>,
    body: Result<Json<CreateBody>, axum::extract::rejection::JsonRejection>,
) -> Response {
    let Ok(Json(CreateBody { server: req })) = body else {
        return errors::nova(
            400,
            "Invalid input: expected {\"server\": {name, flavorRef, …}}",
        );
    };
    let base = ctx.base_url();
    let boot = clock::real(ctx.shared.opts.boot_time, ctx.shared.opts.time_speed);
    ctx.with(|site, now| {
        if req.name.trim().is_empty() {
            return errors::nova(400, "Invalid input: name must not be empty");
        }
        let Some(flavor) = site.flavor(&req.flavor_ref).map(|f| f.id.clone()) else {
            return errors::nova(
                400,
                &format!("Flavor {} could not be found.", req.flavor_ref),
            );
        };
        let volumes = match boot_volumes(site, &req.block_device_mapping_v2) {
            Ok(v) => v,
            Err(e) => return e,
        };
        let server_id = ids::uuid();
        let port_ids = match claim_ports(site, &req.networks, &req.name, now) {
            Ok(p) => p,
            Err(e) => return e,
        };
        let vol_ids: Vec<String> = volumes.iter().map(|v| v.id.clone()).collect();
        site.servers.push(Server {
            id: server_id.clone(),
            name: req.name.clone(),
            status: "BUILD".into(),
            flavor_id: flavor,
            metadata: req.metadata.clone(),
            volumes,
            created: now,
            updated: now,
            pending: Some(Pending {
                to: "ACTIVE".into(),
                at: now + boot,
            }),
            fault: None,
        });
        site.attach(&server_id, &vol_ids, &port_ids);
        let body = json!({"server": {"id": server_id, "links": links(&base, "servers", &server_id),
            "OS-DCF:diskConfig": "MANUAL", "security_groups": [{"name": "default"}]}});
        (StatusCode::ACCEPTED, Json(body)).into_response()
    })
}

/// The volumes a new server boots from, in boot order; each must exist and be available.
fn boot_volumes(site: &Site, bdms: &[Bdm]) -> Result<Vec<AttachedVolume>, Response> {
    let mut bdms: Vec<&Bdm> = bdms.iter().collect();
    bdms.sort_by_key(|b| boot_index(b));
    let mut volumes = Vec::new();
    for b in bdms {
        if b.source_type.as_deref().is_some_and(|t| t != "volume") {
            return Err(errors::nova(
                400,
                "The lab boots from volumes only (source_type volume).",
            ));
        }
        let vid = b.uuid.clone().unwrap_or_default();
        match site.volumes.iter().find(|v| v.id == vid) {
            None => {
                return Err(errors::nova(
                    400,
                    &format!("Volume {vid} could not be found."),
                ));
            }
            Some(v) if v.status != "available" => {
                let msg = format!("Volume {vid} status must be available, but is {}", v.status);
                return Err(errors::nova(400, &msg));
            }
            Some(_) => volumes.push(AttachedVolume {
                id: vid,
                delete_on_termination: b.delete_on_termination,
            }),
        }
    }
    Ok(volumes)
}

/// The ports a new server gets: given ports (which must be free) or new ones on given networks.
fn claim_ports(
    site: &mut Site,
    networks: &Value,
    server: &str,
    now: clock::Time,
) -> Result<Vec<String>, Response> {
    let Value::Array(list) = networks else {
        return Ok(Vec::new());
    };
    let mut out = Vec::new();
    for n in list {
        if let Some(pid) = n.get("port").and_then(Value::as_str) {
            match site.ports.iter().find(|p| p.id == pid) {
                None => {
                    return Err(errors::nova(
                        400,
                        &format!("Port {pid} could not be found."),
                    ));
                }
                Some(p) if !p.device_id.is_empty() => {
                    return Err(errors::nova(409, &format!("Port {pid} is still in use.")));
                }
                Some(_) => out.push(pid.to_string()),
            }
        } else if let Some(net) = n.get("uuid").and_then(Value::as_str) {
            let new = NewPort {
                network_id: net.to_string(),
                name: String::new(),
                ip: n
                    .get("fixed_ip")
                    .and_then(Value::as_str)
                    .map(str::to_string),
                mac: None,
                device_id: String::new(),
                device_owner: String::new(),
            };
            match site.add_port(new, now) {
                Ok(p) => {
                    if let Some(made) = site.ports.iter_mut().find(|x| x.id == p.id) {
                        made.nova_owned = true;
                    }
                    out.push(p.id);
                }
                Err(e) => {
                    let msg = format!("Network {net}: cannot allocate a port for {server} ({e:?})");
                    return Err(errors::nova(400, &msg));
                }
            }
        }
    }
    Ok(out)
}
