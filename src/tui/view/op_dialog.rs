//! An operation's dialog: the live precondition checklist, the data-loss window, the editable
//! network and flavor mappings, and the options.

use super::dialog_block;
use super::layout::centered;
use crate::domain::OperationType;
use crate::sanitize::clean;
use crate::tui::app::App;
use crate::tui::dialog::{Checks, DialogState, Field};
use crate::tui::symbols;
use crate::tui::theme::{Role, Theme};
use ratatui::Frame;
use ratatui::layout::{Position, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Clear, Paragraph};
use tui_input::Input;

const LABEL_W: usize = 14;

pub fn draw(frame: &mut Frame, app: &App, d: &DialogState, area: Rect) {
    let t = &app.theme;
    let width = area.width.min(100).saturating_sub(4);
    let inner_w = usize::from(width.saturating_sub(2));
    let mut lines = vec![Line::from(vec![
        Span::styled(format!(" {} ", d.group), t.style(Role::Title)),
        Span::styled(
            match d.operation {
                OperationType::Fence => {
                    crate::domain::direction(d.operation, &clean(&d.source), &clean(&d.target))
                }
                _ => format!("{} ⇢ {}", clean(&d.source), clean(&d.target)),
            },
            t.style(Role::Dim),
        ),
    ])];
    lines.push(Line::from(Span::styled(
        " Preconditions",
        t.style(Role::Title),
    )));
    lines.extend(checklist(t, &d.checks, inner_w));
    lines.push(Line::from(vec![
        Span::styled(format!(" {:<LABEL_W$}", "Data loss"), t.style(Role::Title)),
        Span::styled(
            d.data_loss(app.now),
            t.style(if d.operation == OperationType::Failover {
                Role::Attention
            } else {
                Role::Text
            }),
        ),
    ]));
    let mut cursor = None;
    for (i, field) in d.fields().into_iter().enumerate() {
        let focus = i == d.field;
        let y = lines.len();
        lines.push(field_line(t, d, field, focus, inner_w));
        if focus && let Some(input) = text_input(d, field) {
            cursor = Some((y, input.visual_cursor()));
        }
    }
    lines.push(Line::from(Span::styled(
        " Enter confirm · Tab/↑↓ field · Space toggle · Esc cancel",
        t.style(Role::Dim),
    )));
    if let Some(e) = &d.error {
        lines.push(Line::from(Span::styled(
            format!(" {e}"),
            t.style(Role::Failed),
        )));
    }
    let height = (lines.len() as u16 + 2).min(area.height);
    let r = centered(area, width, height);
    frame.render_widget(Clear, r);
    frame.render_widget(
        Paragraph::new(lines).block(dialog_block(title(d.operation), t)),
        r,
    );
    if let Some((y, x)) = cursor {
        let col = r.x + 1 + 3 + LABEL_W as u16 + x as u16;
        frame.set_cursor_position(Position::new(col.min(r.right() - 2), r.y + 1 + y as u16));
    }
}

fn title(op: OperationType) -> &'static str {
    op.label()
}

fn checklist<'a>(t: &Theme, checks: &Checks, width: usize) -> Vec<Line<'a>> {
    match checks {
        Checks::Pending => vec![Line::from(Span::styled(
            format!("   {} checking…", symbols::RUNNING),
            t.style(Role::Progress),
        ))],
        Checks::Failed(e) => vec![Line::from(Span::styled(
            format!("   {} cannot check: {e}", symbols::FAILED),
            t.style(Role::Failed),
        ))],
        Checks::Ready(list) => list
            .iter()
            .map(|c| {
                let (sym, role) = symbols::check_state(c.state);
                let label = format!("   {sym} {:<28} ", clean(&c.label));
                let room = width.saturating_sub(label.chars().count());
                let reason: String = clean(&c.reason).chars().take(room).collect();
                Line::from(vec![
                    Span::styled(label, t.style(role)),
                    Span::styled(reason, t.style(Role::Dim)),
                ])
            })
            .collect(),
    }
}

fn text_input(d: &DialogState, field: Field) -> Option<&Input> {
    match field {
        Field::Network => Some(&d.network),
        Field::Flavor => Some(&d.flavor),
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
        _ => (
            "Prod. network",
            format!(
                "{} allow landing on a production network",
                check(d.allow_production_network)
            ),
        ),
    }
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
        Field::Force | Field::StopServers | Field::AllowProductionNetwork => toggle(d, field),
        Field::Network | Field::Flavor => {
            let input = if field == Field::Network {
                &d.network
            } else {
                &d.flavor
            };
            let room = width.saturating_sub(LABEL_W + 4);
            let scroll = input.visual_scroll(room);
            let shown: String = input.value().chars().skip(scroll).take(room).collect();
            let name = if field == Field::Network {
                "Networks"
            } else {
                "Flavors"
            };
            let value = if shown.is_empty() && !focus {
                "(none; src=dst, …)".to_string()
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
