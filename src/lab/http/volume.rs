//! Cinder v3: version documents, volumes (list, show, delete, unmanage), volume types, and
//! manageable volumes (the array volumes Cinder does not manage yet, and managing one).

use super::errors;
use super::gate::{Microversion, VOLUME_MAX};
use crate::lab::state::Ctx;
use crate::lab::world::{CINDER_HOST, GIB, Site, Volume};
use crate::lab::{clock, faults};
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Extension, Json, Router};
use serde_json::{Value, json};
use std::collections::HashMap;

pub fn routes() -> Router<Ctx> {
    let v = "/volume/v3/{project}";
    Router::new()
        .route("/volume", get(versions))
        .route("/volume/", get(versions))
        .route("/volume/v3", get(versions))
        .route("/volume/v3/", get(versions))
        .route(&format!("{v}/volumes"), get(list_brief))
        .route(&format!("{v}/volumes/detail"), get(list_detail))
        .route(&format!("{v}/volumes/{{id}}"), get(show).delete(delete))
        .route(&format!("{v}/volumes/{{id}}/action"), post(action))
        .route(&format!("{v}/volumes/{{id}}/metadata"), post(set_metadata))
        .route(&format!("{v}/types"), get(types))
        .route(&format!("{v}/types/{{id}}"), get(volume_type))
        .route(&format!("{v}/manageable_volumes"), get(manageable))
        .route(&format!("{v}/os-services"), get(services))
        .route(&format!("{v}/manageable_volumes/detail"), get(manageable))
}

async fn versions(State(ctx): State<Ctx>) -> Json<Value> {
    let href = format!("{}/volume/v3/", ctx.base_url());
    Json(json!({"versions": [{"id": "v3.0", "status": "CURRENT",
        "version": format!("3.{VOLUME_MAX}"), "min_version": "3.0",
        "updated": "2023-08-31T00:00:00Z", "links": [{"rel": "self", "href": href}],
        "media-types": [{"base": "application/json",
            "type": "application/vnd.openstack.volume+json;version=3"}]}]}))
}

/// Runs `f` when the URL's project is this site's project; 404 otherwise.
pub(super) fn in_project<R: IntoResponse>(
    ctx: &Ctx,
    project: &str,
    f: impl FnOnce(&mut Site, clock::Time) -> R,
) -> Response {
    ctx.with(|site, now| {
        if site.identity.project_id != project {
            return errors::nova(404, &format!("Project {project} could not be found."));
        }
        f(site, now).into_response()
    })
}

fn replicated(site: &Site, v: &Volume) -> bool {
    site.volume_type(&v.volume_type)
        .is_some_and(|t| t.extra_specs.contains_key("replication_enabled"))
}

pub(super) fn render(site: &Site, v: &Volume, base: &str) -> Value {
    let attachments: Vec<Value> = v
        .attachments
        .iter()
        .map(|a| {
            json!({"server_id": a.server_id, "attachment_id": a.id, "volume_id": v.id,
                "device": a.device, "id": v.id, "host_name": null,
                "attached_at": clock::iso_micro(v.created_at)})
        })
        .collect();
    let project = &site.identity.project_id;
    let type_id = site.volume_type(&v.volume_type).map(|t| t.id.clone());
    json!({
        "id": v.id, "name": v.name, "status": v.status, "size": v.size_gb,
        "volume_type": v.volume_type, "volume_type_id": type_id,
        "bootable": if v.bootable { "true" } else { "false" },
        "attachments": attachments,
        "replication_status": if replicated(site, v) { "enabled" } else { "disabled" },
        "metadata": v.metadata, "created_at": clock::iso_micro(v.created_at),
        "updated_at": clock::iso_micro(v.created_at), "availability_zone": "nova",
        "os-vol-host-attr:host": CINDER_HOST, "os-vol-tenant-attr:tenant_id": project,
        "user_id": site.identity.user_id, "description": null, "encrypted": false,
        "multiattach": false, "snapshot_id": null, "source_volid": null,
        "consistencygroup_id": null, "group_id": null,
        "links": [{"rel": "self", "href": format!("{base}/volume/v3/{project}/volumes/{}", v.id)}],
    })
}

