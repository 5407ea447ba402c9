//! The card under the steps: the step running now, the result of a completed operation (its
//! figures from the operation's record), or what failed — the whole error — and what to do next;
//! a cancel reads as a cancel. Its lines are wrapped to the width here, so none is ever cut: a
//! card taller than its pane scrolls (J/K).

use super::steps::step_secs;
use crate::domain::{OperationStatus, OperationType, StepMark, StepState, human_seconds};
use crate::sanitize::clean;
use crate::tui::app::App;
use crate::tui::backend::{OperationDetail, StepView};
use crate::tui::command::command_for;
use crate::tui::keymap::{KeyAction, View};
use crate::tui::symbols;
use crate::tui::theme::Role;
use crate::tui::view::text::wrap;
use crate::tui::view::{duration, pane_block};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

/// One sentence of the card and its colour.
type Para = (String, Role);

/// The card's title and its lines, wrapped to `width`; `settled`: the journal says it ended.
pub fn card_lines(
    app: &App,
    d: &OperationDetail,
    settled: bool,
    width: usize,
) -> (String, Vec<Line<'static>>) {
    let (title, paras) = content(app, d, settled);
    let t = &app.theme;
    let lines = paras
        .into_iter()
        .flat_map(|(text, role)| {
            wrap(&text, width.saturating_sub(1))
                .into_iter()
                .map(move |row| Line::from(Span::styled(format!(" {row}"), t.style(role))))
        })
        .collect();
    (title, lines)
}

fn content(app: &App, d: &OperationDetail, settled: bool) -> (String, Vec<Para>) {
    let running = d
        .steps
        .iter()
        .rev()
        .find(|s| s.status == StepState::Running);
    match d.record.status {
        OperationStatus::Completed if settled => ("Result".into(), result(app, d)),
        OperationStatus::Completed => (
            "Result".into(),
            vec![(
                format!(
                    "{} completed; reading its result from the journal…",
                    symbols::OK
                ),
                Role::Ok,
            )],
        ),
        _ if d.was_cancelled() => ("Cancelled".into(), cancelled(app, d)),
        OperationStatus::Failed | OperationStatus::RollbackFailed => {
            ("What failed".into(), failure(app, d))
        }
        OperationStatus::RollingBack => ("Rolling back".into(), rolling_back(app, d, running)),
        _ => match running {
            Some(s) => ("Current step".into(), current(app, s)),
            None => ("Current step".into(), vec![("waiting…".into(), Role::Dim)]),
        },
    }
}

fn result(app: &App, d: &OperationDetail) -> Vec<Para> {
    let r = &d.record;
    let took = d.elapsed_seconds(app.now).map(duration).unwrap_or_default();
    let what = if r.operation_type == OperationType::TestCleanup {
        removed(d)
    } else {
        format!(
            "{} instances created, {} volumes managed",
            r.result_data.instances_created, r.result_data.volumes_managed
        )
    };
    let mut out = vec![(
        format!(
            "{} {} of {} completed in {took}: {what}.",
            symbols::OK,
            r.operation_type.label(),
            clean(&r.protection_group),
        ),
        Role::Ok,
    )];
    if let Some(line) = where_it_runs(d) {
        out.push((line, Role::Text));
    }
    out.extend(figures(d));
    if let Some(path) = app.reports.get(&r.id) {
        out.push((format!("Report: {path}"), Role::Text));
    }
    out
}

/// `removed 3 servers, 3 ports, 3 volumes`: what a cleanup's steps say they deleted.
fn removed(d: &OperationDetail) -> String {
    use crate::domain::ResourceKind as K;
    let count = |k: K| {
        d.steps
            .iter()
            .flat_map(|s| &s.removed)
            .filter(|r| r.kind == k)
            .count()
    };
    let parts: Vec<String> = [
        (K::Server, "server"),
        (K::Port, "port"),
        (K::Volume, "volume"),
        (K::ArrayVolume, "array volume"),
    ]
    .into_iter()
    .filter_map(|(k, word)| match count(k) {
        0 => None,
        1 => Some(format!("1 {word}")),
        n => Some(format!("{n} {word}s")),
    })
    .collect();
    if parts.is_empty() {
        "nothing was left to remove".into()
    } else {
        format!("removed {}", parts.join(", "))
    }
}

