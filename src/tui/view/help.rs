//! The `?` overlay: how to run a drill first (with the keys as configured), then a legend for
//! every symbol on screen, then every key of the current view (from the keymap) and the
//! commands. It scrolls (j/k, PgUp/PgDn); any other key closes it.

use super::dialog_block;
use super::layout::centered;
use super::text::wrap;
use crate::tui::app::App;
use crate::tui::keymap::{KeyAction, View};
use crate::tui::symbols as sym;
use crate::tui::theme::Role;
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Clear, Paragraph};

type Para = (String, Role);

/// How to run a drill and clean it up, with the keys this console uses.
fn first_steps(app: &App) -> Vec<Para> {
    let k = |a| app.keymap.keys_of(View::Main, a);
    vec![
        (
            "Run a drill (a test failover: production keeps running)".into(),
            Role::Title,
        ),
        (
            format!(
                "1. Select a group in Protection groups ({}/{} move, {} switches panes).",
                k(KeyAction::Down),
                k(KeyAction::Up),
                k(KeyAction::NextPane)
            ),
            Role::Text,
        ),
        (
            format!(
                "2. Press {} (or {} for every operation). Read the checklist: ✓ passes, ! warns, \
                 ✗ blocks; Enter goes on, Esc cancels with nothing changed.",
                k(KeyAction::Drill),
                k(KeyAction::Menu)
            ),
            Role::Text,
        ),
        (
            "3. Confirm with y. The operation view follows every step; when it ends a card \
             shows the RTO, the data loss and the verdict, and a report is written."
                .into(),
            Role::Text,
        ),
        (
            format!(
                "4. Clean up the drill's copies: {} on the group, then Test Cleanup (or \
                 :cleanup GROUP). Press {} on any operation to write its report.",
                k(KeyAction::Menu),
                k(KeyAction::Report)
            ),
            Role::Text,
        ),
    ]
}

/// Every symbol the screens use, and what it means.
fn legend() -> Vec<Para> {
    let rows = [
        format!(
            "Groups: {} protected  {} moving or testing  {} failed over  {} drill active  \
             {} failed or split-brain  {} needs attention, a fence or a re-sync",
            sym::OK,
            sym::RUNNING,
            "◆",
            "◇",
            sym::FAILED,
            sym::ATTENTION
        ),
        "Direction: site-a ⇢ site-b runs at site-a and replicates to site-b; ⇸ replication \
         is stopped. RPO now: age of the newest copy at the DR site (amber past 80 % of the \
         target, red past it); \"stalled\": nothing arrived for two replication intervals. LAG: \
         the RPO history from the journal, a full bar = the target."
            .into(),
        format!(
            "Sites: {} reachable  {} unreachable  {} lab fault active; \"runs\" lists \
             the groups that run there now. Instances: {} drill copy (test networks, not \
             production).",
            sym::UP,
            sym::DOWN,
            sym::FAULT,
            sym::DRILL_COPY
        ),
        format!(
            "Operations: {} pending  {} running  {} rolling back (dimmed: cancelled, rolled \
             back)  {} completed  {} failed  {} rollback failed (ops cleanup ID)",
            sym::PENDING,
            sym::RUNNING,
            sym::UNDONE,
            sym::OK,
            sym::FAILED,
            sym::ATTENTION
        ),
        format!(
            "Steps: {} pending  {} running  {} done  {} verified  {} failed  {} undone  {} \
             nothing to undo  {} stands (cannot be undone)  {} left behind  {} never run",
            sym::PENDING,
            sym::RUNNING,
            sym::OK,
            sym::VERIFIED,
            sym::FAILED,
            sym::UNDONE,
            sym::NOTHING,
            sym::STANDS,
            sym::ATTENTION,
            sym::SKIPPED
        ),
    ];
    let mut out = vec![("Legend".to_string(), Role::Title)];
    out.extend(rows.into_iter().map(|r| (r, Role::Text)));
    out
}

/// The whole help of the current view, as rows of `width` columns.
pub fn lines(app: &App, width: usize) -> Vec<Line<'static>> {
    let t = &app.theme;
    let mut paras = Vec::new();
    if app.view() == View::Main {
        paras.extend(first_steps(app));
        paras.push((String::new(), Role::Text));
    }
    paras.extend(legend());
    paras.push((String::new(), Role::Text));
    let mut out: Vec<Line> = paras
        .into_iter()
        .flat_map(|(text, role)| {
            let rows = if text.is_empty() {
                vec![String::new()]
            } else {
                wrap(&text, width.saturating_sub(1))
            };
            rows.into_iter()
                .map(move |r| Line::from(Span::styled(format!(" {r}"), t.style(role))))
        })
        .collect();
    out.push(Line::from(Span::styled(" Keys", t.style(Role::Title))));
    for r in app.keymap.help(app.view()) {
        out.push(Line::from(vec![
            Span::styled(format!(" {:<14}", r.keys), t.style(Role::Accent)),
            Span::raw(r.desc),
        ]));
    }
    for text in [
        "Commands: :failover :drill :cleanup :failback :reprotect :sync GROUP, :ops, :theme \
         NAME, :q (Tab completes). Mouse: click selects a row, the wheel scrolls.",
        "j/k or PgUp/PgDn scroll this help; any other key closes it.",
    ] {
        out.extend(
            wrap(text, width.saturating_sub(1))
                .into_iter()
                .map(|r| Line::from(Span::styled(format!(" {r}"), t.style(Role::Dim)))),
        );
    }
    out
}

pub fn draw(frame: &mut Frame, app: &App, scroll: u16, area: Rect) {
    let w = 96.min(area.width);
    let lines = lines(app, usize::from(w.saturating_sub(2)));
    let h = (lines.len() as u16 + 2).min(area.height);
    let r = centered(area, w, h);
    let max_scroll = (lines.len() as u16).saturating_sub(h.saturating_sub(2));
    let scroll = scroll.min(max_scroll);
    let title = if scroll < max_scroll {
        "Help · more below (j)"
    } else {
        "Help"
    };
    frame.render_widget(Clear, r);
    frame.render_widget(
        Paragraph::new(lines)
            .scroll((scroll, 0))
            .block(dialog_block(title, &app.theme)),
        r,
    );
}
