//! Drawing: a pure function of the `App`. One file per pane or dialog; this one lays them out.

pub mod command_line;
pub mod confirm;
pub mod drill_card;
pub mod faults;
pub mod groups;
pub mod help;
pub mod instances;
pub mod layout;
pub mod more_menu;
pub mod op_dialog;
pub mod operation;
pub mod operations;
pub mod row_detail;
pub mod sentences;
pub mod sites;
pub mod status_bar;
pub mod step_detail;
pub mod text;

use super::app::{App, Overlay, Pane, Screen};
use super::theme::{Role, Theme};
use layout::{MIN_HEIGHT, MIN_WIDTH, MainLayout, centered, too_small};
use ratatui::Frame;
use ratatui::layout::{Alignment, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, BorderType, Borders, Clear, Paragraph, Wrap};

pub fn draw(frame: &mut Frame, app: &App) {
    let area = frame.area();
    if too_small(area) {
        draw_too_small(frame, app, area);
        return;
    }
    match &app.screen {
        Screen::Main => draw_main(frame, app, area),
        Screen::Operation(v) => operation::draw(frame, app, v, area),
    }
    match &app.overlay {
        None => {}
        Some(Overlay::Help(scroll)) => help::draw(frame, app, *scroll, area),
        Some(Overlay::Card(c)) => drill_card::draw(frame, app, c, area),
        Some(Overlay::Detail(d)) => row_detail::draw(frame, app, d, area),
        Some(Overlay::Menu(m)) => more_menu::draw(frame, app, m, area),
        Some(Overlay::Dialog(d)) => op_dialog::draw(frame, app, d, area),
        Some(Overlay::Confirm(c)) => confirm::draw(frame, app, c, area),
        Some(Overlay::Command(c)) => command_line::draw_command(frame, app, c, area),
        Some(Overlay::Filter(i)) => command_line::draw_filter(frame, app, i, area),
        Some(Overlay::Faults(f)) => faults::draw(frame, app, f, area),
        Some(Overlay::QuitConfirm) => question(frame, app, area, "Quit?", &quit_text(app)),
        Some(Overlay::CancelConfirm(id)) => question(
            frame,
            app,
            area,
            "Cancel operation?",
            &format!("Cancel operation {id}? Finished steps are rolled back. (y/N)"),
        ),
    }
}

/// What quitting does to an operation this console runs: it runs in this process, so it stops
/// mid-step and resumes from the journal at the next start (with `--lab`, the lab stops too).
pub fn quit_text(app: &App) -> String {
    let lab = if app.lab {
        " The lab stops with it; both resume at the next drconsole --lab."
    } else {
        " Another console can take it over once its lease runs out."
    };
    format!(
        "An operation started here is still running, inside this console's process. Quitting \
         pauses it: it stops mid-step and resumes from the journal when the console starts \
         again.{lab} Quit anyway? (y/N)"
    )
}

fn draw_too_small(frame: &mut Frame, app: &App, area: Rect) {
    let text = format!(
        "drconsole needs at least {MIN_WIDTH}×{MIN_HEIGHT} (now {}×{})",
        area.width, area.height
    );
    let y = area.height / 2;
    let line = Rect::new(area.x, area.y + y, area.width, 1.min(area.height));
    frame.render_widget(
        Paragraph::new(text)
            .style(app.theme.style(Role::Attention))
            .alignment(Alignment::Center)
            .wrap(Wrap { trim: true }),
        line,
    );
}

fn draw_main(frame: &mut Frame, app: &App, area: Rect) {
    let l = MainLayout::new(
        area,
        app.estate.as_ref().map(|e| e.sites.len()).unwrap_or(2),
        app.groups().len(),
        status_bar::height(app, area.width),
    );
    header(frame, app, l.header);
    sites::draw(frame, app, l.sites);
    operations::draw(frame, app, l.operations);
    groups::draw(frame, app, l.groups);
    instances::draw(frame, app, l.instances);
    status_bar::draw(frame, app, l.status);
}

pub fn header(frame: &mut Frame, app: &App, area: Rect) {
    let t = &app.theme;
    let mut spans = vec![Span::styled(" drconsole ", t.style(Role::Title))];
    if app.lab {
        spans.push(Span::styled(" lab ", t.style(Role::Attention)));
    }
    spans.push(Span::styled(
        format!(" {} ", app.context),
        t.style(Role::Dim),
    ));
    if let Some(e) = &app.estate_error {
        spans.push(Span::styled(
            format!(" {} refresh failed: {e}", super::symbols::ATTENTION),
            t.style(Role::Failed),
        ));
    }
    let clock = format!("{} ", app.now.format("%Y-%m-%d %H:%M:%S UTC"));
    let used: usize = spans.iter().map(|s| s.width()).sum();
    let pad = usize::from(area.width).saturating_sub(used + clock.chars().count());
    spans.push(Span::raw(" ".repeat(pad)));
    spans.push(Span::styled(clock, t.style(Role::Text)));
    frame.render_widget(Line::from(spans), area);
}

/// A bordered pane; its border and title show focus.
pub fn pane_block<'a>(title: String, focused: bool, theme: &Theme) -> Block<'a> {
    let title_style = if focused {
        theme.style(Role::Focus)
    } else {
        theme.style(Role::Title)
    };
    Block::default()
        .borders(Borders::ALL)
        .border_style(theme.border(focused))
        .title(Span::styled(format!(" {title} "), title_style))
}

/// A dialog box over the screen: cleared, thick border.
pub fn dialog_block<'a>(title: &str, theme: &Theme) -> Block<'a> {
    Block::default()
        .borders(Borders::ALL)
        .border_type(BorderType::Thick)
        .border_style(theme.style(Role::Accent))
        .title(Span::styled(format!(" {title} "), theme.style(Role::Title)))
}

pub fn focused(app: &App, pane: Pane) -> bool {
    app.overlay.is_none() && app.focus == pane
}

/// Row style: the selection of the focused list stands out, otherwise plain.
pub fn row_style(app: &App, pane: Pane, selected: bool) -> Style {
    if selected && app.focus == pane {
        app.theme.selection()
    } else {
        Style::default()
    }
}

/// A y/N question, its sentence wrapped whole.
fn question(frame: &mut Frame, app: &App, area: Rect, title: &str, text: &str) {
    let w = 64.min(area.width);
    let rows = text::wrap(text, usize::from(w.saturating_sub(3)));
    let r = centered(area, w, rows.len() as u16 + 2);
    let lines: Vec<Line> = rows
        .into_iter()
        .map(|l| Line::from(format!(" {l}")))
        .collect();
    frame.render_widget(Clear, r);
    frame.render_widget(
        Paragraph::new(lines).block(dialog_block(title, &app.theme)),
        r,
    );
}

/// `12.0 s`, `2m06s`: a step's or operation's duration.
pub fn duration(secs: f64) -> String {
    if secs < 60.0 {
        format!("{secs:.1} s")
    } else {
        let s = secs as u64;
        format!("{}m{:02}s", s / 60, s % 60)
    }
}