fn matches(v: &Volume, q: &HashMap<String, String>) -> bool {
    q.get("name").is_none_or(|n| *n == v.name) && q.get("status").is_none_or(|s| *s == v.status)
}

async fn list_detail(
    State(ctx): State<Ctx>,
    Path(project): Path<String>,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    let base = ctx.base_url();
    in_project(&ctx, &project, |site, _| {
        let list: Vec<Value> = site
            .volumes
            .iter()
            .filter(|v| matches(v, &q))
            .map(|v| render(site, v, &base))
            .collect();
        Json(json!({"volumes": list}))
    })
}

async fn list_brief(
    State(ctx): State<Ctx>,
    Path(project): Path<String>,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    in_project(&ctx, &project, |site, _| {
        let list: Vec<Value> = site
            .volumes
            .iter()
            .filter(|v| matches(v, &q))
            .map(|v| json!({"id": v.id, "name": v.name}))
            .collect();
        Json(json!({"volumes": list}))
    })
}

fn not_found(id: &str) -> Response {
    errors::nova(404, &format!("Volume {id} could not be found."))
}

async fn show(State(ctx): State<Ctx>, Path((project, id)): Path<(String, String)>) -> Response {
    let base = ctx.base_url();
    in_project(&ctx, &project, |site, _| {
        match site.volumes.iter().find(|v| v.id == id) {
            Some(v) => Json(json!({"volume": render(site, v, &base)})).into_response(),
            None => not_found(&id),
        }
    })
}

fn busy(v: &Volume) -> Option<Response> {
    (v.status == "in-use" || !v.attachments.is_empty() || v.status == "creating").then(|| {
        errors::nova(
            400,
            &format!(
                "Invalid volume: Volume status must be available or error, but current status is: {}",
                v.status
            ),
        )
    })
}

async fn delete(State(ctx): State<Ctx>, Path((project, id)): Path<(String, String)>) -> Response {
    in_project(&ctx, &project, |site, _| {
        let Some(v) = site.volumes.iter().find(|v| v.id == id) else {
            return not_found(&id);
        };
        if let Some(e) = busy(v) {
            return e;
        }
        site.delete_volume(&id);
        StatusCode::ACCEPTED.into_response()
    })
}

async fn action(
    State(ctx): State<Ctx>,
    Path((project, id)): Path<(String, String)>,
    Json(body): Json<Value>,
) -> Response {
    if body.get("os-unmanage").is_none() {
        return errors::nova(400, "The lab supports the volume action os-unmanage only.");
    }
    in_project(&ctx, &project, |site, now| {
        let Some(v) = site.volumes.iter().find(|v| v.id == id) else {
            return not_found(&id);
        };
        if let Some(refused) = policy_refusal(site, now, "volume_extension:volume_unmanage") {
            return refused;
        }
        if let Some(e) = busy(v) {
            return e;
        }
        site.volumes.retain(|v| v.id != id);
        StatusCode::ACCEPTED.into_response()
    })
}

/// `POST /volumes/{id}/metadata`: the keys given are set, the others kept; the answer is the
/// volume's whole metadata (Cinder's "create or update").
async fn set_metadata(
    State(ctx): State<Ctx>,
    Path((project, id)): Path<(String, String)>,
    Json(body): Json<Value>,
) -> Response {
    let Some(given) = body.get("metadata").and_then(Value::as_object) else {
        return errors::nova(400, "The body must be {\"metadata\": {KEY: VALUE, …}}.");
    };
    let mut pairs = Vec::new();
    for (k, v) in given {
        let Some(v) = v.as_str() else {
            return errors::nova(400, &format!("Metadata value of {k} must be a string."));
        };
        pairs.push((k.clone(), v.to_string()));
    }
    in_project(&ctx, &project, |site, _| {
        let Some(v) = site.volumes.iter_mut().find(|v| v.id == id) else {
            return not_found(&id);
        };
        v.metadata.extend(pairs);
        Json(json!({"metadata": v.metadata})).into_response()
    })
}

