//! The event loop: one owner of the terminal, one queue of messages. Terminal input, engine events,
//! background results and the refresh interval become `Msg`s; `update` changes the state; the
//! screen is redrawn only after a burst of messages changed something. Work runs in tasks.

use super::app::App;
use super::backend::ConsoleBackend;
use super::keymap::Keymap;
use super::msg::{Action, Msg};
use super::theme::{Theme, ThemeError};
use super::{update, view};
use crate::config::UiConfig;
use chrono::Utc;
use color_eyre::eyre::{Result, eyre};
use crossterm::event::{
    DisableMouseCapture, EnableMouseCapture, Event, EventStream, KeyEventKind, MouseEventKind,
};
use futures_util::StreamExt;
use std::future::Future;
use std::io::IsTerminal;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::{broadcast, mpsc};

/// Spinner frames while an operation runs: at most 10 per second.
const TICK_INTERVAL: Duration = Duration::from_millis(100);
/// Background refreshes never run more often than this.
const MIN_REFRESH_INTERVAL: Duration = Duration::from_secs(1);
const QUEUE_LEN: usize = 256;

/// Restores the terminal (and mouse capture) on every exit path, panics included.
struct TerminalGuard;

impl TerminalGuard {
    fn new() -> Result<Self> {
        crossterm::execute!(std::io::stdout(), EnableMouseCapture)?;
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            let _ = crossterm::execute!(std::io::stdout(), DisableMouseCapture);
            ratatui::restore();
            let backtrace = std::backtrace::Backtrace::force_capture();
            tracing::error!("the console panicked: {info}\n{backtrace}");
            match crate::logging::log_path() {
                Some(path) => eprintln!(
                    "drconsole stopped on an internal error; the report is in {}\n\
                     running operations continue from the journal at the next start",
                    path.display()
                ),
                None => previous(info),
            }
        }));
        Ok(TerminalGuard)
    }
}

impl Drop for TerminalGuard {
    fn drop(&mut self) {
        let _ = crossterm::execute!(std::io::stdout(), DisableMouseCapture);
        ratatui::restore();
    }
}

/// Run the console until the operator quits. Fails with a clear error without a terminal.
pub async fn run(
    backend: Arc<dyn ConsoleBackend>,
    ui: UiConfig,
    theme: Option<String>,
    lab: bool,
) -> Result<()> {
    if !std::io::stdout().is_terminal() || !std::io::stdin().is_terminal() {
        return Err(eyre!(
            "the console needs an interactive terminal, and stdin/stdout is not one; \
             use the headless commands (drconsole status, failover --wait, …) instead"
        ));
    }
    let keymap = Keymap::from_overrides(&ui.keys)?;
    let config_dir = crate::config::load::project_dirs().map(|d| d.config_dir().to_path_buf());
    let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
    let name = theme.unwrap_or_else(|| ui.theme.clone());
    let (theme, theme_error) = Theme::resolve(&name, config_dir.as_deref(), no_color);
    let lab = lab || backend.is_lab();
    let mut app = App::new(Utc::now(), &context(), lab, theme, keymap);
    if let Some(e) = theme_error {
        app.error(e);
    }
    let mut terminal = ratatui::try_init()
        .map_err(|e| eyre!("cannot set up the terminal: {e}; is TERM set correctly?"))?;
    let _guard = TerminalGuard::new()?;
    let size = terminal.size()?;
    app.size = (size.width, size.height);
    let refresh_every = ui.refresh_interval.max(MIN_REFRESH_INTERVAL);
    let (tx, mut rx) = mpsc::channel(QUEUE_LEN);
    let mut rt = Runtime {
        backend,
        config_dir,
        tx,
    };
    for a in update::start(&mut app) {
        rt.dispatch(a);
    }
    let mut input = EventStream::new();
    let mut bus = rt.backend.subscribe();
    let mut bus_open = true;
    let mut refresh =
        tokio::time::interval_at(tokio::time::Instant::now() + refresh_every, refresh_every);
    refresh.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    let mut tick = tokio::time::interval(TICK_INTERVAL);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);
    let mut dirty = true;
    loop {
        if dirty {
            terminal.draw(|f| view::draw(f, &app))?;
            dirty = false;
        }
        let animating = app.animating();
        let msg = tokio::select! {
            ev = input.next() => match ev {
                Some(Ok(ev)) => from_terminal(ev),
                Some(Err(e)) => return Err(eyre!("reading the terminal failed: {e}")),
                None => break,
            },
            ev = bus.recv(), if bus_open => match ev {
                Ok(e) => Some(Msg::Event(e)),
                Err(broadcast::error::RecvError::Lagged(n)) => Some(Msg::EventsLagged(n)),
                Err(broadcast::error::RecvError::Closed) => {
                    bus_open = false;
                    None
                }
            },
            Some(m) = rx.recv() => Some(m),
            _ = refresh.tick() => Some(Msg::RefreshDue),
            _ = tick.tick(), if animating => Some(Msg::Tick(Utc::now())),
        };
        let Some(msg) = msg else { continue };
        dirty |= rt.handle(&mut app, msg);
        // Drain a burst before drawing once.
        while let Ok(m) = rx.try_recv() {
            dirty |= rt.handle(&mut app, m);
        }
        if app.quit {
            break;
        }
    }
    Ok(())
}