/// Where the workload runs now, after a move or a drill.
fn where_it_runs(d: &OperationDetail) -> Option<String> {
    let r = &d.record;
    match r.operation_type {
        OperationType::TestFailover => Some(format!(
            "Drill copies run at {} in the test networks; production at {} is untouched. \
             Clean up with :cleanup {}.",
            clean(&r.target_site_id),
            clean(&r.source_site_id),
            clean(&r.protection_group)
        )),
        OperationType::TestCleanup => Some(format!(
            "The drill's copies at {} are gone; {} runs at {} as before.",
            clean(&r.target_site_id),
            clean(&r.protection_group),
            clean(&r.source_site_id)
        )),
        _ => d.new_primary().map(|p| {
            format!(
                "{} now runs at {} (primary).",
                clean(&r.protection_group),
                clean(p)
            )
        }),
    }
}

/// The recovery point, data-loss window and RTO, each against its target.
pub fn figures(d: &OperationDetail) -> Vec<Para> {
    let mut out = Vec::new();
    if let Some(rp) = &d.recovery_point {
        let when = rp
            .created
            .map(|c| format!(" taken {}", c.format("%Y-%m-%d %H:%M:%S UTC")))
            .unwrap_or_default();
        let loss = d.data_loss_seconds();
        let lost = match (rp.created, loss) {
            (Some(c), Some(l)) if l > 0 => format!(
                ": writes after {} are not in the copy",
                c.format("%H:%M:%S UTC")
            ),
            _ => String::new(),
        };
        out.push((
            format!(
                "Recovery point: snapshot {}{when}; data-loss window {}{lost} (RPO target {}: {}).",
                clean(&rp.name),
                loss.map(human_seconds).unwrap_or_else(|| "unknown".into()),
                human_seconds(d.targets.rpo_target_seconds as i64),
                d.rpo_verdict().as_str()
            ),
            Role::Text,
        ));
    }
    if let Some(rto) = d.rto_seconds() {
        let target = d
            .targets
            .rto_target_seconds
            .map(|t| {
                format!(
                    "target {}: {}",
                    human_seconds(t as i64),
                    d.rto_verdict().as_str()
                )
            })
            .unwrap_or_else(|| "no RTO target set".into());
        out.push((
            format!(
                "RTO: {} to the last server ACTIVE ({target}).",
                human_seconds(rto)
            ),
            Role::Text,
        ));
    }
    out
}

fn current(app: &App, s: &StepView) -> Vec<Para> {
    let mut facts = Vec::new();
    if let Some(a) = s.started_at {
        facts.push(format!("started {}", a.format("%H:%M:%S")));
    }
    if let Some(secs) = step_secs(s, app.now) {
        facts.push(format!("running for {}", duration(secs)));
    }
    if let Some((a, b)) = s.progress {
        facts.push(format!("{a} of {b} done"));
    }
    let mut out = vec![(
        format!(
            "{} {} ({})",
            symbols::RUNNING,
            clean(&s.label),
            s.phase.label()
        ),
        Role::Progress,
    )];
    out.push((facts.join(" · "), Role::Text));
    if let Some(e) = &s.error {
        out.push((
            format!("The last attempt failed, retrying: {}", clean(e)),
            Role::Attention,
        ));
    }
    out
}

fn rolling_back(app: &App, d: &OperationDetail, running: Option<&StepView>) -> Vec<Para> {
    let (undone, nothing, left) = d.rollback_counts();
    let why = d
        .record
        .error_message
        .as_deref()
        .map(clean)
        .unwrap_or_else(|| "a step failed".into());
    let mut out = vec![(
        format!(
            "{} Rolling back ({why}): undoing what it did, newest first. So far {undone} undone, \
             {nothing} with nothing to undo, {left} left behind.",
            symbols::UNDONE
        ),
        Role::Attention,
    )];
    if let Some(s) = running {
        out.extend(current(app, s));
    }
    out
}

