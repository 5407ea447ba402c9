//! Nova v2.1: version documents, servers (list, show, create from volumes and ports, stop, start,
//! delete) and flavors. Server changes take lab time; `settle` completes them.

use super::compute_render::{links, ports_by_server, render, render_flavor, render_with, vm_state};
use super::errors;
use super::gate::{COMPUTE_MAX, Microversion};
use crate::lab::clock::{self, STOP_TIME};
use crate::lab::state::Ctx;
use crate::lab::world::{Pending, Site};
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Extension, Json, Router};
use serde_json::{Value, json};
use std::collections::HashMap;

pub fn routes() -> Router<Ctx> {
    let v = "/compute/v2.1";
    Router::new()
        .route("/compute", get(versions))
        .route("/compute/", get(versions))
        .route(v, get(version))
        .route(&format!("{v}/"), get(version))
        .route(
            &format!("{v}/servers"),
            get(list_brief).post(super::compute_create::create),
        )
        .route(&format!("{v}/servers/detail"), get(list_detail))
        .route(&format!("{v}/servers/{{id}}"), get(show).delete(delete))
        .route(&format!("{v}/servers/{{id}}/action"), post(action))
        .route(&format!("{v}/flavors"), get(flavors))
        .route(&format!("{v}/flavors/detail"), get(flavors))
        .route(&format!("{v}/flavors/{{id}}"), get(flavor))
        .route(
            &format!("{v}/flavors/{{id}}/os-extra_specs"),
            get(extra_specs),
        )
}

fn version_doc(base: &str) -> Value {
    json!({"id": "v2.1", "status": "CURRENT", "version": format!("2.{COMPUTE_MAX}"),
        "min_version": "2.1", "updated": "2013-07-23T11:33:21Z",
        "links": [{"rel": "self", "href": format!("{base}/compute/v2.1/")}],
        "media-types": [{"base": "application/json",
            "type": "application/vnd.openstack.compute+json;version=2.1"}]})
}

async fn versions(State(ctx): State<Ctx>) -> Json<Value> {
    Json(json!({"versions": [version_doc(&ctx.base_url())]}))
}

async fn version(State(ctx): State<Ctx>) -> Json<Value> {
    Json(json!({"version": version_doc(&ctx.base_url())}))
}

/// Nova treats `name` as a regular expression; the lab supports its common use: a substring,
/// optionally anchored with `^` and/or `$`.
fn name_matches(pattern: &str, name: &str) -> bool {
    let start = pattern.starts_with('^');
    let end = pattern.ends_with('$') && pattern.len() > usize::from(start);
    let core = &pattern[usize::from(start)..pattern.len() - usize::from(end)];
    match (start, end) {
        (true, true) => name == core,
        (true, false) => name.starts_with(core),
        (false, true) => name.ends_with(core),
        (false, false) => name.contains(core),
    }
}

fn page(
    site: &Site,
    q: &HashMap<String, String>,
    base: &str,
    path: &str,
) -> Result<(Vec<usize>, Option<Value>), Response> {
    let mut idx: Vec<usize> = (0..site.servers.len())
        .filter(|&i| {
            let s = &site.servers[i];
            q.get("name").is_none_or(|n| name_matches(n, &s.name))
                && q.get("status")
                    .is_none_or(|st| st.eq_ignore_ascii_case(&s.status))
        })
        .collect();
    if let Some(m) = q.get("marker") {
        let Some(pos) = idx.iter().position(|&i| &site.servers[i].id == m) else {
            return Err(errors::nova(400, &format!("marker [{m}] not found")));
        };
        idx.drain(..=pos);
    }
    let limit = q.get("limit").and_then(|l| l.parse::<usize>().ok());
    let mut next = None;
    if let Some(limit) = limit.filter(|&l| idx.len() > l) {
        idx.truncate(limit);
        if let Some(&last) = idx.last() {
            let mut query: Vec<String> = q
                .iter()
                .filter(|(k, _)| *k != "marker")
                .map(|(k, v)| format!("{k}={v}"))
                .collect();
            query.sort();
            query.push(format!("marker={}", site.servers[last].id));
            let href = format!("{base}/compute/v2.1/{path}?{}", query.join("&"));
            next = Some(json!([{"rel": "next", "href": href}]));
        }
    }
    Ok((idx, next))
}