fn from_terminal(ev: Event) -> Option<Msg> {
    match ev {
        Event::Key(k) if k.kind != KeyEventKind::Release => Some(Msg::Key(k)),
        Event::Mouse(m) => match m.kind {
            MouseEventKind::Down(_) | MouseEventKind::ScrollDown | MouseEventKind::ScrollUp => {
                Some(Msg::Mouse(m))
            }
            _ => None,
        },
        Event::Resize(w, h) => Some(Msg::Resize(w, h)),
        _ => None,
    }
}

fn context() -> String {
    crate::orchestrator::actor::local_actor().to_string()
}

struct Runtime {
    backend: Arc<dyn ConsoleBackend>,
    config_dir: Option<PathBuf>,
    tx: mpsc::Sender<Msg>,
}

impl Runtime {
    /// Update the state with one message and start the work it asks for; true = redraw.
    fn handle(&mut self, app: &mut App, msg: Msg) -> bool {
        app.now = Utc::now();
        for a in update::update(app, msg) {
            self.dispatch(a);
        }
        true
    }

    fn spawn(&self, fut: impl Future<Output = Msg> + Send + 'static) {
        let tx = self.tx.clone();
        tokio::spawn(async move {
            let _ = tx.send(fut.await).await;
        });
    }

    fn dispatch(&self, action: Action) {
        let b = &self.backend;
        match action {
            Action::Refresh => {
                let f = b.refresh();
                self.spawn(async move { Msg::Estate(f.await) });
            }
            Action::LoadOperations => {
                let f = b.operations();
                self.spawn(async move { Msg::Operations(f.await) });
            }
            Action::LoadInstances(group) => {
                let f = b.instances(group.clone());
                self.spawn(async move {
                    Msg::Instances {
                        group,
                        result: f.await,
                    }
                });
            }
            Action::LoadDetail(id) => {
                let f = b.operation_detail(id.clone());
                self.spawn(async move {
                    Msg::Detail {
                        id,
                        result: f.await.map(Box::new),
                    }
                });
            }
            Action::LoadMappings(group) => {
                let f = b.mappings(group.clone());
                self.spawn(async move {
                    Msg::Mappings {
                        group,
                        result: f.await,
                    }
                });
            }
            Action::Check(request) => {
                let f = b.check(request.clone());
                self.spawn(async move {
                    Msg::Checks {
                        request,
                        result: f.await,
                    }
                });
            }
            Action::Start(request) => {
                let f = b.start(request.clone());
                self.spawn(async move {
                    Msg::Started {
                        request,
                        result: f.await,
                    }
                });
            }
            Action::Cancel(id) => {
                let f = b.cancel(id.clone());
                self.spawn(async move {
                    Msg::Cancelled {
                        id,
                        result: f.await,
                    }
                });
            }
            Action::InjectFault { site, fault } => {
                let what = format!("{} injected at {site}", fault.kind);
                let f = b.inject_fault(site, fault);
                self.spawn(async move { Msg::Fault(f.await.map(|()| what)) });
            }
            Action::ClearFaults(site) => {
                let what = format!("faults cleared at {site}");
                let f = b.clear_faults(site);
                self.spawn(async move { Msg::Fault(f.await.map(|()| what)) });
            }
            Action::LoadTheme(name) => {
                let dir = self.config_dir.clone();
                let name_for_error = name.clone();
                self.spawn(async move {
                    let loaded =
                        tokio::task::spawn_blocking(move || Theme::load(&name, dir.as_deref()))
                            .await
                            .unwrap_or_else(|e| {
                                Err(ThemeError::Interrupted {
                                    name: name_for_error,
                                    reason: e.to_string(),
                                })
                            });
                    Msg::Theme(loaded)
                });
            }
            Action::Quit => {}
        }
    }
}
