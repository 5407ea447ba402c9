//! An operation's dialog: the live precondition checklist, the data-loss window, the editable
//! network and flavor mappings, and the options.

use super::dialog_block;
use super::layout::centered;
use super::text::{fit as shorten, wrap};
use crate::domain::preconditions::{Check, CheckState};
use crate::domain::{OperationType, human_seconds};
use crate::sanitize::clean;
use crate::tui::app::App;
use crate::tui::dialog::{Checks, DialogState, Field};
use crate::tui::symbols;
use crate::tui::theme::{Role, Theme};
use ratatui::Frame;
use ratatui::layout::{Position, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Clear, Paragraph};
use tui_input::Input;

const LABEL_W: usize = 14;

pub fn draw(frame: &mut Frame, app: &App, d: &DialogState, area: Rect) {
    let t = &app.theme;
    let width = area.width.min(100).saturating_sub(4);
    let inner_w = usize::from(width.saturating_sub(2));
    // Long reasons wrap; if that no longer fits the screen they are shortened with `…` instead,
    // and if even that is too tall the passing checks fold into one line (what warns or blocks
    // stays listed), so the options and the error line below them stay in view.
    let fits = |lines: &Vec<Line>| lines.len() + 2 <= usize::from(area.height);
    let (mut lines, mut cursor) = body(app, d, inner_w, Density::Wrap);
    for denser in [Density::Shorten, Density::FoldWrap, Density::FoldShorten] {
        if fits(&lines) {
            break;
        }
        (lines, cursor) = body(app, d, inner_w, denser);
    }
    let height = (lines.len() as u16 + 2).min(area.height);
    let r = centered(area, width, height);
    frame.render_widget(Clear, r);
    frame.render_widget(
        Paragraph::new(lines).block(
            // The keys sit in the bottom border: however long the checklist, they stay in view.
            dialog_block(title(d.operation), t).title_bottom(Span::styled(
                " Enter confirm · Tab/↑↓ field · Space toggle · Esc cancel ",
                t.style(Role::Dim),
            )),
        ),
        r,
    );
    if let Some((y, x)) = cursor {
        let col = r.x + 1 + 3 + LABEL_W as u16 + x as u16;
        frame.set_cursor_position(Position::new(col.min(r.right() - 2), r.y + 1 + y as u16));
    }
}

/// The dialog's lines, and where the text cursor is (row, column) when a text field has focus.
fn body<'a>(
    app: &App,
    d: &DialogState,
    inner_w: usize,
    density: Density,
) -> (Vec<Line<'a>>, Option<(usize, usize)>) {
    let t = &app.theme;
    let mut lines = vec![
        Line::from(vec![
            Span::styled(format!(" {} ", d.group), t.style(Role::Title)),
            Span::styled(
                match d.operation {
                    // A fence moves nothing: it names the side it stops.
                    OperationType::Fence => {
                        crate::domain::direction(d.operation, &clean(&d.source), &clean(&d.target))
                    }
                    _ => format!("{} ⇢ {}", clean(&d.source), clean(&d.target)),
                },
                t.style(Role::Dim),
            ),
        ]),
        Line::from(Span::styled(" Preconditions", t.style(Role::Title))),
    ];
    let fit = Fit {
        width: inner_w,
        wrap: matches!(density, Density::Wrap | Density::FoldWrap),
        fold_passes: matches!(density, Density::FoldWrap | Density::FoldShorten),
    };
    lines.extend(checklist(t, &d.checks, fit));
    let loss_role = if d.operation == OperationType::Failover {
        Role::Attention
    } else {
        Role::Text
    };
    let label = Span::styled(format!(" {:<LABEL_W$}", "Data loss"), t.style(Role::Title));
    lines.extend(labelled(
        label,
        &d.data_loss(app.now),
        t.style(loss_role),
        fit,
    ));
    let cursor = fields(t, d, inner_w, &mut lines);
    if let Some(e) = &d.error {
        let always = Fit {
            width: inner_w,
            wrap: true,
            fold_passes: false,
        };
        lines.extend(labelled(Span::raw(" "), e, t.style(Role::Failed), always));
    }
    (lines, cursor)
}