fn render_type(t: &crate::lab::world::VolumeType) -> Value {
    json!({"id": t.id, "name": t.name, "extra_specs": t.extra_specs, "is_public": true,
        "description": null, "os-volume-type-access:is_public": true})
}

async fn types(State(ctx): State<Ctx>, Path(project): Path<String>) -> Response {
    in_project(&ctx, &project, |site, _| {
        let list: Vec<Value> = site.volume_types.iter().map(render_type).collect();
        Json(json!({"volume_types": list}))
    })
}

async fn volume_type(
    State(ctx): State<Ctx>,
    Path((project, id)): Path<(String, String)>,
) -> Response {
    in_project(&ctx, &project, |site, _| match site.volume_type(&id) {
        Some(t) => Json(json!({"volume_type": render_type(t)})).into_response(),
        None => errors::nova(404, &format!("Volume type {id} could not be found.")),
    })
}

/// The 403 of a `policy_denied` fault: Cinder's answer when `policy` keeps a call from the
/// project.
pub(super) fn policy_refusal(site: &Site, now: clock::Time, policy: &str) -> Option<Response> {
    site.fault_active("policy_denied", now)
        .then(|| errors::nova(403, &faults::policy_denied(policy)))
}

pub(super) fn host_ok(host: &str) -> bool {
    host == CINDER_HOST || CINDER_HOST.starts_with(&format!("{host}#"))
}

async fn manageable(
    State(ctx): State<Ctx>,
    Extension(Microversion(mv)): Extension<Microversion>,
    Path(project): Path<String>,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    if mv < 8 {
        return errors::nova(404, "manageable_volumes needs microversion 3.8 or later");
    }
    let host = q.get("host").cloned().unwrap_or_default();
    in_project(&ctx, &project, |site, now| {
        if let Some(refused) = policy_refusal(site, now, "volume_extension:list_manageable") {
            return refused;
        }
        if !host_ok(&host) {
            return errors::nova(400, &format!("Service {host} could not be found."))
                .into_response();
        }
        let managed: HashMap<&str, &Volume> = site
            .volumes
            .iter()
            .map(|v| (v.backing.as_str(), v))
            .collect();
        let list: Vec<Value> = site
            .array
            .volumes
            .iter()
            .filter(|a| !a.destroyed)
            .map(|a| {
                let cinder = managed.get(a.name.as_str());
                json!({"reference": {"source-name": a.name},
                    "size": a.provisioned.div_ceil(GIB),
                    "safe_to_manage": cinder.is_none(),
                    "reason_not_safe": cinder.map(|_| "already managed"),
                    "cinder_id": cinder.map(|v| v.id.clone()), "extra_info": null})
            })
            .collect();
        Json(json!({"manageable-volumes": list})).into_response()
    })
}

/// `GET /os-services`: the scheduler and the array's volume service, both up.
async fn services(State(ctx): State<Ctx>, Path(project): Path<String>) -> Response {
    in_project(&ctx, &project, |_, now| {
        let host = CINDER_HOST.split('#').next().unwrap_or(CINDER_HOST);
        let updated = clock::iso_micro(now);
        let service = |binary: &str, host: &str| {
            json!({"binary": binary, "host": host, "zone": "nova", "status": "enabled",
                "state": "up", "updated_at": updated, "disabled_reason": null,
                "frozen": false, "cluster": null, "replication_status": "enabled",
                "active_backend_id": null, "backend_state": "up"})
        };
        Json(json!({"services": [service("cinder-scheduler", "cinder"),
            service("cinder-volume", host)]}))
    })
}
