//! The event loop: one owner of the terminal, one queue of messages. Terminal input, engine events,
//! background results and the refresh interval become `Msg`s; `update` changes the state and says
//! whether the screen changed. A burst of messages is drained before one frame is drawn, frames
//! come at most ~30 times a second, and nothing is drawn while nothing changed.

use super::app::App;
use super::backend::ConsoleBackend;
use super::keymap::Keymap;
use super::msg::Msg;
use super::runtime::Runtime;
use super::terminal::TerminalGuard;
use super::theme::Theme;
use super::{update, view};
use crate::config::UiConfig;
use chrono::Utc;
use color_eyre::eyre::{Result, eyre};
use crossterm::event::{Event, EventStream, KeyEventKind, MouseEventKind};
use futures_util::StreamExt;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::{broadcast, mpsc};
use tokio::time::{Instant, Interval, MissedTickBehavior};

/// Spinner frames while an operation runs: at most 10 per second.
const TICK_INTERVAL: Duration = Duration::from_millis(100);
/// Frames are drawn at most this often (~30 per second), however fast messages arrive.
const FRAME_INTERVAL: Duration = Duration::from_millis(33);
/// Background refreshes never run more often than this.
const MIN_REFRESH_INTERVAL: Duration = Duration::from_secs(1);
/// Messages handled in one burst before the screen gets a chance to be drawn.
const BURST_LEN: usize = 256;
const QUEUE_LEN: usize = 256;

/// When the next frame may be drawn: at most one per interval.
#[derive(Debug, Clone)]
pub struct FramePacer {
    interval: Duration,
    last: Option<Instant>,
}

impl FramePacer {
    pub fn new(interval: Duration) -> Self {
        Self {
            interval,
            last: None,
        }
    }

    /// The earliest time the next frame may be drawn.
    pub fn next_frame(&self, now: Instant) -> Instant {
        self.last.map_or(now, |l| (l + self.interval).max(now))
    }

    pub fn ready(&self, now: Instant) -> bool {
        self.next_frame(now) <= now
    }

    pub fn drawn(&mut self, at: Instant) {
        self.last = Some(at);
    }
}

/// How the console starts: its theme, whether it runs the lab, and the operations the engine
/// resumed at the start (they run here now; the console says so).
#[derive(Debug, Clone, Default)]
pub struct Start {
    pub theme: Option<String>,
    pub lab: bool,
    pub resumed: Vec<String>,
    /// Unfinished operations another live console runs: `id (who)`.
    pub elsewhere: Vec<String>,
}

/// Run the console until the operator quits. Fails with a clear error without a terminal.
pub async fn run(backend: Arc<dyn ConsoleBackend>, ui: UiConfig, start: Start) -> Result<()> {
    let config_dir = crate::config::load::project_dirs().map(|d| d.config_dir().to_path_buf());
    let lab = start.lab || backend.is_lab();
    let mut app = new_app(&ui, start.theme, lab, config_dir.as_deref())?;
    update::resumed(&mut app, start.resumed, &start.elsewhere);
    let mut guard = TerminalGuard::new()?;
    let size = guard.terminal.size()?;
    app.size = (size.width, size.height);
    let (tx, rx) = mpsc::channel(QUEUE_LEN);
    let rt = Runtime::new(backend, config_dir, tx);
    rt.watch_journal();
    for a in update::start(&mut app) {
        rt.dispatch(a);
    }
    let refresh_every = ui.refresh_interval.max(MIN_REFRESH_INTERVAL);
    let mut sources = Sources::new(&rt, rx, refresh_every);
    event_loop(&mut guard, &mut app, &rt, &mut sources).await
}

fn new_app(
    ui: &UiConfig,
    theme: Option<String>,
    lab: bool,
    config_dir: Option<&std::path::Path>,
) -> Result<App> {
    let keymap = Keymap::from_overrides(&ui.keys)?;
    let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
    let name = theme.unwrap_or_else(|| ui.theme.clone());
    let (theme, theme_error) = Theme::resolve(&name, config_dir, no_color);
    let context = crate::orchestrator::actor::local_actor().to_string();
    let mut app = App::new(Utc::now(), &context, lab, theme, keymap);
    if let Some(e) = theme_error {
        app.error(e);
    }
    Ok(app)
}

