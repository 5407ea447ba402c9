//! The Protection groups pane: each group's status, where it runs now and which way it
//! replicates, RPO now (or how long replication has been stalled) against its target with the
//! lag history, and its instances. Columns are as wide as what they hold; optional columns
//! (target, instances, lag) appear only where they fit, so nothing that matters is cut.

use super::text::width;
use super::{focused, layout, pane_block, row_style};
use crate::domain::{GroupView, short_seconds};
use crate::sanitize::clean;
use crate::tui::app::{App, Pane, window};
use crate::tui::symbols;
use crate::tui::theme::Role;
use ratatui::Frame;
use ratatui::layout::{Constraint, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Cell, Row, Table};

/// Sparkline samples shown per group.
const LAG_WIDTH: usize = 12;

/// Which optional columns fit, and every column's width.
struct Columns {
    widths: Vec<Constraint>,
    head: Vec<&'static str>,
    target: bool,
    inst: bool,
    lag: bool,
}

/// `✓ protected`; split-brain, a pending fence and a need for attention stand over the stored
/// status while they hold, and a group awaiting a re-sync is marked.
fn status_text(g: &GroupView) -> String {
    let (sym, _) = symbols::group_status(g.status);
    if !g.split_brain.is_empty() {
        format!("{} {}", symbols::FAILED, g.status_word())
    } else if g.fence_pending.is_some() {
        format!("{} {}", symbols::ATTENTION, g.status_word())
    } else if g.attention.is_some() {
        // An earlier operation needs the operator first (`ops cleanup` or `ops retry`): that
        // stands over the status, as a pending fence does.
        format!("{} attention", symbols::ATTENTION)
    } else if g.needs_resync {
        format!("{} {}", symbols::ATTENTION, g.status)
    } else {
        format!("{sym} {}", g.status)
    }
}

fn status_role(g: &GroupView) -> Role {
    if !g.split_brain.is_empty() {
        Role::Failed
    } else if g.fence_pending.is_some() || g.attention.is_some() || g.needs_resync {
        Role::Attention
    } else {
        symbols::group_status(g.status).1
    }
}

/// `42s`, or `12m stalled` when nothing has arrived for over two replication intervals.
fn rpo_text(g: &GroupView) -> String {
    match g.rpo_seconds {
        Some(s) if g.replication_stalled() => format!("{} stalled", short_seconds(s)),
        Some(s) => short_seconds(s),
        None => "—".into(),
    }
}

impl Columns {
    fn new(groups: &[&GroupView], inner: usize) -> Columns {
        let w = |head: &str, cells: &mut dyn Iterator<Item = usize>| {
            cells.max().unwrap_or(0).max(width(head))
        };
        let name = w("NAME", &mut groups.iter().map(|g| width(&clean(&g.name)))).min(24);
        let status = w("STATUS", &mut groups.iter().map(|g| width(&status_text(g))));
        let dir = w(
            "PRIMARY ⇢ DR",
            &mut groups.iter().map(|g| width(&clean(&g.direction))),
        );
        let rpo = w("RPO now", &mut groups.iter().map(|g| width(&rpo_text(g))));
        let mut used = name + status + dir + rpo + 3;
        let mut c = Columns {
            widths: [name, status, dir, rpo]
                .map(|n| Constraint::Length(n as u16))
                .to_vec(),
            head: vec!["NAME", "STATUS", "PRIMARY ⇢ DR", "RPO now"],
            target: false,
            inst: false,
            lag: false,
        };
        let mut add = |n: usize, head: &'static str| {
            let fits = used + 1 + n <= inner;
            if fits {
                used += 1 + n;
                c.widths.push(Constraint::Length(n as u16));
                c.head.push(head);
            }
            fits
        };
        c.target = add(6, "target");
        c.inst = add(4, "INST");
        c.lag = add(LAG_WIDTH, "LAG");
        c
    }
}

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
    let all: Vec<&GroupView> = app.groups().iter().collect();
    let cols = Columns::new(&all, usize::from(area.width.saturating_sub(2)));
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
            row(app, g, &cols).style(row_style(app, Pane::Groups, pos == c.selected))
        })
        .collect();
    let header = Row::new(cols.head.clone()).style(app.theme.style(Role::Dim));
    frame.render_widget(
        Table::new(rows, cols.widths.clone())
            .header(header)
            .column_spacing(1)
            .block(block),
        area,
    );
}

fn row<'a>(app: &App, g: &GroupView, cols: &Columns) -> Row<'a> {
    let t = &app.theme;
    let status_role = status_role(g);
    let rpo_role = if g.replication_stalled() {
        Role::Failed
    } else {
        symbols::rpo_role(g.rpo_seconds, g.rpo_target_seconds)
    };
    let mut cells = vec![
        Cell::from(clean(&g.name)),
        Cell::from(Span::styled(status_text(g), t.style(status_role))),
        Cell::from(clean(&g.direction)),
        Cell::from(Line::from(Span::styled(rpo_text(g), t.style(rpo_role))).right_aligned()),
    ];
    if cols.target {
        cells.push(Cell::from(
            Line::from(short_seconds(g.rpo_target_seconds as i64)).right_aligned(),
        ));
    }
    if cols.inst {
        // A member the primary does not have: `⚠2/3`, loud.
        let inst = match g.missing_members.len() {
            0 => Line::from(g.instances.to_string()),
            n => Line::from(Span::styled(
                format!("{}{}/{}", symbols::ATTENTION, g.instances, g.instances + n),
                t.style(Role::Attention),
            )),
        };
        cells.push(Cell::from(inst.right_aligned()));
    }
    if cols.lag {
        let samples: Vec<u64> = app
            .rpo_history
            .get(&g.name)
            .map(|h| h.to_vec())
            .unwrap_or_default();
        cells.push(Cell::from(Span::styled(
            symbols::sparkline_scaled(&samples, LAG_WIDTH, g.rpo_target_seconds),
            t.style(rpo_role),
        )));
    }
    Row::new(cells)
}
