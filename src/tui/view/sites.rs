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
    let mut lines = Vec::new();
    for (pos, &i) in rows.iter().enumerate().skip(offset).take(h) {
        let style = row_style(app, Pane::Sites, pos == c.selected);
        let [a, b] = site_lines(app, &estate.sites[i]);
        lines.push(a.patch_style(style));
        lines.push(b.patch_style(style));
    }
    frame.render_widget(Paragraph::new(lines).block(block), area);
}

fn site_lines<'a>(app: &App, s: &SiteView) -> [Line<'a>; 2] {
    let t = &app.theme;
    let (sym, role) = if s.reachable {
        (symbols::UP, Role::Ok)
    } else {
        (symbols::DOWN, Role::Failed)
    };
    let latency = match (s.reachable, s.latency_ms) {
        (true, Some(ms)) => format!("{ms} ms"),
        (true, None) => "up".into(),
        (false, _) => "unreachable".into(),
    };
    let first = Line::from(vec![
        Span::styled(format!(" {sym} "), t.style(role)),
        Span::styled(format!("{:<8} ", clean(&s.name)), t.style(Role::Title)),
        Span::styled(format!("{:<11}", s.role.as_str()), t.style(Role::Dim)),
        Span::styled(
            latency,
            t.style(if s.reachable {
                Role::Text
            } else {
                Role::Failed
            }),
        ),
    ]);
    let second = match (&s.error, s.array.reachable) {
        (Some(e), _) => Line::from(Span::styled(
            format!("   {} {}", symbols::FAILED, clean(e)),
            t.style(Role::Failed),
        )),
        (None, false) => Line::from(Span::styled(
            format!(
                "   {} array {}",
                symbols::FAILED,
                clean(s.array.error.as_deref().unwrap_or("unreachable"))
            ),
            t.style(Role::Failed),
        )),
        (None, true) => {
            let repl = s.array.replication.as_deref().map(clean);
            let (sym, role) = match repl.as_deref() {
                Some("connected") => (symbols::OK, Role::Ok),
                Some(_) => (symbols::ATTENTION, Role::Attention),
                None => (symbols::PENDING, Role::Dim),
            };
            let sources = app
                .groups()
                .iter()
                .filter(|g| g.current_primary == s.name)
                .count();
            let mut spans = vec![
                Span::styled("   array ", t.style(Role::Dim)),
                Span::styled(
                    format!("{sym} {}", repl.unwrap_or_else(|| "unknown".into())),
                    t.style(role),
                ),
            ];
            if sources > 0 {
                spans.push(Span::styled(
                    format!(" ⇢ {sources} PG{}", if sources == 1 { "" } else { "s" }),
                    t.style(Role::Dim),
                ));
            }
            Line::from(spans)
        }
    };
    [first, second]
}
