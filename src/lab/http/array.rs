//! The storage array (a FlashArray REST 2.x subset): routes, login sessions, array connections
//! and volumes; groups and snapshots are in array_groups.rs. Lists answer `{"items",
//! "continuation_token", "total_item_count"}`.

use super::array_groups::{
    add_group_targets, add_group_volumes, create_group, group_targets, group_volumes, groups,
    remove_group_targets, remove_group_volumes, snapshots, take_snapshot, transfers,
    volume_snapshots,
};
use super::array_list::{Q, bad, items, list, names, require_all};
use super::errors;
use crate::lab::clock;
use crate::lab::state::Ctx;
use crate::lab::world::{Array, ArrayVolume, PgSnapshot, Token, ids};
use axum::extract::{Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde_json::{Value, json};

/// The REST versions served, oldest first: all of them take the same calls (the lab's subset
/// of 2.17, which 2.0 already had in this shape).
pub const VERSIONS: std::ops::RangeInclusive<u32> = 0..=17;

/// `2.17` → served; anything else is not.
pub fn served(version: &str) -> bool {
    version
        .strip_prefix("2.")
        .and_then(|m| m.parse::<u32>().ok())
        .is_some_and(|m| VERSIONS.contains(&m))
}

pub fn routes() -> Router<Ctx> {
    let v = "/array/api/{version}";
    Router::new()
        .route("/array/api/api_version", get(api_version))
        .route(&format!("{v}/login"), post(login))
        .route(&format!("{v}/logout"), post(logout))
        .route(&format!("{v}/arrays"), get(arrays))
        .route(&format!("{v}/array-connections"), get(connections))
        .route(
            &format!("{v}/volumes"),
            get(volumes)
                .post(create_volume)
                .patch(patch_volumes)
                .delete(eradicate_volumes),
        )
        .route(
            &format!("{v}/protection-groups"),
            get(groups).post(create_group),
        )
        .route(
            &format!("{v}/protection-groups/volumes"),
            get(group_volumes)
                .post(add_group_volumes)
                .delete(remove_group_volumes),
        )
        .route(
            &format!("{v}/protection-groups/targets"),
            get(group_targets)
                .post(add_group_targets)
                .delete(remove_group_targets),
        )
        .route(
            &format!("{v}/protection-group-snapshots"),
            get(snapshots).post(take_snapshot),
        )
        .route(
            &format!("{v}/protection-group-snapshots/transfer"),
            get(transfers),
        )
        .route(&format!("{v}/volume-snapshots"), get(volume_snapshots))
}

async fn api_version() -> Json<Value> {
    let list: Vec<String> = VERSIONS.map(|m| format!("2.{m}")).collect();
    Json(json!({"version": list}))
}

/// Ends the session the call carries (the gate has checked it is one).
async fn logout(State(ctx): State<Ctx>, headers: HeaderMap) -> Response {
    let session = headers
        .get("x-auth-token")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_string();
    ctx.with(|site, _| site.array.sessions.retain(|s| s.id != session));
    StatusCode::OK.into_response()
}

async fn login(State(ctx): State<Ctx>, headers: HeaderMap) -> Response {
    let given = headers
        .get("api-token")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_string();
    let ttl =
        chrono::Duration::from_std(ctx.shared.opts.token_ttl).unwrap_or(chrono::Duration::hours(1));
    ctx.with(|site, now| {
        if given.is_empty() || given != site.array.api_token {
            return errors::array(401, "", "Invalid API token.");
        }
        let session = Token {
            id: ids::uuid(),
            methods: vec!["api-token".into()],
            issued_at: now,
            expires_at: now + ttl,
        };
        site.array.sessions.push(session.clone());
        let mut resp = items(vec![json!({"username": "pureuser"})]);
        if let Ok(v) = HeaderValue::from_str(&session.id) {
            resp.headers_mut().insert("x-auth-token", v);
        }
        resp
    })
}

async fn arrays(State(ctx): State<Ctx>) -> Response {
    ctx.with(|site, _| {
        items(vec![
            json!({"name": site.array.name, "id": site.array.api_token.get(..8),
            "os": "Purity//FA", "version": "6.5.0"}),
        ])
    })
}

async fn connections(State(ctx): State<Ctx>, Query(q): Q) -> Response {
    ctx.with_world(|w, me, _| {
        let all = w.sites[me]
            .array
            .connections
            .iter()
            .map(|peer| {
                let port = w
                    .array_index(peer)
                    .map(|i| w.sites[i].port)
                    .unwrap_or_default();
                json!({"name": peer, "status": "connected", "type": "async-replication",
                    "management_address": format!("127.0.0.1:{port}"),
                    "replication_addresses": ["127.0.0.1"]})
            })
            .collect();
        list(&q, all)
    })
}

fn render_volume(v: &ArrayVolume) -> Value {
    json!({"id": v.id, "name": v.name, "provisioned": v.provisioned,
        "created": clock::ms(v.created),
        "source": v.source.as_ref().map(|s| json!({"name": s})),
        "destroyed": v.destroyed, "serial": v.serial,
        "space": {"total_provisioned": v.provisioned}})
}

async fn volumes(State(ctx): State<Ctx>, Query(q): Q) -> Response {
    let wanted = names(&q, "names");
    ctx.with(|site, _| {
        let a = &site.array;
        if let Err(e) = require_all(&wanted, |n| a.volume(n), "Volume") {
            return e;
        }
        let all = a
            .volumes
            .iter()
            .filter(|v| wanted.as_ref().is_none_or(|w| w.contains(&v.name)))
            .map(render_volume)
            .collect();
        list(&q, all)
    })
}

/// The snapshot volume `GROUPSNAP.VOLUME` on this array, as (group snapshot, volume).
fn snapshot_volume<'a>(a: &'a Array, name: &str) -> Option<(&'a PgSnapshot, u64)> {
    a.snapshots.iter().find_map(|s| {
        let vol = name.strip_prefix(&s.name)?.strip_prefix('.')?;
        let v = s.volumes.iter().find(|v| v.name == vol)?;
        Some((s, v.provisioned))
    })
}

