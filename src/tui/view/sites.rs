//! The Sites pane: each site's reachability and latency, its role now (the groups it is primary
//! for, not as configured), its array's replication (stalled, with its age) and its lab faults.

use super::text::{fit, pad, width as width_of};
use super::{focused, layout, pane_block, row_style};
use crate::domain::SiteView;
use crate::domain::short_seconds;
use crate::sanitize::clean;
use crate::tui::app::{App, Pane, window};
use crate::tui::symbols;
use crate::tui::theme::Role;
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

pub fn draw(frame: &mut Frame, app: &App, area: Rect) {
    let block = pane_block("Sites".into(), focused(app, Pane::Sites), &app.theme);
    let Some(estate) = &app.estate else {
        let text = if app.estate_error.is_some() {
            "no answer yet"
        } else {
            "discovering…"
        };
        frame.render_widget(
            Paragraph::new(text)
                .style(app.theme.style(Role::Dim))
                .block(block),
            area,
        );
        return;
    };
    let rows = app.rows(Pane::Sites);
    let c = app.cursor(Pane::Sites);
    let h = layout::page(Pane::Sites, area);
    let offset = window(c.selected, c.offset, h, rows.len());
    let width = usize::from(area.width.saturating_sub(2));
    let mut lines = Vec::new();
    for (pos, &i) in rows.iter().enumerate().skip(offset).take(h) {
        let style = row_style(app, Pane::Sites, pos == c.selected);
        for l in site_lines(app, &estate.sites[i], width) {
            lines.push(l.patch_style(style));
        }
    }
    frame.render_widget(Paragraph::new(lines).block(block), area);
}

/// A site's four rows: its state, what it is primary for, its array, its lab faults.
fn site_lines<'a>(app: &App, s: &SiteView, width: usize) -> [Line<'a>; 4] {
    [
        first_line(app, s, width),
        primary_line(app, s, width),
        array_line(app, s, width),
        faults_line(app, s, width),
    ]
}

/// The groups that run at `site` now (not as configured).
pub fn primary_for(app: &App, site: &str) -> Vec<String> {
    app.groups()
        .iter()
        .filter(|g| g.current_primary == site)
        .map(|g| clean(&g.name))
        .collect()
}

/// `● site-a   primary  12 ms`: reachability, name, its role now (primary for a group, or dr
/// for none) and latency ("down" when "unreachable" does not fit).
fn first_line<'a>(app: &App, s: &SiteView, width: usize) -> Line<'a> {
    let t = &app.theme;
    let (sym, role) = if s.reachable {
        (symbols::UP, Role::Ok)
    } else {
        (symbols::DOWN, Role::Failed)
    };
    let role_now = if primary_for(app, &s.name).is_empty() {
        "dr"
    } else {
        "primary"
    };
    let head = [
        Span::styled(format!(" {sym} "), t.style(role)),
        Span::styled(
            format!("{} ", pad(&clean(&s.name), 8)),
            t.style(Role::Title),
        ),
        Span::styled(format!("{role_now:<8}"), t.style(Role::Dim)),
    ];
    let room = width.saturating_sub(head.iter().map(Span::width).sum());
    let latency = match (s.reachable, s.latency_ms) {
        (true, Some(ms)) => format!("{ms} ms"),
        (true, None) => "up".into(),
        (false, _) if room >= "unreachable".len() => "unreachable".into(),
        (false, _) => "down".into(),
    };
    let style = t.style(if s.reachable {
        Role::Text
    } else {
        Role::Failed
    });
    let mut spans = head.to_vec();
    spans.push(Span::styled(latency, style));
    Line::from(spans)
}

/// `   runs web-app, batch`: the groups whose primary it is now, or how many when the names do
/// not fit.
fn primary_line<'a>(app: &App, s: &SiteView, width: usize) -> Line<'a> {
    let t = &app.theme;
    let groups = primary_for(app, &s.name);
    let text = match groups.len() {
        0 => "   runs no group (dr only)".to_string(),
        n => {
            let names = format!("   runs {}", groups.join(", "));
            let plural = if n == 1 { "" } else { "s" };
            if width_of(&names) <= width {
                names
            } else {
                format!("   runs {n} group{plural}")
            }
        }
    };
    Line::from(Span::styled(text, t.style(Role::Text)))
}

/// The array's replication link, stalled replication (from the groups it sends) with its age;
/// or the site's error.
fn array_line<'a>(app: &App, s: &SiteView, width: usize) -> Line<'a> {
    let t = &app.theme;
    let failed = |text: String| Line::from(Span::styled(fit(&text, width), t.style(Role::Failed)));
    if let Some(e) = &s.error {
        return failed(format!("   {} {}", symbols::FAILED, clean(e)));
    }
    if !s.array.reachable {
        let why = clean(s.array.error.as_deref().unwrap_or("unreachable"));
        return failed(format!("   {} array {why}", symbols::FAILED));
    }
    let stalled: Vec<i64> = app
        .groups()
        .iter()
        .filter(|g| g.current_primary == s.name && g.replication_stalled())
        .filter_map(|g| g.rpo_seconds)
        .collect();
    if let Some(age) = stalled.iter().max() {
        return Line::from(Span::styled(
            format!(
                "   {} repl stalled {}",
                symbols::ATTENTION,
                short_seconds(*age)
            ),
            t.style(Role::Attention),
        ));
    }
    let repl = s.array.replication.as_deref().map(clean);
    let (sym, role) = match repl.as_deref() {
        Some("connected") => (symbols::OK, Role::Ok),
        Some(_) => (symbols::ATTENTION, Role::Attention),
        None => (symbols::PENDING, Role::Dim),
    };
    Line::from(vec![
        Span::styled("   array ", t.style(Role::Dim)),
        Span::styled(
            fit(
                &format!("{sym} {}", repl.unwrap_or_else(|| "unknown".into())),
                width.saturating_sub(9),
            ),
            t.style(role),
        ),
    ])
}

/// `   ⚡ site down, latency 2 s`: the lab faults the site holds (their count when the names do
/// not fit); empty without faults.
fn faults_line<'a>(app: &App, s: &SiteView, width: usize) -> Line<'a> {
    let t = &app.theme;
    let faults = app.faults_at(&s.name);
    if faults.is_empty() {
        let none = if app.lab {
            "   no lab fault (F adds)"
        } else {
            ""
        };
        return Line::from(Span::styled(none, t.style(Role::Dim)));
    }
    let names: Vec<String> = faults.iter().map(|f| f.describe()).collect();
    let all = format!("   {} {}", symbols::FAULT, names.join(", "));
    let text = if width_of(&all) <= width {
        all
    } else {
        let plural = if faults.len() == 1 { "" } else { "s" };
        format!(
            "   {} {} lab fault{plural} (F)",
            symbols::FAULT,
            faults.len()
        )
    };
    Line::from(Span::styled(text, t.style(Role::Attention)))
}
