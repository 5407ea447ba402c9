//! The Protected instances pane of the selected group: the server at each site, volumes and their
//! replication. Virtualised: only the visible rows are built, so 10,000 instances stay fast.

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
    let group = app
        .instances_group
        .as_deref()
        .map(clean)
        .unwrap_or_default();
    let filter = &app.cursor(Pane::Instances).filter;
    let mut title = format!("Protected instances · {group} ({})", app.instances.len());
    if !filter.is_empty() {
        title = format!("{title} /{filter} ({} shown)", rows_idx.len());
    }
    let block = pane_block(title, focused(app, Pane::Instances), &app.theme);
    if let Some(e) = &app.instances_error {
        frame.render_widget(
            Paragraph::new(format!("{} {e}", symbols::FAILED))
                .style(app.theme.style(Role::Failed))
                .block(block),
            area,
        );
        return;
    }
    let sites: Vec<(String, String)> = app
        .estate
        .as_ref()
        .map(|e| {
            e.sites
                .iter()
                .map(|s| (clean(&s.name), s.role.as_str().to_uppercase()))
                .collect()
        })
        .unwrap_or_default();
    let wide = area.width >= 70;
    let name_w = rows_idx
        .iter()
        .skip(app.cursor(Pane::Instances).offset)
        .take(usize::from(area.height))
        .map(|&i| app.instances[i].name.chars().count())
        .max()
        .unwrap_or(4)
        .clamp(4, 24) as u16;
    let mut head = vec!["NAME".to_string()];
    let mut widths = vec![Constraint::Length(name_w)];
    for (name, role) in &sites {
        if wide {
            head.push(format!("{role} {name}"));
            widths.push(Constraint::Length(20));
        } else {
            head.push(name.clone());
            widths.push(Constraint::Length(8));
        }
    }
    head.extend(["VOL".into(), "REPLICATION".into()]);
    widths.extend([Constraint::Length(3), Constraint::Min(12)]);
    let lag = if area.width >= 90 {
        lag_suffix(app)
    } else {
        None
    };
    // A split-brain takes the pane's last line, with the one action that resolves it.
    let split = app.instances.iter().any(|i| i.split_brain.is_some());
    let c = app.cursor(Pane::Instances);
    let h = layout::page(Pane::Instances, area).saturating_sub(usize::from(split));
    let offset = window(c.selected, c.offset, h, rows_idx.len());
    let rows: Vec<Row> = rows_idx[offset.min(rows_idx.len())..]
        .iter()
        .take(h)
        .enumerate()
        .map(|(k, &i)| {
            let inst = &app.instances[i];
            row(&app.theme, inst, &sites, wide, lag.as_ref()).style(row_style(
                app,
                Pane::Instances,
                offset + k == c.selected,
            ))
        })
        .collect();
    if rows.is_empty() && app.instances_group.is_some() {
        let text = if app.instances.is_empty() {
            "loading…"
        } else {
            "no instance matches the filter"
        };
        frame.render_widget(
            Paragraph::new(text)
                .style(app.theme.style(Role::Dim))
                .block(block),
            area,
        );
        return;
    }
    let header = Row::new(head).style(app.theme.style(Role::Dim));
    frame.render_widget(
        Table::new(rows, widths)
            .header(header)
            .column_spacing(1)
            .block(block),
        area,
    );
    if split {
        split_brain_line(frame, app, area, &group);
    }
}

/// The pane's last line: the split-brain and the one action that resolves it.
fn split_brain_line(frame: &mut Frame, app: &App, area: Rect, group: &str) {
    if area.height <= 3 {
        return;
    }
    let line = Rect::new(area.x + 1, area.y + area.height - 2, area.width - 2, 1);
    let text = format!("{} SPLIT-BRAIN · run :fence {group}", symbols::FAILED);
    frame.render_widget(
        Paragraph::new(text).style(app.theme.style(Role::Failed)),
        line,
    );
}

fn row<'a>(
    t: &Theme,
    inst: &InstanceView,
    sites: &[(String, String)],
    wide: bool,
    lag: Option<&(String, Role)>,
) -> Row<'a> {
    let mut cells = vec![Cell::from(clean(&inst.name))];
    for (site, _) in sites {
        let server = inst.servers.iter().find(|s| clean(&s.site) == *site);
        cells.push(Cell::from(server_cell(t, server, wide)));
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
        return Line::from(Span::styled(
            format!("{} {}", symbols::FAILED, clean(e)),
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
    Line::from(vec![
        Span::styled(format!("{status:<7} "), t.style(role)),
        Span::raw(if wide {
            s.flavor.as_deref().map(clean).unwrap_or_default()
        } else {
            String::new()
        }),
    ])
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
        .map(|h| h.iter().copied().collect())
        .unwrap_or_default();
    Some((
        format!(
            " · {} {}",
            crate::domain::human_seconds(rpo),
            symbols::sparkline(&samples, 8)
        ),
        symbols::rpo_role(Some(rpo), g.rpo_target_seconds),
    ))
}