async fn event_loop(
    guard: &mut TerminalGuard,
    app: &mut App,
    rt: &Runtime,
    sources: &mut Sources,
) -> Result<()> {
    let mut pacer = FramePacer::new(FRAME_INTERVAL);
    let mut dirty = true;
    loop {
        let now = Instant::now();
        if dirty && pacer.ready(now) {
            guard.terminal.draw(|f| view::draw(f, app))?;
            pacer.drawn(now);
            dirty = false;
        }
        let frame = dirty.then(|| pacer.next_frame(now));
        let Some(first) = sources.next(app.animating(), frame).await? else {
            if sources.ended {
                return Ok(());
            }
            continue;
        };
        dirty |= handle(app, rt, first);
        // Drain the burst that came with it before drawing once.
        for _ in 0..BURST_LEN {
            let Some(m) = sources.ready() else { break };
            dirty |= handle(app, rt, m);
        }
        if app.quit {
            return Ok(());
        }
    }
}

/// Update the state with one message and start the work it asks for; true = redraw.
fn handle(app: &mut App, rt: &Runtime, msg: Msg) -> bool {
    app.now = Utc::now();
    let effect = update::update(app, msg);
    for a in effect.actions {
        rt.dispatch(a);
    }
    effect.redraw
}

/// Where messages come from: the terminal, the engine's events, task answers and two timers.
struct Sources {
    input: EventStream,
    bus: broadcast::Receiver<crate::orchestrator::OperationEvent>,
    bus_open: bool,
    rx: mpsc::Receiver<Msg>,
    refresh: Interval,
    tick: Interval,
    /// The terminal closed its input: the console ends.
    ended: bool,
}

impl Sources {
    fn new(rt: &Runtime, rx: mpsc::Receiver<Msg>, refresh_every: Duration) -> Self {
        let mut refresh = tokio::time::interval_at(Instant::now() + refresh_every, refresh_every);
        refresh.set_missed_tick_behavior(MissedTickBehavior::Delay);
        let mut tick = tokio::time::interval(TICK_INTERVAL);
        tick.set_missed_tick_behavior(MissedTickBehavior::Skip);
        Self {
            input: EventStream::new(),
            bus: rt.backend.subscribe(),
            bus_open: true,
            rx,
            refresh,
            tick,
            ended: false,
        }
    }

    /// The next message; `None` when a frame is due, a source closed or an event is ignored.
    async fn next(&mut self, animating: bool, frame: Option<Instant>) -> Result<Option<Msg>> {
        let frame_due = async {
            match frame {
                Some(at) => tokio::time::sleep_until(at).await,
                None => std::future::pending().await,
            }
        };
        Ok(tokio::select! {
            ev = self.input.next() => match ev {
                Some(ev) => from_terminal(terminal_event(ev)?),
                None => {
                    self.ended = true;
                    None
                }
            },
            ev = self.bus.recv(), if self.bus_open => self.bus_msg(ev),
            Some(m) = self.rx.recv() => Some(m),
            _ = self.refresh.tick() => Some(Msg::RefreshDue),
            _ = self.tick.tick(), if animating => Some(Msg::Tick(Utc::now())),
            _ = frame_due => None,
        })
    }

    /// A task answer or engine event that is already waiting, without waiting for one. (The
    /// terminal is not polled here: its stream wakes only the task that polled it last, so a
    /// poll without the loop's waker would leave keys unread until another source wakes it.)
    fn ready(&mut self) -> Option<Msg> {
        if let Ok(m) = self.rx.try_recv() {
            return Some(m);
        }
        if !self.bus_open {
            return None;
        }
        match self.bus.try_recv() {
            Ok(e) => Some(Msg::Event(e)),
            Err(broadcast::error::TryRecvError::Lagged(n)) => Some(Msg::EventsLagged(n)),
            Err(_) => None,
        }
    }

    fn bus_msg(
        &mut self,
        ev: Result<crate::orchestrator::OperationEvent, broadcast::error::RecvError>,
    ) -> Option<Msg> {
        match ev {
            Ok(e) => Some(Msg::Event(e)),
            Err(broadcast::error::RecvError::Lagged(n)) => Some(Msg::EventsLagged(n)),
            Err(broadcast::error::RecvError::Closed) => {
                self.bus_open = false;
                None
            }
        }
    }
}

fn terminal_event(ev: std::io::Result<Event>) -> Result<Event> {
    ev.map_err(|e| eyre!("reading the terminal failed: {e}"))
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
