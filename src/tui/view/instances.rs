//! The Protected instances pane of the selected group: the server at each site, volumes and their
//! replication. Virtualised: only the visible rows are built, so 10,000 instances stay fast.

use super::text::width as width_of;
use super::{focused, layout, pane_block, row_style};
use crate::domain::{InstanceView, ServerAtSite};
use crate::sanitize::clean;
use crate::tui::app::{App, Pane, window};
use crate::tui::symbols;
use crate::tui::theme::{Role, Theme};
use ratatui::Frame;
use ratatui::layout::{Constraint, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Cell, Paragraph, Row, Table};

pub fn draw(frame: &mut Frame, app: &App, area: Rect) {
    let rows_idx = app.rows(Pane::Instances);
    let block = pane_block(
        title(app, rows_idx.len(), area.width),
        focused(app, Pane::Instances),
        &app.theme,
    );
    // A split-brain takes the pane's last line, with the one action that resolves it.
    let split = app.instances.iter().any(|i| i.split_brain.is_some());
    let c = app.cursor(Pane::Instances);
    let h = layout::page(Pane::Instances, area).saturating_sub(usize::from(split));
    let offset = window(c.selected, c.offset, h, rows_idx.len());
    let visible = &rows_idx[offset.min(rows_idx.len())..];
    let visible = &visible[..h.min(visible.len())];
    let note = match &app.instances_error {
        Some(e) => Some((format!("{} {e}", symbols::FAILED), Role::Failed)),
        None if visible.is_empty() && app.instances.is_empty() => app
            .instances_group
            .as_ref()
            .map(|_| ("loading…".to_string(), Role::Dim)),
        None if visible.is_empty() => Some(("no instance matches the filter".into(), Role::Dim)),
        None => None,
    };
    if let Some((text, role)) = note {
        let p = Paragraph::new(text)
            .style(app.theme.style(role))
            .block(block);
        frame.render_widget(p, area);
        return;
    }
    let columns = Columns::new(app, visible, area.width);
    let lag = if area.width >= 90 {
        lag_suffix(app)
    } else {
        None
    };
    let rows: Vec<Row> = visible
        .iter()
        .enumerate()
        .map(|(k, &i)| {
            let selected = offset + k == c.selected;
            row(&app.theme, &app.instances[i], &columns, lag.as_ref()).style(row_style(
                app,
                Pane::Instances,
                selected,
            ))
        })
        .collect();
    let header = Row::new(columns.head.clone()).style(app.theme.style(Role::Dim));
    frame.render_widget(
        Table::new(rows, columns.widths.clone())
            .header(header)
            .column_spacing(1)
            .block(block),
        area,
    );
    if split {
        split_brain_line(frame, app, area);
    }
}

/// The pane's last line: the split-brain and the one action that resolves it.
fn split_brain_line(frame: &mut Frame, app: &App, area: Rect) {
    if area.height <= 3 {
        return;
    }
    let group = app
        .instances_group
        .as_deref()
        .map(clean)
        .unwrap_or_default();
    let line = Rect::new(area.x + 1, area.y + area.height - 2, area.width - 2, 1);
    let text = format!("{} SPLIT-BRAIN · run :fence {group}", symbols::FAILED);
    frame.render_widget(
        Paragraph::new(text).style(app.theme.style(Role::Failed)),
        line,
    );
}

/// `Protected instances · web-app (3) · runs at site-b`, with the filter and how many it
/// shows, and the drill-copy mark explained when one is on screen; shorter forms when narrow
/// (where the group runs is the last thing dropped).
fn title(app: &App, shown: usize, width: u16) -> String {
    let group = app
        .instances_group
        .as_deref()
        .map(clean)
        .unwrap_or_default();
    let filter = &app.cursor(Pane::Instances).filter;
    let runs = app
        .group(&group)
        .map(|g| format!(" · runs at {}", clean(&g.current_primary)))
        .unwrap_or_default();
    let filtered = if filter.is_empty() {
        String::new()
    } else {
        format!(" /{filter} ({shown} shown)")
    };
    let copies = app
        .instances
        .iter()
        .any(|i| i.servers.iter().any(|s| s.drill_copy));
    let copy = if copies {
        format!(" · {} drill copy", symbols::DRILL_COPY)
    } else {
        String::new()
    };
    let n = app.instances.len();
    let room = usize::from(width.saturating_sub(4));
    [
        format!("Protected instances · {group} ({n}){runs}{filtered}{copy}"),
        format!("Instances · {group} ({n}){runs}{filtered}{copy}"),
        format!("{group} ({n}){runs}{filtered}{copy}"),
        format!("{group}{runs}{filtered}{copy}"),
        format!("{group}{runs}{copy}"),
    ]
    .into_iter()
    .find(|t| width_of(t) <= room)
    .unwrap_or_else(|| format!("{group}{runs}"))
}

/// The table's columns: the name, one per site (role and name when wide), volumes, replication.
struct Columns {
    head: Vec<String>,
    widths: Vec<Constraint>,
    /// Each site's name, in column order.
    sites: Vec<String>,
    wide: bool,
}

