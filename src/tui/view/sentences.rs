//! A centred overlay of sentences (the drill card, a row's or a step's detail): each wrapped to
//! the width, never cut, a key hint last, scrolled when taller than the screen.

use super::dialog_block;
use super::layout::centered;
use super::text::wrap;
use crate::tui::theme::{Role, Theme};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Clear, Paragraph};

/// What the overlay shows: its title, its sentences with their colours, and the keys it takes.
pub struct Sentences<'a> {
    pub title: &'a str,
    pub paras: Vec<(String, Role)>,
    pub hint: &'a str,
}

/// Draw `s` centred in `area`, at most `width` wide, scrolled down `scroll` rows (clamped).
pub fn draw(frame: &mut Frame, t: &Theme, s: Sentences, width: u16, scroll: u16, area: Rect) {
    let w = width.min(area.width);
    let inner = usize::from(w.saturating_sub(3));
    let mut lines: Vec<Line> = s
        .paras
        .into_iter()
        .flat_map(|(text, role)| {
            wrap(&text, inner)
                .into_iter()
                .map(move |row| Line::from(Span::styled(format!(" {row}"), t.style(role))))
        })
        .collect();
    lines.push(Line::from(Span::styled(
        format!(" {}", s.hint),
        t.style(Role::Dim),
    )));
    let h = (lines.len() as u16 + 2).min(area.height);
    let r = centered(area, w, h);
    let max_scroll = (lines.len() as u16).saturating_sub(h.saturating_sub(2));
    frame.render_widget(Clear, r);
    frame.render_widget(
        Paragraph::new(lines)
            .scroll((scroll.min(max_scroll), 0))
            .block(dialog_block(s.title, t)),
        r,
    );
}