/// The option fields (and, under a focused point field, the points); where the text cursor is.
fn fields(
    t: &Theme,
    d: &DialogState,
    width: usize,
    lines: &mut Vec<Line>,
) -> Option<(usize, usize)> {
    let mut cursor = None;
    for (i, field) in d.fields().into_iter().enumerate() {
        let focus = i == d.field;
        if focus && let Some(input) = text_input(d, field) {
            cursor = Some((lines.len(), input.visual_cursor()));
        }
        lines.push(field_line(t, d, field, focus, width));
        if focus && field == Field::RecoveryPoint {
            lines.extend(point_list(t, d));
        }
    }
    cursor
}

/// How tightly the dialog is drawn, from roomy to what fits 80×24.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Density {
    Wrap,
    Shorten,
    FoldWrap,
    FoldShorten,
}

/// How a text fits its room: wrapped at words, or on one line ending in `…`; and whether the
/// checks that pass are folded into one line.
#[derive(Clone, Copy)]
struct Fit {
    width: usize,
    wrap: bool,
    fold_passes: bool,
}

fn title(op: OperationType) -> &'static str {
    op.label()
}

fn checklist<'a>(t: &Theme, checks: &Checks, fit: Fit) -> Vec<Line<'a>> {
    match checks {
        Checks::Pending => vec![Line::from(Span::styled(
            format!("   {} checking…", symbols::RUNNING),
            t.style(Role::Progress),
        ))],
        Checks::Failed(e) => vec![Line::from(Span::styled(
            format!("   {} cannot check: {e}", symbols::FAILED),
            t.style(Role::Failed),
        ))],
        Checks::Ready(list) => {
            let shown = |c: &&Check| !fit.fold_passes || c.state != CheckState::Ok;
            let mut lines: Vec<Line> = list
                .iter()
                .filter(shown)
                .flat_map(|c| {
                    let (sym, role) = symbols::check_state(c.state);
                    let label =
                        Span::styled(format!("   {sym} {:<28} ", clean(&c.label)), t.style(role));
                    labelled(label, &clean(&c.reason), t.style(Role::Dim), fit)
                })
                .collect();
            let folded = list.len() - list.iter().filter(shown).count();
            if folded > 0 {
                let (sym, role) = symbols::check_state(CheckState::Ok);
                lines.insert(
                    0,
                    Line::from(Span::styled(
                        format!("   {sym} {folded} checks pass (a taller terminal lists them)"),
                        t.style(role),
                    )),
                );
            }
            lines
        }
    }
}

/// `label` then `text`; a text too long for the row wraps at words under itself, or is shortened.
fn labelled<'a>(label: Span<'a>, text: &str, style: Style, fit: Fit) -> Vec<Line<'a>> {
    let indent = label.width();
    let room = fit.width.saturating_sub(indent).max(8);
    let rows = if fit.wrap {
        wrap(text, room)
    } else {
        vec![shorten(text, room)]
    };
    let mut rows = rows.into_iter();
    let first = Line::from(vec![
        label,
        Span::styled(rows.next().unwrap_or_default(), style),
    ]);
    std::iter::once(first)
        .chain(rows.map(|r| Line::from(Span::styled(format!("{}{r}", " ".repeat(indent)), style))))
        .collect()
}

fn text_input(d: &DialogState, field: Field) -> Option<&Input> {
    match field {
        Field::Network => Some(&d.network),
        Field::Flavor => Some(&d.flavor),
        Field::FloatingIps => Some(&d.floating),
        _ => None,
    }
}

/// A checkbox option's label and its line.
fn toggle(d: &DialogState, field: Field) -> (&'static str, String) {
    let check = |on: bool| if on { "[x]" } else { "[ ]" };
    match field {
        Field::Force => (
            "Force",
            format!(
                "{} proceed although the source site is unreachable",
                check(d.force)
            ),
        ),
        Field::StopServers => (
            "Stop servers",
            format!("{} stop production servers first", check(d.stop_servers)),
        ),
        Field::RetainPrimary => (
            "Production",
            format!(
                "{} keep running (off: quiesce it for the drill)",
                check(d.retain_primary)
            ),
        ),
        Field::ReverseReplication => (
            "Reverse repl.",
            format!(
                "{} replicate from {} again afterwards",
                check(d.reverse_replication),
                clean(&d.target)
            ),
        ),
        _ => (
            "Prod. network",
            format!(
                "{} allow landing on a production network",
                check(d.allow_production_network)
            ),
        ),
    }
}

