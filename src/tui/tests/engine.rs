//! Screens fed by the real engine over an in-process lab (real HTTP), through the console's own
//! runtime and `update`: what the operator reads here comes from the sites and the journal, not
//! from canned data. Waits are on conditions, with a deadline.

use super::{key, render, text};
use crate::config;
use crate::domain::{GroupStatus, OperationStatus};
use crate::lab::{LabHandle, LabOptions};
use crate::orchestrator::OperationEvent;
use crate::orchestrator::engine::{Engine, EngineOptions};
use crate::orchestrator::lab_faults::LabFaults;
use crate::store::Store;
use crate::tui::app::{App, Overlay, Screen};
use crate::tui::dialog::Checks;
use crate::tui::engine_backend::EngineBackend;
use crate::tui::keymap::Keymap;
use crate::tui::msg::Msg;
use crate::tui::runtime::Runtime;
use crate::tui::theme::Theme;
use crate::tui::update::{start, update};
use crossterm::event::KeyCode;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::{broadcast, mpsc};

/// The longest a condition may take on a loaded machine before the test fails.
const DEADLINE: Duration = Duration::from_secs(60);
/// The refresh timer of these tests (the console's own is `[ui] refresh_interval`).
const REFRESH_EVERY: Duration = Duration::from_millis(500);

struct Console {
    app: App,
    rt: Runtime,
    rx: mpsc::Receiver<Msg>,
    bus: broadcast::Receiver<OperationEvent>,
    /// The refresh timer ticks (off: only answers, events and the journal's changes arrive).
    refresh: bool,
    /// What a second console (another process on the same journal) needs.
    config: Arc<config::Config>,
    journal: std::path::PathBuf,
    engine: Arc<Engine>,
    _lab: LabHandle,
    _dir: tempfile::TempDir,
}

impl Console {
    /// The console over a fresh lab, after its first questions were answered.
    async fn start() -> Console {
        let dir = tempfile::tempdir().expect("temp dir");
        let lab = LabHandle::start(LabOptions::for_tests(dir.path().join("lab")))
            .await
            .expect("lab starts");
        let files = lab.write_client_files().expect("client files");
        let cfg = config::load(&files.config).expect("lab config").config;
        let journal = dir.path().join("journal.sqlite");
        let store = Store::open_sqlite(&journal).expect("journal");
        let config = Arc::new(cfg);
        let engine = Engine::new(config.clone(), store, engine_options()).expect("engine");
        let sites = lab
            .site_names()
            .into_iter()
            .filter_map(|s| lab.site_url(&s).map(|u| (s, u)));
        let faults = LabFaults::new(sites, lab.ca_file().as_deref()).expect("lab control");
        let bus = engine.events().subscribe();
        let (tx, rx) = mpsc::channel(256);
        let backend = EngineBackend::new(engine.clone(), faults);
        let rt = Runtime::new(Arc::new(backend), None, tx);
        let app = App::new(
            chrono::Utc::now(),
            "operator@jump-1",
            true,
            Theme::default(),
            Keymap::default(),
        );
        rt.watch_journal();
        let mut c = Console {
            app,
            rt,
            rx,
            bus,
            refresh: true,
            config,
            journal,
            engine,
            _lab: lab,
            _dir: dir,
        };
        let first = start(&mut c.app);
        c.run(first);
        c.until("the estate and web-app's instances", |a| {
            a.estate.is_some() && a.instances.len() == 3
        })
        .await;
        c
    }

    fn run(&self, actions: Vec<crate::tui::msg::Action>) {
        for a in actions {
            self.rt.dispatch(a);
        }
    }

    /// A key as the operator presses it; the work it asks for starts.
    fn press(&mut self, code: KeyCode) {
        let actions = key(&mut self.app, code);
        self.run(actions);
    }

    /// Feed answers, engine events and the refresh timer through `update` until `done` holds.
    async fn until(&mut self, what: &str, done: impl Fn(&App) -> bool) {
        let deadline = tokio::time::Instant::now() + DEADLINE;
        let mut refresh = tokio::time::interval(REFRESH_EVERY);
        while !done(&self.app) {
            let msg = tokio::select! {
                _ = refresh.tick(), if self.refresh => Msg::RefreshDue,
                m = self.rx.recv() => m.expect("the runtime runs"),
                e = self.bus.recv() => match e {
                    Ok(e) => Msg::Event(e),
                    Err(broadcast::error::RecvError::Lagged(n)) => Msg::EventsLagged(n),
                    Err(e) => panic!("event bus: {e}"),
                },
                _ = tokio::time::sleep_until(deadline) => {
                    panic!("waited {DEADLINE:?} for {what}; message: {:?}", self.app.message)
                }
            };
            self.app.now = chrono::Utc::now();
            let effect = update(&mut self.app, msg);
            self.run(effect.actions);
        }
    }
}

