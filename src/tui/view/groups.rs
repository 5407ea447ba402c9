//! The Protection groups pane: status, direction, RPO now against its target with a lag sparkline.

use super::{focused, layout, pane_block, row_style};
use crate::domain::{GroupView, human_seconds};
use crate::sanitize::clean;
use crate::tui::app::{App, Pane, window};
use crate::tui::symbols;
use crate::tui::theme::{Role, Theme};
use ratatui::Frame;
use ratatui::layout::{Constraint, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Cell, Row, Table};

/// Sparkline samples shown per group.
const LAG_WIDTH: usize = 12;

pub fn draw(frame: &mut Frame, app: &App, area: Rect) {
    let rows_idx = app.rows(Pane::Groups);
    let filter = &app.cursor(Pane::Groups).filter;
    let title = if filter.is_empty() {
        format!("Protection groups ({})", app.groups().len())
    } else {
        format!(
            "Protection groups ({}/{}) /{filter}",
            rows_idx.len(),
            app.groups().len()
        )
    };
    let block = pane_block(title, focused(app, Pane::Groups), &app.theme);
    let wide = area.width >= 70;
    let lag = area.width >= 96;
    let name_w = app
        .groups()
        .iter()
        .map(|g| g.name.chars().count())
        .max()
        .unwrap_or(4)
        .clamp(4, 24) as u16;
    let mut widths = vec![Constraint::Length(name_w), Constraint::Length(16)];
    let mut head = vec!["NAME", "STATUS"];
    if wide {
        widths.push(Constraint::Length(18));
        head.push("DIRECTION");
    }
    widths.extend([Constraint::Length(9), Constraint::Length(6)]);
    head.extend(["RPO now", "target"]);
    if lag {
        widths.push(Constraint::Length(LAG_WIDTH as u16));
        head.push("LAG");
    }
    widths.push(Constraint::Length(4));
    head.push("INST");
    let c = app.cursor(Pane::Groups);
    let h = layout::page(Pane::Groups, area);
    let offset = window(c.selected, c.offset, h, rows_idx.len());
    let rows: Vec<Row> = rows_idx
        .iter()
        .enumerate()
        .skip(offset)
        .take(h)
        .map(|(pos, &i)| {
            let g = &app.groups()[i];
            row(app, g, wide, lag).style(row_style(app, Pane::Groups, pos == c.selected))
        })
        .collect();
    let header = Row::new(head).style(app.theme.style(Role::Dim));
    frame.render_widget(
        Table::new(rows, widths)
            .header(header)
            .column_spacing(1)
            .block(block),
        area,
    );
}

fn row<'a>(app: &App, g: &GroupView, wide: bool, lag: bool) -> Row<'a> {
    let t = &app.theme;
    let status = status_cell(t, g);
    let rpo_role = symbols::rpo_role(g.rpo_seconds, g.rpo_target_seconds);
    let rpo = g
        .rpo_seconds
        .map(human_seconds)
        .unwrap_or_else(|| "—".into());
    let mut cells = vec![Cell::from(clean(&g.name)), Cell::from(status)];
    if wide {
        cells.push(Cell::from(clean(&g.direction)));
    }
    cells.push(Cell::from(
        Line::from(Span::styled(rpo, t.style(rpo_role))).right_aligned(),
    ));
    cells.push(Cell::from(
        Line::from(human_seconds(g.rpo_target_seconds as i64)).right_aligned(),
    ));
    if lag {
        let samples: Vec<u64> = app
            .rpo_history
            .get(&g.name)
            .map(|h| h.iter().copied().collect())
            .unwrap_or_default();
        cells.push(Cell::from(Span::styled(
            symbols::sparkline(&samples, LAG_WIDTH),
            t.style(rpo_role),
        )));
    }
    // A member the primary does not have: `⚠2/3`, loud.
    let inst = match g.missing_members.len() {
        0 => Line::from(g.instances.to_string()),
        n => Line::from(Span::styled(
            format!("{}{}/{}", symbols::ATTENTION, g.instances, g.instances + n),
            t.style(Role::Attention),
        )),
    };
    cells.push(Cell::from(inst.right_aligned()));
    Row::new(cells)
}

/// The group's status, loud for what needs the operator first (split-brain, a pending fence,
/// attention, a re-sync).
fn status_cell<'a>(t: &Theme, g: &GroupView) -> Line<'a> {
    let (sym, role) = symbols::group_status(g.status);
    if !g.split_brain.is_empty() {
        Line::from(Span::styled(
            format!("{} {}", symbols::FAILED, g.status_word()),
            t.style(Role::Failed),
        ))
    } else if g.fence_pending.is_some() {
        Line::from(Span::styled(
            format!("{} {}", symbols::ATTENTION, g.status_word()),
            t.style(Role::Attention),
        ))
    } else if g.attention.is_some() {
        // An earlier operation needs the operator first (`ops cleanup` or `ops retry`): that
        // stands over the status, as a pending fence does.
        Line::from(Span::styled(
            format!("{} attention", symbols::ATTENTION),
            t.style(Role::Attention),
        ))
    } else if g.needs_resync {
        Line::from(vec![
            Span::styled(format!("{} ", symbols::ATTENTION), t.style(Role::Attention)),
            Span::styled(g.status.as_str().to_string(), t.style(role)),
        ])
    } else {
        Line::from(Span::styled(format!("{sym} {}", g.status), t.style(role)))
    }
}