impl Columns {
    fn new(app: &App, visible: &[usize], width: u16) -> Self {
        let wide = width >= 70;
        let name_w = visible
            .iter()
            .map(|&i| app.instances[i].name.chars().count())
            .max()
            .unwrap_or(4)
            .clamp(4, 24) as u16;
        let mut c = Columns {
            head: vec!["NAME".to_string()],
            widths: vec![Constraint::Length(name_w)],
            sites: Vec::new(),
            wide,
        };
        // Each site's role for this group now (not as configured).
        let primary = app
            .instances_group
            .as_deref()
            .and_then(|g| app.group(g))
            .map(|g| g.current_primary.clone());
        for s in app.estate.iter().flat_map(|e| &e.sites) {
            let name = clean(&s.name);
            if wide {
                let role = if primary.as_deref() == Some(s.name.as_str()) {
                    "PRIMARY"
                } else {
                    "DR"
                };
                c.head.push(format!("{role} {name}"));
                c.widths.push(Constraint::Length(24));
            } else {
                c.head.push(name.clone());
                c.widths.push(Constraint::Length(9));
            }
            c.sites.push(name);
        }
        c.head.extend(["VOL".into(), "REPLICATION".into()]);
        c.widths
            .extend([Constraint::Length(3), Constraint::Min(12)]);
        c
    }
}

fn row<'a>(
    t: &Theme,
    inst: &InstanceView,
    columns: &Columns,
    lag: Option<&(String, Role)>,
) -> Row<'a> {
    let mut cells = vec![Cell::from(clean(&inst.name))];
    for site in &columns.sites {
        let server = inst.servers.iter().find(|s| clean(&s.site) == *site);
        cells.push(Cell::from(server_cell(t, server, columns.wide)));
    }
    cells.push(Cell::from(
        Line::from(inst.volumes.len().to_string()).right_aligned(),
    ));
    let mut repl = match &inst.split_brain {
        Some(_) => Line::from(Span::styled(
            format!("{} SPLIT-BRAIN", symbols::FAILED),
            t.style(Role::Failed),
        )),
        None => replication_cell(t, inst),
    };
    if let Some((text, role)) = lag {
        repl.push_span(Span::styled(text.clone(), t.style(*role)));
    }
    cells.push(Cell::from(repl));
    Row::new(cells)
}

fn server_cell<'a>(t: &Theme, s: Option<&ServerAtSite>, wide: bool) -> Line<'a> {
    let Some(s) = s.filter(|s| s.server_id.is_some() || s.error.is_some()) else {
        return Line::from(Span::styled("—", t.style(Role::Dim)));
    };
    if let Some(e) = &s.error {
        // Narrow: the cell says the site did not answer; Enter shows the whole error.
        let why = if wide { clean(e) } else { "no answer".into() };
        return Line::from(Span::styled(
            format!("{} {why}", symbols::FAILED),
            t.style(Role::Failed),
        ));
    }
    let status = clean(&s.status);
    let role = match status.as_str() {
        "ACTIVE" => Role::Ok,
        "SHUTOFF" => Role::Dim,
        "ERROR" => Role::Failed,
        "BUILD" | "REBOOT" => Role::Progress,
        _ => Role::Attention,
    };
    let mut spans = vec![Span::styled(format!("{status:<7} "), t.style(role))];
    if s.drill_copy {
        let mark = if wide {
            format!("{} drill ", symbols::DRILL_COPY)
        } else {
            symbols::DRILL_COPY.to_string()
        };
        spans.push(Span::styled(mark, t.style(Role::Progress)));
    }
    if wide {
        spans.push(Span::raw(
            s.flavor.as_deref().map(clean).unwrap_or_default(),
        ));
    }
    Line::from(spans)
}

fn replication_cell<'a>(t: &Theme, inst: &InstanceView) -> Line<'a> {
    let bad = inst.volumes.iter().find(|v| v.replication != "replicating");
    match (inst.volumes.is_empty(), bad) {
        (true, _) => Line::from(Span::styled("no volumes", t.style(Role::Dim))),
        (false, None) => Line::from(Span::styled(
            format!("{} replicating", symbols::OK),
            t.style(Role::Ok),
        )),
        (false, Some(v)) => Line::from(Span::styled(
            format!(
                "{} {}: {}",
                symbols::ATTENTION,
                clean(&v.name),
                clean(&v.replication)
            ),
            t.style(Role::Attention),
        )),
    }
}

/// ` · 42 s ▂▃▂▅▂`: the group's RPO now and its lag history, shown after each instance's state.
fn lag_suffix(app: &App) -> Option<(String, Role)> {
    let g = app.group(app.instances_group.as_deref()?)?;
    let rpo = g.rpo_seconds?;
    let samples: Vec<u64> = app
        .rpo_history
        .get(&g.name)
        .map(|h| h.to_vec())
        .unwrap_or_default();
    Some((
        format!(
            " · {} {}",
            crate::domain::human_seconds(rpo),
            symbols::sparkline_scaled(&samples, 8, g.rpo_target_seconds)
        ),
        symbols::rpo_role(Some(rpo), g.rpo_target_seconds),
    ))
}
