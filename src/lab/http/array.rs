//! The storage array (a FlashArray REST 2.x subset): login sessions, array connections, volumes,
//! protection groups with their members and targets, group snapshots with their transfer, and
//! volume snapshots. Lists answer `{"items", "continuation_token", "total_item_count"}`.

use super::errors;
use crate::lab::clock::{self, Time};
use crate::lab::state::Ctx;
use crate::lab::world::{Array, ArrayVolume, PgSnapshot, ProtectionGroup, Token, ids};
use axum::extract::{Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde_json::{Value, json};
use std::collections::HashMap;

type Q = Query<HashMap<String, String>>;

pub fn routes() -> Router<Ctx> {
    let v = "/array/api/2.17";
    Router::new()
        .route("/array/api/api_version", get(api_version))
        .route(&format!("{v}/login"), post(login))
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

fn items(list: Vec<Value>) -> Response {
    let n = list.len();
    Json(json!({"items": list, "continuation_token": null, "total_item_count": n})).into_response()
}

fn names(q: &HashMap<String, String>, key: &str) -> Option<Vec<String>> {
    q.get(key).map(|v| {
        v.split(',')
            .map(|s| s.trim().to_string())
            .filter(|s| !s.is_empty())
            .collect()
    })
}

fn bad(context: &str, message: &str) -> Response {
    errors::array(400, context, message)
}

async fn api_version() -> Json<Value> {
    let list: Vec<String> = (0..=17).map(|m| format!("2.{m}")).collect();
    Json(json!({"version": list}))
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

async fn connections(State(ctx): State<Ctx>) -> Response {
    ctx.with_world(|w, me, _| {
        let list = w.sites[me]
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
        items(list)
    })
}

fn render_volume(v: &ArrayVolume) -> Value {
    json!({"id": v.id, "name": v.name, "provisioned": v.provisioned,
        "created": clock::ms(v.created),
        "source": v.source.as_ref().map(|s| json!({"name": s})),
        "destroyed": v.destroyed, "serial": v.serial,
        "space": {"total_provisioned": v.provisioned}})
}

/// `Err` names the first missing one, in the array's error shape.
fn require_all<T>(
    wanted: &Option<Vec<String>>,
    found: impl Fn(&str) -> Option<T>,
    what: &str,
) -> Result<(), Response> {
    for n in wanted.iter().flatten() {
        if found(n).is_none() {
            return Err(bad(n, &format!("{what} does not exist.")));
        }
    }
    Ok(())
}

async fn volumes(State(ctx): State<Ctx>, Query(q): Q) -> Response {
    let wanted = names(&q, "names");
    ctx.with(|site, _| {
        let a = &site.array;
        if let Err(e) = require_all(&wanted, |n| a.volume(n), "Volume") {
            return e;
        }
        let list = a
            .volumes
            .iter()
            .filter(|v| wanted.as_ref().is_none_or(|w| w.contains(&v.name)))
            .map(render_volume)
            .collect();
        items(list)
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

fn render_group(a: &Array, g: &ProtectionGroup, interval_ms: u128) -> Value {
    let local = g.source == a.name;
    json!({"name": g.name, "source": {"name": g.source}, "target_count": g.targets.len(),
        "volume_count": g.members.len(), "destroyed": false, "is_local": local,
        "replication_schedule": {"enabled": local && !g.targets.is_empty(),
            "frequency": interval_ms},
        "snapshot_schedule": {"enabled": false, "frequency": interval_ms}})
}

async fn groups(State(ctx): State<Ctx>, Query(q): Q) -> Response {
    let wanted = names(&q, "names");
    let interval_ms = ctx.shared.opts.snapshot_interval.as_millis();
    ctx.with(|site, _| {
        let a = &site.array;
        if let Err(e) = require_all(&wanted, |n| a.group(n), "Protection group") {
            return e;
        }
        let list = a
            .groups
            .iter()
            .filter(|g| wanted.as_ref().is_none_or(|w| w.contains(&g.name)))
            .map(|g| render_group(a, g, interval_ms))
            .collect();
        items(list)
    })
}

async fn create_group(State(ctx): State<Ctx>, Query(q): Q) -> Response {
    let wanted = names(&q, "names").unwrap_or_default();
    let interval_ms = ctx.shared.opts.snapshot_interval.as_millis();
    ctx.with(|site, now: Time| {
        let a = &mut site.array;
        let mut out = Vec::new();
        for n in &wanted {
            if a.group(n).is_some() || n.contains(':') {
                return bad(n, "Protection group already exists.");
            }
            let g = ProtectionGroup {
                name: n.clone(),
                source: a.name.clone(),
                members: Vec::new(),
                targets: Vec::new(),
                last_scheduled: now,
            };
            a.groups.push(g.clone());
            out.push(render_group(a, &g, interval_ms));
        }
        items(out)
    })
}

fn pair(group: &str, member: &str) -> Value {
    json!({"group": {"name": group}, "member": {"name": member}})
}

async fn group_volumes(State(ctx): State<Ctx>, Query(q): Q) -> Response {
    let wanted = names(&q, "group_names");
    ctx.with(|site, _| {
        let a = &site.array;
        if let Err(e) = require_all(&wanted, |n| a.group(n), "Protection group") {
            return e;
        }
        let list = a
            .groups
            .iter()
            .filter(|g| wanted.as_ref().is_none_or(|w| w.contains(&g.name)))
            .flat_map(|g| g.members.iter().map(|m| pair(&g.name, m)))
            .collect();
        items(list)
    })
}

/// Adds or removes members (volumes) or targets (arrays) of local groups.
fn edit_group(ctx: &Ctx, q: &HashMap<String, String>, targets: bool, add: bool) -> Response {
    let groups = names(q, "group_names").unwrap_or_default();
    let members = names(q, "member_names").unwrap_or_default();
    ctx.with(|site, _| {
        let a = &mut site.array;
        for m in &members {
            let known = if targets {
                a.connections.contains(m)
            } else {
                a.volume(m).is_some()
            };
            if add && !known {
                let what = if targets {
                    "Array connection"
                } else {
                    "Volume"
                };
                return bad(m, &format!("{what} does not exist."));
            }
        }
        let mut out = Vec::new();
        for gname in &groups {
            let own = a.name.clone();
            let Some(g) = a.group_mut(gname).filter(|g| g.source == own) else {
                return bad(gname, "Protection group does not exist.");
            };
            let list = if targets {
                &mut g.targets
            } else {
                &mut g.members
            };
            for m in &members {
                if add && !list.contains(m) {
                    list.push(m.clone());
                } else if !add {
                    list.retain(|x| x != m);
                }
                let mut item = pair(gname, m);
                if targets {
                    item["allowed"] = json!(true);
                }
                out.push(item);
            }
        }
        items(out)
    })
}

async fn add_group_volumes(State(ctx): State<Ctx>, Query(q): Q) -> Response {
    edit_group(&ctx, &q, false, true)
}

async fn remove_group_volumes(State(ctx): State<Ctx>, Query(q): Q) -> Response {
    edit_group(&ctx, &q, false, false)
}

async fn add_group_targets(State(ctx): State<Ctx>, Query(q): Q) -> Response {
    edit_group(&ctx, &q, true, true)
}

async fn remove_group_targets(State(ctx): State<Ctx>, Query(q): Q) -> Response {
    edit_group(&ctx, &q, true, false)
}

async fn group_targets(State(ctx): State<Ctx>, Query(q): Q) -> Response {
    let wanted = names(&q, "group_names");
    ctx.with(|site, _| {
        let a = &site.array;
        if let Err(e) = require_all(&wanted, |n| a.group(n), "Protection group") {
            return e;
        }
        let list = a
            .groups
            .iter()
            .filter(|g| wanted.as_ref().is_none_or(|w| w.contains(&g.name)))
            .flat_map(|g| {
                g.targets.iter().map(|t| {
                    let mut item = pair(&g.name, t);
                    item["allowed"] = json!(true);
                    item
                })
            })
            .collect();
        items(list)
    })
}

fn render_snapshot(s: &PgSnapshot) -> Value {
    json!({"name": s.name, "source": {"name": s.group}, "suffix": s.suffix,
        "created": clock::ms(s.created), "destroyed": false, "time_remaining": null})
}

async fn snapshots(State(ctx): State<Ctx>, Query(q): Q) -> Response {
    let sources = names(&q, "source_names");
    let wanted = names(&q, "names");
    ctx.with(|site, _| {
        let a = &site.array;
        if let Err(e) = require_all(&sources, |n| a.group(n), "Protection group") {
            return e;
        }
        let list = a
            .snapshots
            .iter()
            .filter(|s| sources.as_ref().is_none_or(|w| w.contains(&s.group)))
            .filter(|s| wanted.as_ref().is_none_or(|w| w.contains(&s.name)))
            .map(render_snapshot)
            .collect();
        items(list)
    })
}

async fn take_snapshot(State(ctx): State<Ctx>, Query(q): Q) -> Response {
    let sources = names(&q, "source_names").unwrap_or_default();
    let replicate = q.get("replicate_now").is_some_and(|v| v == "true")
        || q.get("replicate").is_some_and(|v| v == "true");
    ctx.with(|site, now| {
        let a = &mut site.array;
        let mut out = Vec::new();
        for gname in &sources {
            let local = a.group(gname).is_some_and(|g| g.source == a.name);
            if !local {
                return bad(gname, "Protection group does not exist.");
            }
            let Some(name) = a.take_snapshot(gname, now) else {
                return bad(gname, "Protection group does not exist.");
            };
            if let Some(s) = a.snapshots.iter_mut().find(|s| s.name == name) {
                if !replicate {
                    s.transfers.clear();
                }
                out.push(render_snapshot(s));
            }
        }
        items(out)
    })
}

async fn transfers(State(ctx): State<Ctx>, Query(q): Q) -> Response {
    let wanted = names(&q, "names");
    let sources = names(&q, "source_names");
    ctx.with(|site, _| {
        let list = site
            .array
            .snapshots
            .iter()
            .filter(|s| wanted.as_ref().is_none_or(|w| w.contains(&s.name)))
            .filter(|s| sources.as_ref().is_none_or(|w| w.contains(&s.group)))
            .map(|s| {
                // Several targets: report the slowest transfer.
                let slowest = s
                    .transfers
                    .iter()
                    .min_by(|x, y| x.progress().total_cmp(&y.progress()));
                match slowest {
                    Some(t) => json!({"name": s.name, "started": clock::ms(t.started),
                        "completed": t.completed.map(clock::ms), "progress": t.progress(),
                        "data_transferred": (t.bytes as f64 * t.progress()) as u64,
                        "physical_bytes_written": (t.bytes as f64 * t.progress()) as u64,
                        "destroyed": false}),
                    None => json!({"name": s.name, "started": clock::ms(s.created),
                        "completed": clock::ms(s.created), "progress": 1.0,
                        "data_transferred": 0, "physical_bytes_written": 0,
                        "destroyed": false}),
                }
            })
            .collect();
        items(list)
    })
}

async fn volume_snapshots(State(ctx): State<Ctx>, Query(q): Q) -> Response {
    let sources = names(&q, "source_names");
    let wanted = names(&q, "names");
    ctx.with(|site, _| {
        let a = &site.array;
        let mut list = Vec::new();
        for s in &a.snapshots {
            let prefix = s.group.split_once(':').map(|(arr, _)| format!("{arr}:"));
            for v in &s.volumes {
                let name = format!("{}.{}", s.name, v.name);
                let source = format!("{}{}", prefix.clone().unwrap_or_default(), v.name);
                let by_source = sources.as_ref().is_none_or(|w| {
                    w.contains(&source) || w.contains(&v.name) || w.contains(&s.name)
                });
                let by_name = wanted.as_ref().is_none_or(|w| w.contains(&name));
                if by_source && by_name {
                    list.push(json!({"name": name, "source": {"name": source},
                        "suffix": s.suffix, "created": clock::ms(s.created),
                        "provisioned": v.provisioned, "destroyed": false,
                        "pod": null}));
                }
            }
        }
        items(list)
    })
}
