//! The array's protection groups (members, targets), group snapshots, their transfer to the
//! target arrays, and the volume snapshots inside them.

use super::array_list::{Q, bad, items, list, names, require_all};
use crate::lab::clock::{self, Time};
use crate::lab::state::Ctx;
use crate::lab::world::{Array, PgSnapshot, ProtectionGroup};
use axum::extract::{Query, State};
use axum::response::Response;
use serde_json::{Value, json};
use std::collections::HashMap;

fn render_group(a: &Array, g: &ProtectionGroup, interval_ms: u128) -> Value {
    let local = g.source == a.name;
    json!({"name": g.name, "source": {"name": g.source}, "target_count": g.targets.len(),
        "volume_count": g.members.len(), "destroyed": false, "is_local": local,
        "replication_schedule": {"enabled": local && !g.targets.is_empty(),
            "frequency": interval_ms},
        "snapshot_schedule": {"enabled": false, "frequency": interval_ms}})
}

pub(super) async fn groups(State(ctx): State<Ctx>, Query(q): Q) -> Response {
    let wanted = names(&q, "names");
    // Snapshots are stamped in wall-clock time, taken every interval of lab time: the schedule
    // is said in the same clock as the stamps, so a client can tell a stall from the cadence.
    let opts = &ctx.shared.opts;
    let interval_ms = clock::real(opts.snapshot_interval, opts.time_speed)
        .num_milliseconds()
        .max(1) as u128;
    ctx.with(|site, _| {
        let a = &site.array;
        if let Err(e) = require_all(&wanted, |n| a.group(n), "Protection group") {
            return e;
        }
        let all = a
            .groups
            .iter()
            .filter(|g| wanted.as_ref().is_none_or(|w| w.contains(&g.name)))
            .map(|g| render_group(a, g, interval_ms))
            .collect();
        list(&q, all)
    })
}

pub(super) async fn create_group(State(ctx): State<Ctx>, Query(q): Q) -> Response {
    let wanted = names(&q, "names").unwrap_or_default();
    // Snapshots are stamped in wall-clock time, taken every interval of lab time: the schedule
    // is said in the same clock as the stamps, so a client can tell a stall from the cadence.
    let opts = &ctx.shared.opts;
    let interval_ms = clock::real(opts.snapshot_interval, opts.time_speed)
        .num_milliseconds()
        .max(1) as u128;
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

pub(super) async fn group_volumes(State(ctx): State<Ctx>, Query(q): Q) -> Response {
    group_pairs(&ctx, &q, |g| {
        g.members.iter().map(|m| pair(&g.name, m)).collect()
    })
}

/// `group_names=` lists answer one item per (group, member) pair; an unknown group is a 400.
fn group_pairs(
    ctx: &Ctx,
    q: &HashMap<String, String>,
    pairs: impl Fn(&ProtectionGroup) -> Vec<Value>,
) -> Response {
    let wanted = names(q, "group_names");
    ctx.with(|site, _| {
        let a = &site.array;
        if let Err(e) = require_all(&wanted, |n| a.group(n), "Protection group") {
            return e;
        }
        let all = a
            .groups
            .iter()
            .filter(|g| wanted.as_ref().is_none_or(|w| w.contains(&g.name)))
            .flat_map(&pairs)
            .collect();
        list(q, all)
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

pub(super) async fn add_group_volumes(State(ctx): State<Ctx>, Query(q): Q) -> Response {
    edit_group(&ctx, &q, false, true)
}

pub(super) async fn remove_group_volumes(State(ctx): State<Ctx>, Query(q): Q) -> Response {
    edit_group(&ctx, &q, false, false)
}

pub(super) async fn add_group_targets(State(ctx): State<Ctx>, Query(q): Q) -> Response {
    edit_group(&ctx, &q, true, true)
}

pub(super) async fn remove_group_targets(State(ctx): State<Ctx>, Query(q): Q) -> Response {
    edit_group(&ctx, &q, true, false)
}

pub(super) async fn group_targets(State(ctx): State<Ctx>, Query(q): Q) -> Response {
    group_pairs(&ctx, &q, |g| {
        g.targets
            .iter()
            .map(|t| {
                let mut item = pair(&g.name, t);
                item["allowed"] = json!(true);
                item
            })
            .collect()
    })
}

fn render_snapshot(s: &PgSnapshot) -> Value {
    json!({"name": s.name, "source": {"name": s.group}, "suffix": s.suffix,
        "created": clock::ms(s.created), "destroyed": false, "time_remaining": null})
}

pub(super) async fn snapshots(State(ctx): State<Ctx>, Query(q): Q) -> Response {
    let sources = names(&q, "source_names");
    let wanted = names(&q, "names");
    ctx.with(|site, _| {
        let a = &site.array;
        if let Err(e) = require_all(&sources, |n| a.group(n), "Protection group") {
            return e;
        }
        let all = a
            .snapshots
            .iter()
            .filter(|s| sources.as_ref().is_none_or(|w| w.contains(&s.group)))
            .filter(|s| wanted.as_ref().is_none_or(|w| w.contains(&s.name)))
            .map(render_snapshot)
            .collect();
        list(&q, all)
    })
}

pub(super) async fn take_snapshot(State(ctx): State<Ctx>, Query(q): Q) -> Response {
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

pub(super) async fn transfers(State(ctx): State<Ctx>, Query(q): Q) -> Response {
    let wanted = names(&q, "names");
    let sources = names(&q, "source_names");
    ctx.with(|site, _| {
        let all = site
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
        list(&q, all)
    })
}

pub(super) async fn volume_snapshots(State(ctx): State<Ctx>, Query(q): Q) -> Response {
    let sources = names(&q, "source_names");
    let wanted = names(&q, "names");
    ctx.with(|site, _| {
        let a = &site.array;
        let mut all = Vec::new();
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
                    all.push(json!({"name": name, "source": {"name": source},
                        "suffix": s.suffix, "created": clock::ms(s.created),
                        "provisioned": v.provisioned, "destroyed": false,
                        "pod": null}));
                }
            }
        }
        list(&q, all)
    })
}
