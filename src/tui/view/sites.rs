//! The Sites pane: reachability, latency and the array's replication link of each site.

use super::{focused, layout, pane_block, row_style};
use crate::domain::SiteView;
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
        let [a, b] = site_lines(app, &estate.sites[i], width);
        lines.push(a.patch_style(style));
        lines.push(b.patch_style(style));
    }
    frame.render_widget(Paragraph::new(lines).block(block), area);
}

fn site_lines<'a>(app: &App, s: &SiteView, width: usize) -> [Line<'a>; 2] {
    [first_line(app, s, width), second_line(app, s)]
}

/// `● site-a   production 12 ms`: reachability, name, role and latency ("down" when
/// "unreachable" does not fit).
fn first_line<'a>(app: &App, s: &SiteView, width: usize) -> Line<'a> {
    let t = &app.theme;
    let (sym, role) = if s.reachable {
        (symbols::UP, Role::Ok)
    } else {
        (symbols::DOWN, Role::Failed)
    };
    let head = [
        Span::styled(format!(" {sym} "), t.style(role)),
        Span::styled(format!("{:<8} ", clean(&s.name)), t.style(Role::Title)),
        Span::styled(format!("{:<11}", s.role.as_str()), t.style(Role::Dim)),
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

/// The array's replication link, and how many groups the site is primary for; or its error.
fn second_line<'a>(app: &App, s: &SiteView) -> Line<'a> {
    let t = &app.theme;
    let failed = |text: String| Line::from(Span::styled(text, t.style(Role::Failed)));
    if let Some(e) = &s.error {
        return failed(format!("   {} {}", symbols::FAILED, clean(e)));
    }
    if !s.array.reachable {
        let why = clean(s.array.error.as_deref().unwrap_or("unreachable"));
        return failed(format!("   {} array {why}", symbols::FAILED));
    }
    let repl = s.array.replication.as_deref().map(clean);
    let (sym, role) = match repl.as_deref() {
        Some("connected") => (symbols::OK, Role::Ok),
        Some(_) => (symbols::ATTENTION, Role::Attention),
        None => (symbols::PENDING, Role::Dim),
    };
    let mut spans = vec![
        Span::styled("   array ", t.style(Role::Dim)),
        Span::styled(
            format!("{sym} {}", repl.unwrap_or_else(|| "unknown".into())),
            t.style(role),
        ),
    ];
    let primary_for = app
        .groups()
        .iter()
        .filter(|g| g.current_primary == s.name)
        .count();
    if primary_for > 0 {
        let plural = if primary_for == 1 { "" } else { "s" };
        spans.push(Span::styled(
            format!(" ⇢ {primary_for} PG{plural}"),
            t.style(Role::Dim),
        ));
    }
    Line::from(spans)
}
