//! The confirmation: destructive operations make the operator type the group's name; the others
//! ask y/N. The confirm button stays disabled until the name matches.

use super::dialog_block;
use super::layout::centered;
use crate::domain::human_seconds;
use crate::sanitize::clean;
use crate::tui::app::App;
use crate::tui::dialog::ConfirmState;
use crate::tui::theme::{Role, Theme};
use ratatui::Frame;
use ratatui::layout::{Position, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Clear, Paragraph, Wrap};

pub fn draw(frame: &mut Frame, app: &App, c: &ConfirmState, area: Rect) {
    let t = &app.theme;
    let mut lines = summary(t, c);
    lines.push(Line::from(""));
    let mut cursor = None;
    if c.typed_required() {
        cursor = Some((lines.len() + 1, c.typed.visual_cursor()));
        lines.extend(typed_prompt(t, c));
    } else {
        lines.push(Line::from(Span::styled(
            format!(
                " Start {} of {}? (y/N)",
                c.request.operation.label(),
                c.request.group
            ),
            t.style(Role::Attention),
        )));
    }
    // Long lines wrap: the box is as tall as the wrapped text.
    let rows: usize = lines.iter().map(|l| l.width().max(1).div_ceil(70)).sum();
    let r = centered(area, 72, rows as u16 + 2);
    frame.render_widget(Clear, r);
    frame.render_widget(
        Paragraph::new(lines)
            .wrap(Wrap { trim: false })
            .block(dialog_block("Confirm", t)),
        r,
    );
    if let Some((y, x)) = cursor {
        frame.set_cursor_position(Position::new(r.x + 4 + x as u16, r.y + 1 + y as u16));
    }
}

/// `Unplanned Failover of web-app from site-a to site-b`, and the options chosen.
fn summary<'a>(t: &Theme, c: &ConfirmState) -> Vec<Line<'a>> {
    let req = &c.request;
    let mut lines = vec![Line::from(vec![
        Span::styled(format!(" {} ", req.operation.label()), t.style(Role::Title)),
        Span::raw(match req.operation {
            // A fence moves nothing: it names the side it stops.
            crate::domain::OperationType::Fence => format!(
                "of {}: {}",
                req.group,
                crate::domain::direction(req.operation, &clean(&c.source), &clean(&c.target))
            ),
            _ => format!(
                "of {} from {} to {}",
                req.group,
                clean(&c.source),
                clean(&c.target)
            ),
        }),
    ])];
    let (source, target) = (clean(&c.source), clean(&c.target));
    let named_point = c.point.is_some();
    for o in req.describe_options(&source, &target) {
        if named_point && o.starts_with("recovery point") {
            continue;
        }
        lines.push(Line::from(Span::styled(
            format!(" · {}", clean(&o)),
            t.style(Role::Dim),
        )));
    }
    if let Some(p) = &c.point {
        lines.push(Line::from(Span::styled(
            format!(
                " · recovery point {} of {} UTC: writes after it are lost ({})",
                clean(&p.name),
                p.created.format("%H:%M:%S"),
                human_seconds(p.data_loss_seconds)
            ),
            t.style(Role::Attention),
        )));
    }
    lines
}

/// The typed confirmation: the prompt, the name typed so far, and the button that stays disabled
/// until it matches.
fn typed_prompt<'a>(t: &Theme, c: &ConfirmState) -> Vec<Line<'a>> {
    let button = if c.matches() {
        Span::styled(" [ Enter: start ] ", t.selection())
    } else {
        Span::styled(
            " [ Enter: start ] (name does not match yet) ",
            t.style(Role::Dim),
        )
    };
    vec![
        Line::from(Span::styled(
            format!(
                " This is destructive. Type the group's name ({}) to confirm:",
                c.request.group
            ),
            t.style(Role::Attention),
        )),
        Line::from(vec![
            Span::styled(" > ", t.style(Role::Accent)),
            Span::raw(c.typed.value().to_string()),
        ]),
        Line::from(""),
        Line::from(vec![
            button,
            Span::styled("  Esc cancel", t.style(Role::Dim)),
        ]),
    ]
}