/// The chosen point: `‹ array-a:web-app-pg.12 · 10:42:03 UTC · latest ›`.
fn point_value(d: &DialogState) -> String {
    match d.chosen_point() {
        Some(p) => format!(
            "‹ {} · {} UTC{} ›",
            clean(&p.name),
            p.created.format("%H:%M:%S"),
            if p.latest { " · latest" } else { "" }
        ),
        None => match &d.point {
            Some(name) => format!("‹ {} (not arrived) ›", clean(name)),
            None => "‹ latest ›".to_string(),
        },
    }
}

/// While the point field has focus: the arrived points around the chosen one, newest first,
/// each with the data recovering from it loses (the checklist's figures).
fn point_list<'a>(t: &Theme, d: &DialogState) -> Vec<Line<'a>> {
    const SHOWN: usize = 5;
    let Some(points) = d.points.as_ref() else {
        return Vec::new();
    };
    let chosen = d.chosen_point().map(|p| p.name.clone());
    let at = points
        .points
        .iter()
        .position(|p| Some(&p.name) == chosen.as_ref())
        .unwrap_or(0);
    let first = at
        .saturating_sub(SHOWN / 2)
        .min(points.points.len().saturating_sub(SHOWN));
    points
        .points
        .iter()
        .enumerate()
        .skip(first)
        .take(SHOWN)
        .map(|(i, p)| {
            let (mark, role) = if i == at {
                ("▸", Role::Focus)
            } else {
                (" ", Role::Dim)
            };
            Line::from(Span::styled(
                format!(
                    "{:LABEL_W$}    {mark} {}  {} UTC  loses {}",
                    "",
                    clean(&p.name),
                    p.created.format("%H:%M:%S"),
                    human_seconds(p.data_loss_seconds)
                ),
                t.style(role),
            ))
        })
        .collect()
}

fn field_line<'a>(t: &Theme, d: &DialogState, field: Field, focus: bool, width: usize) -> Line<'a> {
    let marker = if focus { " ▸ " } else { "   " };
    let label_style = if focus {
        t.style(Role::Focus)
    } else {
        t.style(Role::Title)
    };
    let (label, value) = match field {
        Field::Mode => {
            let planned = d.operation == OperationType::PlannedFailover;
            (
                "Mode",
                format!(
                    "({}) planned, no data loss   ({}) unplanned",
                    if planned { "•" } else { " " },
                    if planned { " " } else { "•" }
                ),
            )
        }
        Field::Force
        | Field::StopServers
        | Field::AllowProductionNetwork
        | Field::RetainPrimary
        | Field::ReverseReplication => toggle(d, field),
        Field::RecoveryPoint => ("Rec. point", point_value(d)),
        Field::Network | Field::Flavor | Field::FloatingIps => {
            let input = text_input(d, field).unwrap_or(&d.network);
            let room = width.saturating_sub(LABEL_W + 4);
            let scroll = input.visual_scroll(room);
            let shown: String = input.value().chars().skip(scroll).take(room).collect();
            let (name, empty) = match field {
                Field::Network => ("Networks", "(none; src=dst, …)"),
                Field::Flavor => ("Flavors", "(none; src=dst, …)"),
                _ => ("Floating IPs", "(same address; ADDR=NEW|auto, …)"),
            };
            let value = if shown.is_empty() && !focus {
                empty.to_string()
            } else {
                shown
            };
            (name, value)
        }
    };
    Line::from(vec![
        Span::styled(marker, t.style(Role::Accent)),
        Span::styled(format!("{label:<LABEL_W$}"), label_style),
        Span::raw(value),
    ])
}
