//! `status` and `instances`: what the sites say now, as aligned text or stable JSON.

use super::CliError;
use super::out;
use super::table::render;
use crate::domain::{EstateView, GroupView, InstanceView, human_seconds};
use crate::orchestrator::engine::Engine;
use crate::orchestrator::engine::EngineError;
use std::sync::Arc;

pub async fn status(engine: &Arc<Engine>, json: bool) -> Result<(), CliError> {
    let estate = engine.estate().await.map_err(engine_err)?;
    if json {
        print_json(&estate)?;
    } else {
        out::text(render_status(&estate));
    }
    Ok(())
}

pub async fn instances(engine: &Arc<Engine>, group: &str, json: bool) -> Result<(), CliError> {
    let list = engine.instances(group).await.map_err(engine_err)?;
    if json {
        print_json(&serde_json::json!({ "group": group, "instances": list }))?;
    } else {
        out::text(render_instances(&list));
    }
    Ok(())
}

pub fn print_json<T: serde::Serialize>(value: &T) -> Result<(), CliError> {
    let text = serde_json::to_string_pretty(value)
        .map_err(|e| CliError::failed(format!("cannot write JSON: {e}")))?;
    out::raw(&format!("{text}\n"));
    Ok(())
}

pub fn engine_err(e: EngineError) -> CliError {
    match e {
        EngineError::Rejected(m) | EngineError::Config(m) => CliError::rejected(m),
        other => CliError::failed(other.to_string()),
    }
}

fn ms(v: Option<u64>) -> String {
    v.map(|v| format!("{v} ms")).unwrap_or_else(|| "—".into())
}

fn rpo(g: &GroupView) -> String {
    match g.rpo_seconds {
        Some(s) => format!(
            "{} / {}{}",
            human_seconds(s),
            human_seconds(g.rpo_target_seconds as i64),
            if g.rpo_breached() {
                " ⚠ over target"
            } else {
                ""
            }
        ),
        None => format!("? / {}", human_seconds(g.rpo_target_seconds as i64)),
    }
}

pub fn render_status(e: &EstateView) -> String {
    let mut out = site_table(e);
    out.push('\n');
    out.push_str(&group_table(e));
    out
}

/// Each site's reachability and round trips, then why an unreachable one is.
fn site_table(e: &EstateView) -> String {
    let rows: Vec<Vec<String>> = e
        .sites
        .iter()
        .map(|s| {
            let array = match (&s.array.replication, &s.array.error) {
                (Some(r), _) => format!("{}: {r}", s.array.name),
                (None, Some(err)) => format!("{}: unreachable ({err})", s.array.name),
                (None, None) => s.array.name.clone(),
            };
            let reachable = if s.reachable { "✔ yes" } else { "✖ no" };
            vec![
                s.name.clone(),
                s.role.to_string(),
                reachable.into(),
                ms(s.identity_ms),
                ms(s.compute_ms),
                array,
            ]
        })
        .collect();
    let mut out = render(
        &["SITE", "ROLE", "REACHABLE", "IDENTITY", "COMPUTE", "ARRAY"],
        &rows,
    );
    out.push('\n');
    for s in e.sites.iter().filter(|s| !s.reachable) {
        if let Some(err) = &s.error {
            out.push_str(&format!("  {}: {err}\n", s.name));
        }
    }
    out
}

