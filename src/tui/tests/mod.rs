//! The console's tests: screens as insta snapshots on ratatui's TestBackend that also assert what
//! an operator would read, `update` as plain unit tests, and screens fed by the real engine over
//! an in-process lab. The canned data's clock is fixed (fake::now) so frames are deterministic.

mod engine;
mod fake;
mod fixtures;
mod flows;
mod learn;
mod options;
mod screens;
mod truth;

use super::app::App;
use super::jobs::Job;
use super::keymap::Keymap;
use super::msg::{Action, Effect, Msg};
use super::theme::Theme;
use super::update::update;
use super::view;
use crate::domain::{EstateView, InstanceView, OperationRecord};
use crate::tui::backend::OperationDetail;
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::Terminal;
use ratatui::backend::TestBackend;

fn app_with(theme: Theme) -> App {
    let mut a = App::new(
        fake::now(),
        "operator@jump-1",
        true,
        theme,
        Keymap::default(),
    );
    let _ = feed_estate(&mut a, fake::estate());
    // The journal's RPO history, for the lag sparklines (on each group's target's scale).
    let history = [30, 36, 41, 55, 48, 42];
    let _ = update(
        &mut a,
        Msg::RpoHistory(Ok([
            ("web-app".to_string(), history.to_vec()),
            ("db-cluster".to_string(), history.map(|r| r * 4).to_vec()),
        ]
        .into())),
    );
    let _ = feed_operations(&mut a, fake::operations());
    let _ = feed_instances(&mut a, "web-app", fake::instances("web-app", 3));
    a
}

fn app() -> App {
    app_with(Theme::default())
}

/// The engine's answer to a refresh asked just now.
fn feed_estate(app: &mut App, e: EstateView) -> Effect {
    let generation = app.jobs.issue(Job::Estate);
    update(
        app,
        Msg::Estate {
            generation,
            result: Ok(e),
        },
    )
}

fn feed_operations(app: &mut App, ops: Vec<OperationRecord>) -> Effect {
    let generation = app.jobs.issue(Job::Operations);
    update(
        app,
        Msg::Operations {
            generation,
            result: Ok(ops),
        },
    )
}

fn feed_instances(app: &mut App, group: &str, list: Vec<InstanceView>) -> Effect {
    let generation = app.jobs.issue(Job::Instances);
    update(
        app,
        Msg::Instances {
            group: group.into(),
            generation,
            result: Ok(list),
        },
    )
}

fn feed_detail(app: &mut App, d: OperationDetail) -> Effect {
    let generation = app.jobs.issue(Job::Detail);
    update(
        app,
        Msg::Detail {
            id: d.record.id.clone(),
            generation,
            result: Ok(Box::new(d)),
        },
    )
}

/// Open an operation's view as Enter on it would; the detail request it makes.
fn open_operation(app: &mut App, id: &str) -> Vec<Action> {
    crate::tui::update::open_operation(app, id.to_string())
}

fn key(app: &mut App, code: KeyCode) -> Vec<Action> {
    update(app, Msg::Key(KeyEvent::new(code, KeyModifiers::NONE))).actions
}

fn chars(app: &mut App, s: &str) {
    for c in s.chars() {
        key(app, KeyCode::Char(c));
    }
}

fn render(app: &mut App, w: u16, h: u16) -> Terminal<TestBackend> {
    let _ = update(app, Msg::Resize(w, h));
    let mut t = Terminal::new(TestBackend::new(w, h)).expect("terminal");
    t.draw(|f| view::draw(f, app)).expect("draw");
    t
}

/// The screen's rows as text.
fn rows(t: &Terminal<TestBackend>) -> Vec<String> {
    let buf = t.backend().buffer();
    (0..buf.area.height)
        .map(|y| {
            (0..buf.area.width)
                .map(|x| buf[(x, y)].symbol().to_string())
                .collect()
        })
        .collect()
}

/// The screen as one text, rows joined by newlines.
fn text(t: &Terminal<TestBackend>) -> String {
    rows(t).join("\n")
}

/// Rows `range` with box borders and runs of spaces collapsed, as one line: a sentence wrapped
/// over several rows reads whole here.
fn prose(t: &Terminal<TestBackend>, range: std::ops::Range<usize>) -> String {
    let joined: String = rows(t)[range]
        .iter()
        .map(|r| {
            r.chars()
                .map(|c| {
                    if "│┃┏┓┗┛━─┌┐└┘".contains(c) {
                        ' '
                    } else {
                        c
                    }
                })
                .collect::<String>()
        })
        .collect::<Vec<_>>()
        .join(" ");
    joined.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Render, assert every `expected` text is on screen, and bless the frame as a snapshot.
fn snap(name: &str, app: &mut App, w: u16, h: u16, expected: &[&str]) -> Terminal<TestBackend> {
    let t = render(app, w, h);
    let screen = text(&t);
    for e in expected {
        assert!(
            screen.contains(e),
            "{name}: {e:?} is not on screen:\n{screen}"
        );
    }
    insta::assert_snapshot!(name, t.backend());
    t
}

/// Bless a frame with its styles (colours and modifiers), e.g. for a theme.
fn snap_styled(name: &str, t: &Terminal<TestBackend>) {
    insta::assert_snapshot!(name, format!("{:?}", t.backend().buffer()));
}

/// Answer the dialog's pending checklist as the canned engine would.
fn answer_checks(app: &mut App, actions: &[Action]) {
    for a in actions {
        if let Action::Check {
            request,
            generation,
        } = a
        {
            let _ = update(
                app,
                Msg::Checks {
                    request: request.clone(),
                    generation: *generation,
                    result: Ok(fake::checks(request).into()),
                },
            );
        }
    }
}

fn open_dialog_via_command(app: &mut App, line: &str) {
    key(app, KeyCode::Char(':'));
    chars(app, line);
    let actions = key(app, KeyCode::Enter);
    answer_checks(app, &actions);
}