async fn list_detail(
    State(ctx): State<Ctx>,
    Extension(Microversion(mv)): Extension<Microversion>,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    let base = ctx.base_url();
    ctx.with(|site, _| match page(site, &q, &base, "servers/detail") {
        Err(e) => e,
        Ok((idx, next)) => {
            let ports = ports_by_server(site);
            let servers: Vec<Value> = idx
                .iter()
                .map(|&i| {
                    let s = &site.servers[i];
                    let own = ports.get(s.id.as_str()).map_or(&[][..], |p| &p[..]);
                    render_with(site, s, own, &base, mv)
                })
                .collect();
            let mut body = json!({"servers": servers});
            if let Some(n) = next {
                body["servers_links"] = n;
            }
            Json(body).into_response()
        }
    })
}

async fn list_brief(State(ctx): State<Ctx>, Query(q): Query<HashMap<String, String>>) -> Response {
    let base = ctx.base_url();
    ctx.with(|site, _| match page(site, &q, &base, "servers") {
        Err(e) => e,
        Ok((idx, next)) => {
            let servers: Vec<Value> = idx
                .iter()
                .map(|&i| {
                    let s = &site.servers[i];
                    json!({"id": s.id, "name": s.name, "links": links(&base, "servers", &s.id)})
                })
                .collect();
            let mut body = json!({"servers": servers});
            if let Some(n) = next {
                body["servers_links"] = n;
            }
            Json(body).into_response()
        }
    })
}

fn not_found(id: &str) -> Response {
    errors::nova(404, &format!("Instance {id} could not be found."))
}

async fn show(
    State(ctx): State<Ctx>,
    Extension(Microversion(mv)): Extension<Microversion>,
    Path(id): Path<String>,
) -> Response {
    let base = ctx.base_url();
    ctx.with(|site, _| match site.servers.iter().find(|s| s.id == id) {
        Some(s) => Json(json!({"server": render(site, s, &base, mv)})).into_response(),
        None => not_found(&id),
    })
}

async fn delete(State(ctx): State<Ctx>, Path(id): Path<String>) -> Response {
    ctx.with(|site, _| {
        if site.delete_server(&id) {
            StatusCode::NO_CONTENT.into_response()
        } else {
            not_found(&id)
        }
    })
}

async fn action(State(ctx): State<Ctx>, Path(id): Path<String>, body: Json<Value>) -> Response {
    let real = clock::real(STOP_TIME, ctx.shared.opts.time_speed);
    let (verb, from, to) = if body.get("os-stop").is_some() {
        ("stop", "ACTIVE", "SHUTOFF")
    } else if body.get("os-start").is_some() {
        ("start", "SHUTOFF", "ACTIVE")
    } else {
        return errors::nova(400, "The lab supports the actions os-stop and os-start.");
    };
    ctx.with(|site, now| {
        let Some(s) = site.servers.iter_mut().find(|s| s.id == id) else {
            return not_found(&id);
        };
        if s.status != from || s.pending.is_some() {
            let (vm, task, _) = vm_state(s);
            let msg = format!(
                "Cannot '{verb}' instance {id} while it is in vm_state {vm}{}",
                task.map(|t| format!(", task_state {t}"))
                    .unwrap_or_default()
            );
            return errors::nova(409, &msg);
        }
        s.pending = Some(Pending {
            to: to.into(),
            at: now + real,
        });
        s.updated = now;
        StatusCode::ACCEPTED.into_response()
    })
}

async fn flavors(State(ctx): State<Ctx>) -> Json<Value> {
    let base = ctx.base_url();
    ctx.with(|site, _| {
        let list: Vec<Value> = site
            .flavors
            .iter()
            .map(|f| render_flavor(f, &base))
            .collect();
        Json(json!({"flavors": list}))
    })
}

async fn flavor(State(ctx): State<Ctx>, Path(id): Path<String>) -> Response {
    let base = ctx.base_url();
    ctx.with(|site, _| match site.flavor(&id) {
        Some(f) => Json(json!({"flavor": render_flavor(f, &base)})).into_response(),
        None => errors::nova(404, &format!("Flavor {id} could not be found.")),
    })
}

/// The lab's flavors have no extra specs; an unknown flavor is Nova's 404.
async fn extra_specs(State(ctx): State<Ctx>, Path(id): Path<String>) -> Response {
    ctx.with(|site, _| match site.flavor(&id) {
        Some(_) => Json(json!({"extra_specs": {}})).into_response(),
        None => errors::nova(404, &format!("Flavor {id} could not be found.")),
    })
}

#[cfg(test)]
mod tests {
    use super::name_matches;

    #[test]
    fn name_filter_is_substring_or_anchored() {
        assert!(name_matches("web", "web-1"));
        assert!(name_matches("^web-1$", "web-1"));
        assert!(!name_matches("^web-1$", "web-10"));
        assert!(name_matches("^web", "web-10"));
        assert!(!name_matches("^eb", "web-10"));
        assert!(name_matches("-1$", "web-1"));
    }
}