async fn create_volume(State(ctx): State<Ctx>, Query(q): Q, body: Option<Json<Value>>) -> Response {
    let Some(wanted) = names(&q, "names").filter(|n| !n.is_empty()) else {
        return bad("", "names is required.");
    };
    let body = body.map(|Json(b)| b).unwrap_or(Value::Null);
    let source = body
        .pointer("/source/name")
        .and_then(Value::as_str)
        .map(str::to_string);
    let size = body.get("provisioned").and_then(Value::as_u64);
    ctx.with(|site, now| {
        let a = &mut site.array;
        let mut made = Vec::new();
        for name in &wanted {
            if a.volume(name).is_some() {
                return bad(name, "Volume already exists.");
            }
            let provisioned = match (&source, size) {
                (Some(src), _) => match snapshot_volume(a, src) {
                    Some((_, p)) => p,
                    None => match a.volume(src) {
                        Some(v) => v.provisioned,
                        None => return bad(src, "Source does not exist."),
                    },
                },
                (None, Some(p)) => p,
                (None, None) => return bad(name, "provisioned or source is required."),
            };
            let v = ArrayVolume {
                id: ids::uuid(),
                name: name.clone(),
                provisioned,
                created: now,
                source: source.clone(),
                destroyed: false,
                serial: ids::hex(12).to_uppercase(),
            };
            made.push(render_volume(&v));
            a.volumes.push(v);
        }
        items(made)
    })
}

async fn patch_volumes(State(ctx): State<Ctx>, Query(q): Q, Json(body): Json<Value>) -> Response {
    let wanted = names(&q, "names").unwrap_or_default();
    let destroyed = body.get("destroyed").and_then(Value::as_bool);
    ctx.with(|site, _| {
        let a = &mut site.array;
        if let Err(e) = require_all(&Some(wanted.clone()), |n| a.volume(n), "Volume") {
            return e;
        }
        let mut out = Vec::new();
        for v in a.volumes.iter_mut().filter(|v| wanted.contains(&v.name)) {
            if let Some(d) = destroyed {
                v.destroyed = d;
            }
            out.push(render_volume(v));
        }
        items(out)
    })
}

async fn eradicate_volumes(State(ctx): State<Ctx>, Query(q): Q) -> Response {
    let wanted = names(&q, "names").unwrap_or_default();
    ctx.with(|site, _| {
        let a = &mut site.array;
        for n in &wanted {
            match a.volume(n) {
                None => return bad(n, "Volume does not exist."),
                Some(v) if !v.destroyed => {
                    return bad(n, "Volume must be destroyed before it can be eradicated.");
                }
                Some(_) => {}
            }
        }
        a.volumes.retain(|v| !wanted.contains(&v.name));
        for g in a.groups.iter_mut() {
            g.members.retain(|m| !wanted.contains(m));
        }
        StatusCode::OK.into_response()
    })
}
