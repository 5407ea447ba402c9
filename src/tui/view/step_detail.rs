//! Enter on a step in the operation view opens its task view: what the plan says of it (the
//! steps it waits for, its attempts of a limit, its timeout, whether it is a point of no
//! return) beside what the journal says (its mark, start and end, the whole error, what it made,
//! removed or left behind) — the same fields as `ops show`.

use super::operation::steps::step_secs;
use crate::domain::{Resource, StepMark};
use crate::sanitize::clean;
use crate::tui::app::App;
use crate::tui::backend::{OperationDetail, StepView};
use crate::tui::symbols;
use crate::tui::theme::Role;
use crate::tui::view::duration;
use std::collections::{HashMap, HashSet};

type Para = (String, Role);

/// The detail's sentences for step `s` of operation `d`.
pub fn paras(app: &App, d: &OperationDetail, s: &StepView) -> Vec<Para> {
    let (sym, role) = symbols::step_status(s);
    let mut out = vec![
        (
            format!("{sym} {} — {}", mark_word(s.mark), clean(&s.label)),
            role,
        ),
        (
            format!("Step {} · phase {:?}", clean(&s.id), s.phase),
            Role::Dim,
        ),
        (waits_for(d, s), Role::Text),
        (limits(s), Role::Text),
    ];
    if s.point_of_no_return {
        out.push((
            "Point of no return: never undone; a rollback after it has run stops here and the \
             way forward is a retry."
                .into(),
            Role::Attention,
        ));
    }
    out.push((times(app, s), Role::Text));
    if let Some(e) = &s.error {
        out.push((format!("Error: {}", clean(e)), Role::Failed));
    }
    if let Some(e) = &s.undo_error {
        out.push((format!("Its undo failed: {}", clean(e)), Role::Failed));
    }
    resources(&mut out, "Made", &s.created, Role::Text);
    resources(&mut out, "Removed", &s.removed, Role::Text);
    resources(&mut out, "Left behind", &s.left_behind, Role::Attention);
    out
}

fn mark_word(m: StepMark) -> String {
    m.as_str().replace('_', " ")
}

/// Its upstream steps by label (the id when the plan does not list it).
fn waits_for(d: &OperationDetail, s: &StepView) -> String {
    if s.upstream.is_empty() {
        return "Waits for: nothing (it starts first).".into();
    }
    // One pass over the plan, not one per upstream step: a wave's wait has hundreds of them.
    let wanted: HashSet<&str> = s.upstream.iter().map(String::as_str).collect();
    let labels: HashMap<&str, &str> = d
        .steps
        .iter()
        .filter(|u| wanted.contains(u.id.as_str()))
        .map(|u| (u.id.as_str(), u.label.as_str()))
        .collect();
    let names: Vec<String> = s
        .upstream
        .iter()
        .map(|id| clean(labels.get(id.as_str()).copied().unwrap_or(id)))
        .collect();
    format!("Waits for: {}.", names.join(", "))
}

fn limits(s: &StepView) -> String {
    let attempts = match (s.attempt, s.attempt_limit) {
        (0, Some(n)) => format!("not started; up to {n} attempt{}", plural(n)),
        (a, Some(n)) => format!("attempt {a} of {n}"),
        (0, None) => "not started".into(),
        (a, None) => format!("attempt {a}"),
    };
    let timeout = match s.timeout_ms {
        Some(ms) => format!("each may take {}", duration(ms as f64 / 1000.0)),
        None => "timeout unknown (the plan is unreadable)".into(),
    };
    format!("Attempts: {attempts}; {timeout}.")
}

fn plural(n: u32) -> &'static str {
    if n == 1 { "" } else { "s" }
}

fn times(app: &App, s: &StepView) -> String {
    let at = |t: chrono::DateTime<chrono::Utc>| t.format("%H:%M:%S UTC").to_string();
    match (s.started_at, s.finished_at) {
        (None, _) => "Never started.".into(),
        (Some(a), None) => format!(
            "Started {}, running for {}.",
            at(a),
            duration(step_secs(s, app.now).unwrap_or(0.0))
        ),
        (Some(a), Some(b)) => format!(
            "Started {}, ended {} ({}).",
            at(a),
            at(b),
            duration(step_secs(s, app.now).unwrap_or(0.0))
        ),
    }
}

fn resources(out: &mut Vec<Para>, what: &str, list: &[Resource], role: Role) {
    for r in list {
        out.push((format!("{what}: {}", clean(&r.to_string())), role));
    }
}