/// The step that failed and its whole error, what rollback did, and what to do next.
fn failure(app: &App, d: &OperationDetail) -> Vec<Para> {
    let r = &d.record;
    let failed = d.steps.iter().find(|s| s.mark == StepMark::Failed);
    let error = failed
        .and_then(|s| s.error.clone())
        .or_else(|| r.error_message.clone())
        .map(|e| clean(&e));
    let what = match (failed, error) {
        (Some(s), Some(e)) => format!("{} {} failed: {e}", symbols::FAILED, clean(&s.label)),
        (Some(s), None) => format!(
            "{} {} failed; the journal holds no error for it (see the log).",
            symbols::FAILED,
            clean(&s.label)
        ),
        (None, Some(e)) => format!("{} {e}", symbols::FAILED),
        (None, None) => format!("{} failed; see the log.", symbols::FAILED),
    };
    let mut out = vec![(what, Role::Failed)];
    if let Some(m) = r.error_message.as_deref().map(clean)
        && failed
            .and_then(|s| s.error.as_deref())
            .is_some_and(|e| !m.contains(e))
    {
        out.push((format!("The operation says: {m}"), Role::Failed));
    }
    out.push(aftermath(app, d));
    out.push((next_step(app, d), Role::Text));
    out
}

fn cancelled(app: &App, d: &OperationDetail) -> Vec<Para> {
    let r = &d.record;
    let (undone, nothing, _) = d.rollback_counts();
    vec![
        (
            format!(
                "{} Cancelled by the operator: what it had done was rolled back ({undone} \
                 undone, {nothing} with nothing to undo). This was not a failure.",
                symbols::UNDONE
            ),
            Role::Attention,
        ),
        aftermath(app, d),
        (
            format!(
                "Start it again when ready: :{} {}.",
                command_for(r.operation_type),
                clean(&r.protection_group)
            ),
            Role::Text,
        ),
    ]
}

/// What rollback left: nothing (the group is as before), or what must be cleaned up.
fn aftermath(app: &App, d: &OperationDetail) -> Para {
    let r = &d.record;
    let (undone, nothing, left) = d.rollback_counts();
    let group = clean(&r.protection_group);
    let status = app
        .group(&r.protection_group)
        .map(|g| g.status.as_str().to_string());
    if left > 0 {
        let names: Vec<String> = d
            .steps
            .iter()
            .filter(|s| s.mark == StepMark::LeftBehind)
            .map(|s| clean(&s.label))
            .collect();
        return (
            format!(
                "{} Rollback could not undo {left} step(s): {}. What they made is left behind; \
                 run `drconsole ops cleanup {}`.",
                symbols::ATTENTION,
                names.join(", "),
                r.id
            ),
            Role::Failed,
        );
    }
    let now = status
        .map(|s| format!("; {group} is {s}"))
        .unwrap_or_default();
    (
        format!(
            "Rolled back: {undone} step(s) undone, {nothing} had nothing to undo, none left \
             behind{now}."
        ),
        Role::Text,
    )
}

fn next_step(app: &App, d: &OperationDetail) -> String {
    let r = &d.record;
    let log = d
        .log_path
        .clone()
        .unwrap_or_else(|| format!("drconsole ops show {}", r.id));
    let refresh = app.keymap.keys_of(View::Main, KeyAction::Refresh);
    format!(
        "What to do next: check {} and {} in the Sites pane ({refresh} refreshes); fix the \
         cause, then start it again with :{} {}. Full log: {log}",
        clean(&r.source_site_id),
        clean(&r.target_site_id),
        command_for(r.operation_type),
        clean(&r.protection_group)
    )
}

/// Draw the card's lines from `scroll`; the title says when more is below or above.
pub fn draw(frame: &mut Frame, app: &App, card: (String, Vec<Line>), scroll: u16, area: Rect) {
    let (title, lines) = card;
    let rows = area.height.saturating_sub(2);
    let max_scroll = (lines.len() as u16).saturating_sub(rows);
    let scroll = scroll.min(max_scroll);
    let key = |a| app.keymap.keys_of(View::Operation, a);
    let mut title = title;
    if scroll < max_scroll {
        title.push_str(&format!(" · more below ({})", key(KeyAction::ScrollDown)));
    } else if scroll > 0 {
        title.push_str(&format!(" · more above ({})", key(KeyAction::ScrollUp)));
    }
    frame.render_widget(
        Paragraph::new(lines)
            .scroll((scroll, 0))
            .block(pane_block(title, false, &app.theme)),
        area,
    );
}
