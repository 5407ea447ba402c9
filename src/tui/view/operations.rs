//! The Operations pane: recent operations, newest first, with status, progress and start time.

use super::text::fit;
use super::{focused, layout, pane_block, row_style};
use crate::domain::{OperationRecord, OperationStatus};
use crate::sanitize::clean;
use crate::tui::app::{App, Pane, window};
use crate::tui::symbols;
use crate::tui::theme::Role;
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

pub fn draw(frame: &mut Frame, app: &App, area: Rect) {
    let rows = app.rows(Pane::Operations);
    let block = pane_block(
        "Operations".into(),
        focused(app, Pane::Operations),
        &app.theme,
    );
    if rows.is_empty() {
        frame.render_widget(
            Paragraph::new(" no operations yet")
                .style(app.theme.style(Role::Dim))
                .block(block),
            area,
        );
        return;
    }
    let inner_w = usize::from(area.width.saturating_sub(2));
    let c = app.cursor(Pane::Operations);
    let h = layout::page(Pane::Operations, area);
    let offset = window(c.selected, c.offset, h, rows.len());
    let lines: Vec<Line> = rows
        .iter()
        .enumerate()
        .skip(offset)
        .take(h)
        .map(|(pos, &i)| {
            line(app, &app.operations[i], inner_w).patch_style(row_style(
                app,
                Pane::Operations,
                pos == c.selected,
            ))
        })
        .collect();
    frame.render_widget(Paragraph::new(lines).block(block), area);
}

fn line<'a>(app: &App, op: &OperationRecord, width: usize) -> Line<'a> {
    let t = &app.theme;
    let (mut sym, role) = symbols::operation_status(op.status);
    if op.status == OperationStatus::Running {
        sym = symbols::SPINNER[app.spinner % symbols::SPINNER.len()];
    }
    let kind = short_type(op);
    let group = clean(&op.protection_group);
    // sym(3) kind(11) group(gw+1) pct(4); the rest is a bar and the start time.
    let gw = width.saturating_sub(3 + 11 + 1 + 4).clamp(6, 16);
    let extra = width.saturating_sub(3 + 11 + gw + 1 + 4);
    let mut spans = vec![
        Span::styled(format!(" {sym} "), t.style(role)),
        Span::raw(format!("{kind:<10} ")),
        Span::styled(format!("{:<gw$} ", fit(&group, gw)), t.style(Role::Title)),
        Span::styled(format!("{:>3}%", op.progress), t.style(role)),
    ];
    if extra >= 18 {
        let bar_w = extra.saturating_sub(8).min(24);
        spans.push(Span::styled(
            format!(" {}", symbols::bar(op.progress, bar_w)),
            t.style(role),
        ));
        if let Some(s) = op.started_at {
            spans.push(Span::styled(
                format!(" {}", s.format("%H:%M")),
                t.style(Role::Dim),
            ));
        }
    }
    Line::from(spans)
}

fn short_type(op: &OperationRecord) -> &'static str {
    op.operation_type.short_label()
}
