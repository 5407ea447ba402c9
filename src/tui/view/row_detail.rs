//! Enter on a site or an instance opens its detail over the screen: for an instance, its server
//! at both sites (status, flavor, drill copy, every port with network, IP and MAC) and each
//! volume with its replication pair; for a site, its probe, its array, the groups it is primary
//! for and its lab faults; for a step of the operation view, its task view (step_detail.rs).
//! Drawn from the state, so it follows refreshes; it scrolls (j/k).

use super::sentences::{self, Sentences};
use super::sites::primary_for;
use crate::domain::{InstanceView, ServerAtSite, SiteView};
use crate::sanitize::clean;
use crate::tui::app::{App, DetailKind, DetailState, Screen};
use crate::tui::symbols;
use crate::tui::theme::Role;
use ratatui::Frame;
use ratatui::layout::Rect;

type Para = (String, Role);

/// The detail's title and sentences, as the state says now.
pub fn content(app: &App, d: &DetailState) -> (String, Vec<Para>) {
    match &d.kind {
        DetailKind::Instance(name) => match app.instances.iter().find(|i| &i.name == name) {
            Some(i) => (format!("Instance {}", clean(name)), instance(app, i)),
            None => gone(&format!("instance {name}")),
        },
        DetailKind::Site(name) => match app.estate.as_ref().and_then(|e| e.site(name)) {
            Some(s) => (format!("Site {}", clean(name)), site(app, s)),
            None => gone(&format!("site {name}")),
        },
        DetailKind::Step(id) => {
            let detail = match &app.screen {
                Screen::Operation(v) => v.detail.as_ref(),
                _ => None,
            };
            match detail.and_then(|d| Some((d, d.steps.iter().find(|s| &s.id == id)?))) {
                Some((d, s)) => (
                    format!("Step {}", clean(&s.label)),
                    super::step_detail::paras(app, d, s),
                ),
                None => gone(&format!("step {id}")),
            }
        }
    }
}

fn gone(what: &str) -> (String, Vec<Para>) {
    (
        "Detail".into(),
        vec![(
            format!("{} is no longer listed (refreshed meanwhile).", clean(what)),
            Role::Dim,
        )],
    )
}

fn instance(app: &App, i: &InstanceView) -> Vec<Para> {
    let primary = app.group(&i.group).map(|g| g.current_primary.clone());
    let mut out = Vec::new();
    for s in &i.servers {
        let role = if primary.as_deref() == Some(s.site.as_str()) {
            "primary"
        } else {
            "dr"
        };
        out.push((
            format!("At {} ({role}): {}", clean(&s.site), server(s)),
            server_role(s),
        ));
        for p in &s.ports {
            out.push((
                format!(
                    "· port on {}: IP {}, MAC {}",
                    clean(&p.network),
                    p.ip.as_deref().map(clean).unwrap_or_else(|| "none".into()),
                    clean(&p.mac)
                ),
                Role::Text,
            ));
        }
    }
    if i.volumes.is_empty() {
        out.push(("No volumes seen at the primary.".into(), Role::Dim));
    }
    for v in &i.volumes {
        let boot = if v.bootable { ", boots" } else { "" };
        out.push((
            format!(
                "Volume {} ({} GB, {}{boot}): array volume {} ⇢ {} — {}",
                clean(&v.name),
                v.size_gb,
                clean(&v.volume_type),
                clean(&v.source_array_volume),
                v.target
                    .as_deref()
                    .map(clean)
                    .unwrap_or_else(|| "no target".into()),
                clean(&v.replication)
            ),
            if v.replication == "replicating" {
                Role::Text
            } else {
                Role::Attention
            },
        ));
    }
    out
}

fn server(s: &ServerAtSite) -> String {
    if let Some(e) = &s.error {
        return format!("{} cannot tell: {}", symbols::FAILED, clean(e));
    }
    let Some(id) = &s.server_id else {
        return "no server".into();
    };
    let copy = if s.drill_copy {
        format!(
            "{} drill copy (made by drill {}), not production; ",
            symbols::DRILL_COPY,
            s.made_by.as_deref().map(clean).unwrap_or_default()
        )
    } else {
        String::new()
    };
    format!(
        "{copy}server {} {}, flavor {}",
        clean(id),
        clean(&s.status),
        s.flavor.as_deref().map(clean).unwrap_or_else(|| "?".into())
    )
}

fn server_role(s: &ServerAtSite) -> Role {
    match (s.error.is_some(), s.status.as_str()) {
        (true, _) | (_, "ERROR") => Role::Failed,
        (_, "ACTIVE") => Role::Ok,
        _ => Role::Text,
    }
}

fn site(app: &App, s: &SiteView) -> Vec<Para> {
    let mut out = vec![match (s.reachable, &s.error) {
        (true, _) => (
            format!(
                "{} reachable: identity {}, compute {}",
                symbols::UP,
                ms(s.identity_ms),
                ms(s.compute_ms)
            ),
            Role::Ok,
        ),
        (false, e) => (
            format!(
                "{} unreachable: {}",
                symbols::DOWN,
                e.as_deref().map(clean).unwrap_or_default()
            ),
            Role::Failed,
        ),
    }];
    out.push((
        format!(
            "Configured as {}; primary now for: {}.",
            s.role.as_str(),
            list(&primary_for(app, &s.name))
        ),
        Role::Text,
    ));
    out.push((
        format!(
            "Array {}: {}",
            clean(&s.array.name),
            match (&s.array.error, &s.array.replication) {
                (Some(e), _) => clean(e),
                (None, Some(r)) => format!("replication link {}", clean(r)),
                (None, None) => "replication link unknown".into(),
            }
        ),
        Role::Text,
    ));
    let faults = app.faults_at(&s.name);
    if !faults.is_empty() {
        let names: Vec<String> = faults.iter().map(|f| f.describe()).collect();
        out.push((
            format!(
                "{} Lab faults now: {} (F opens the fault menu).",
                symbols::FAULT,
                names.join(", ")
            ),
            Role::Attention,
        ));
    }
    out
}

fn ms(v: Option<u64>) -> String {
    v.map(|m| format!("{m} ms")).unwrap_or_else(|| "—".into())
}

fn list(names: &[String]) -> String {
    if names.is_empty() {
        "no group".into()
    } else {
        names.join(", ")
    }
}

pub fn draw(frame: &mut Frame, app: &App, d: &DetailState, area: Rect) {
    let (title, paras) = content(app, d);
    let s = Sentences {
        title: &title,
        paras,
        hint: "j/k scroll · Esc close",
    };
    sentences::draw(frame, &app.theme, s, 100, d.scroll, area);
}