fn engine_options() -> EngineOptions {
    EngineOptions {
        poll_interval: Duration::from_millis(100),
        ..EngineOptions::default()
    }
}

/// The open operation's journal says it ended (its result is final).
fn settled(a: &App) -> bool {
    matches!(&a.screen, Screen::Operation(v) if v.settled)
}

fn op_status(a: &App) -> Option<OperationStatus> {
    match &a.screen {
        Screen::Operation(v) => v.detail.as_ref().map(|d| d.record.status),
        Screen::Main => None,
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_main_screen_shows_the_lab_as_the_engine_sees_it() {
    let mut c = Console::start().await;
    let screen = text(&render(&mut c.app, 80, 24));
    for expected in [
        "Protection groups (3)",
        "web-app    ✓ protected",
        "db-cluster ✓ protected",
        "● site-a   primary",
        "runs 3 groups",
        "● site-b   dr",
        "runs no group (dr only)",
        "Instances · web-app (3) · runs at site-a",
        "web-1 ACTIVE",
        "no operations yet",
    ] {
        assert!(screen.contains(expected), "{expected:?}:\n{screen}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_drill_started_in_the_console_is_followed_live_to_its_end() {
    let mut c = Console::start().await;
    c.press(KeyCode::Char('t'));
    c.until("the drill's checklist", |a| {
        matches!(&a.overlay, Some(Overlay::Dialog(d))
            if d.checked.is_some() && d.checked == d.request().ok())
    })
    .await;
    let dialog = text(&render(&mut c.app, 100, 30));
    assert!(dialog.contains("Test Failover"), "{dialog}");
    assert!(
        dialog.contains("✓"),
        "a passing checklist from the lab:\n{dialog}"
    );
    c.press(KeyCode::Enter);
    let confirm = text(&render(&mut c.app, 80, 24));
    assert!(
        confirm.contains("Start Test Failover of web-app? (y/N)"),
        "{confirm}"
    );
    c.press(KeyCode::Char('y'));
    c.until("the drill to end, in the journal too", settled)
        .await;
    assert_eq!(op_status(&c.app), Some(OperationStatus::Completed));
    let view = text(&render(&mut c.app, 120, 30));
    for expected in [
        "Test Failover · web-app · site-a ⇢ site-b · ✓ completed",
        "Result",
        "completed in",
        ": 3 instances created, 3 volumes managed.",
        "Recovery point: snapshot",
    ] {
        assert!(view.contains(expected), "{expected:?}:\n{view}");
    }
    c.press(KeyCode::Esc);
    c.until("the group to show its drill", |a| {
        a.group("web-app")
            .is_some_and(|g| g.status == GroupStatus::TestActive)
    })
    .await;
    let main = text(&render(&mut c.app, 80, 24));
    assert!(main.contains("web-app    ◇ test_active"), "{main}");
    assert!(main.contains("✓ drill      web-app   100%"), "{main}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_site_taken_down_from_the_faults_menu_shows_down_and_comes_back() {
    let mut c = Console::start().await;
    c.press(KeyCode::Char('F'));
    c.press(KeyCode::Right); // site-b
    c.press(KeyCode::Enter); // site down
    c.until("site-b to be seen down", |a| {
        a.estate
            .as_ref()
            .and_then(|e| e.site("site-b"))
            .is_some_and(|s| !s.reachable)
    })
    .await;
    let screen = text(&render(&mut c.app, 80, 24));
    assert!(screen.contains("○ site-b   dr      down"), "{screen}");
    assert!(screen.contains("● site-a"), "{screen}");
    c.press(KeyCode::Char('F'));
    c.press(KeyCode::Right);
    for _ in 0..5 {
        c.press(KeyCode::Down); // clear all faults
    }
    c.press(KeyCode::Enter);
    c.until("site-b to answer again", |a| {
        a.estate
            .as_ref()
            .and_then(|e| e.site("site-b"))
            .is_some_and(|s| s.reachable)
    })
    .await;
    let message = c.app.message.as_ref().map(|m| m.text.clone());
    assert_eq!(message.as_deref(), Some("faults cleared at site-b"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_operation_another_console_runs_appears_and_is_followed_from_the_journal() {
    let mut c = Console::start().await;
    // No refresh timer from here: what the console learns, it learns from the journal's feed.
    c.refresh = false;
    let store = Store::open_sqlite(&c.journal).expect("the other console's journal");
    let other = Engine::new(c.config.clone(), store, engine_options()).expect("other engine");
    let id = other
        .start(crate::orchestrator::engine::OperationRequest::new(
            crate::domain::OperationType::TestFailover,
            "web-app",
        ))
        .await
        .expect("the other console starts a drill")
        .id;
    c.until("the other console's drill in the list", |a| {
        a.operations.iter().any(|o| o.id == id)
    })
    .await;
    c.until("web-app to read testing", |a| {
        a.group("web-app")
            .is_some_and(|g| g.status == GroupStatus::Testing)
    })
    .await;
    c.press(KeyCode::Tab);
    c.press(KeyCode::Tab);
    c.press(KeyCode::Enter);
    assert!(
        matches!(&c.app.screen, Screen::Operation(v) if v.id == id),
        "Enter on the Operations pane opens the drill"
    );
    c.until("the drill to end on screen, its result read", settled)
        .await;
    assert_eq!(op_status(&c.app), Some(OperationStatus::Completed));
    let view = text(&render(&mut c.app, 120, 30));
    assert!(view.contains(": 3 instances created"), "{view}");
    c.until("web-app to read test_active", |a| {
        a.group("web-app")
            .is_some_and(|g| g.status == GroupStatus::TestActive)
            && a.operations
                .iter()
                .any(|o| o.id == id && o.status == OperationStatus::Completed)
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_drill_dialog_lists_the_points_and_shows_the_checklists_data_loss_figure() {
    let mut c = Console::start().await;
    let engine = c.engine.clone();
    let deadline = tokio::time::Instant::now() + DEADLINE;
    while engine
        .recovery_points("web-app")
        .await
        .map_or(0, |p| p.points.len())
        < 3
    {
        assert!(
            tokio::time::Instant::now() < deadline,
            "three snapshots arrive"
        );
        tokio::task::yield_now().await;
    }
    c.press(KeyCode::Char('t'));
    let ready = |a: &App| {
        matches!(&a.overlay, Some(Overlay::Dialog(d))
            if d.checked.is_some() && d.checked == d.request().ok() && d.points.is_some())
    };
    c.until("the drill's checklist", ready).await;
    c.press(KeyCode::Right); // the point field has focus: one older than the newest
    c.until("the checklist for the older point", ready).await;
    let Some(Overlay::Dialog(d)) = &c.app.overlay else {
        panic!("no dialog")
    };
    let chosen = d.chosen_point().expect("a chosen point").clone();
    assert!(!chosen.latest, "{chosen:?}");
    assert_eq!(d.point.as_deref(), Some(chosen.name.as_str()));
    let figure = crate::domain::human_seconds(chosen.data_loss_seconds);
    let Checks::Ready(checks) = &d.checks else {
        panic!("checklist")
    };
    let age = checks
        .iter()
        .find(|c| c.label == "replica age")
        .expect("age");
    assert!(age.reason.contains(&format!("({figure} old)")), "{age:?}");
    let screen = super::prose(&render(&mut c.app, 140, 60), 0..60);
    for expected in [
        format!("▸ {} ", chosen.name),
        format!("the drill's data is {figure} old"),
        "✓ recovery point".to_string(),
    ] {
        assert!(screen.contains(&expected), "{expected:?}:\n{screen}");
    }
    c.press(KeyCode::Enter);
    c.press(KeyCode::Char('y'));
    c.until("the drill to end, in the journal too", settled)
        .await;
    let Screen::Operation(v) = &c.app.screen else {
        panic!("operation view")
    };
    let record = &v.detail.as_ref().expect("detail").record;
    assert_eq!(
        record.result_data.recovery_point.as_ref().map(|p| &p.name),
        Some(&chosen.name),
        "the drill recovered the point chosen in the dialog"
    );
}