/// Each group's state, direction, RPO and size, then each group's error.
fn group_table(e: &EstateView) -> String {
    let rows: Vec<Vec<String>> = e
        .protection_groups
        .iter()
        .map(|g| {
            let resync = if g.needs_resync {
                " (needs re-sync)"
            } else {
                ""
            };
            let resync = if g.attention.is_some() {
                format!("{resync} ⚠ needs attention")
            } else {
                resync.to_string()
            };
            let resync = match g.missing_members.len() {
                0 => resync,
                n => format!("{resync} ⚠ {n} missing"),
            };
            let loud = if g.status_word() != g.status.as_str() {
                "⚠ "
            } else {
                ""
            };
            vec![
                g.name.clone(),
                format!("{loud}{}{resync}", g.status_word()),
                g.direction.clone(),
                rpo(g),
                g.instances.to_string(),
            ]
        })
        .collect();
    let headers = [
        "GROUP",
        "STATUS",
        "DIRECTION",
        "RPO NOW / TARGET",
        "INSTANCES",
    ];
    let mut out = render(&headers, &rows);
    out.push('\n');
    for g in &e.protection_groups {
        out.push_str(&standing(g));
        if let Some(err) = &g.error {
            out.push_str(&format!("  {}: {err}\n", g.name));
        }
    }
    out
}

/// What stands on a group that the operator must act on, each with the one way out.
fn standing(g: &GroupView) -> String {
    let mut out = String::new();
    if let Some(a) = &g.attention {
        let summary = crate::sanitize::clean(&a.summary());
        out.push_str(&format!("  ⚠ NEEDS ATTENTION {}: {summary}\n", g.name));
    }
    for f in &g.split_brain {
        out.push_str(&format!(
            "  ⚠ SPLIT-BRAIN {}: {}; run `drconsole fence {}` (stops the copies at {})\n",
            g.name,
            f.describe(),
            g.name,
            g.current_secondary()
        ));
    }
    if !g.missing_members.is_empty() {
        out.push_str(&format!(
            "  ⚠ MISSING MEMBER {}: {} not found at {} (the group has {} of {}): a failover would \
             leave it behind; restore it there, or remove it from the group's members\n",
            g.name,
            g.missing_members.join(", "),
            g.current_primary,
            g.instances,
            g.instances + g.missing_members.len()
        ));
    }
    if let Some(p) = &g.fence_pending {
        out.push_str(&format!(
            "  ⚠ FENCE PENDING {}: {} was unreachable during the forced failover {} (since {}), \
             so its servers may still run; the fence runs by itself once {} answers, or run \
             `drconsole fence {}`\n",
            g.name,
            p.site,
            p.operation_id.get(..8).unwrap_or(&p.operation_id),
            p.since.format("%Y-%m-%d %H:%M:%S UTC"),
            p.site,
            g.name
        ));
    }
    out
}

pub fn render_instances(list: &[InstanceView]) -> String {
    let mut out = String::new();
    for i in list {
        let servers: Vec<String> = i
            .servers
            .iter()
            .map(|s| {
                let mut line = format!("{}: {}", s.site, s.status);
                // IP and MAC side by side: a failover keeps both.
                let nics: Vec<String> = s
                    .ports
                    .iter()
                    .map(|n| {
                        let ip = n.ip.as_deref().unwrap_or("(no IP)");
                        match &n.floating_ip {
                            Some(f) => format!("{ip} {} (floating {})", n.mac, f.address),
                            None => format!("{ip} {}", n.mac),
                        }
                    })
                    .collect();
                if !nics.is_empty() {
                    line.push_str(&format!(" {}", nics.join(", ")));
                }
                if let Some(e) = &s.error {
                    line.push_str(&format!(" ({e})"));
                }
                // A drill's copy beside production is no split-brain: say which it is.
                if s.drill_copy {
                    line.push_str(" (drill copy)");
                }
                line
            })
            .collect();
        out.push_str(&format!("{}  {}\n", i.name, servers.join("   ")));
        if let Some(f) = &i.split_brain {
            out.push_str(&format!(
                "    ⚠ SPLIT-BRAIN: {}; run `drconsole fence {}`\n",
                f.describe(),
                i.group
            ));
        }
        for v in &i.volumes {
            out.push_str(&format!(
                "    {} {} GB {}{} → {} ({})\n",
                v.name,
                v.size_gb,
                v.volume_type,
                if v.bootable { ", boot" } else { "" },
                v.target.as_deref().unwrap_or("?"),
                v.replication
            ));
        }
    }
    out
}
