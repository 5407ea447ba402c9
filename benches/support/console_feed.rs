//! The console as the benchmarks drive it: the real `App`, fed by its own runtime over the real
//! engine (config and journal given), at 200×60; and the real console binary idling in tmux, its
//! CPU read from /proc. Shared by the console benchmarks so they measure the same thing.
#![allow(dead_code)] // each benchmark uses a part of it

use drconsole::config;
use drconsole::orchestrator::engine::{Engine, EngineOptions};
use drconsole::orchestrator::lab_faults::LabFaults;
use drconsole::store::Store;
use drconsole::tui::app::App;
use drconsole::tui::engine_backend::EngineBackend;
use drconsole::tui::keymap::Keymap;
use drconsole::tui::msg::Msg;
use drconsole::tui::runtime::Runtime;
use drconsole::tui::theme::Theme;
use drconsole::tui::update::{start, update};
use std::path::Path;
use std::process::Command;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::sync::mpsc;

/// A console and the runtime that answers it.
pub struct Fed {
    pub app: App,
    rt: Runtime,
    rx: mpsc::Receiver<Msg>,
}

/// A console at 200×60 on the sites of `config`, journaling to `journal`, its start dispatched.
pub fn console_on(config_file: &Path, journal: &Path) -> Result<Fed, String> {
    let cfg = config::load(config_file).map_err(|e| e.to_string())?.config;
    let store = Store::open_sqlite(journal).map_err(|e| e.to_string())?;
    let engine =
        Engine::new(Arc::new(cfg), store, EngineOptions::default()).map_err(|e| e.to_string())?;
    let (tx, rx) = mpsc::channel(256);
    let rt = Runtime::new(
        Arc::new(EngineBackend::new(engine, LabFaults::none())),
        None,
        tx,
    );
    let mut app = App::new(
        chrono::Utc::now(),
        "bench@host",
        true,
        Theme::default(),
        Keymap::default(),
    );
    let _ = update(&mut app, Msg::Resize(200, 60));
    for a in start(&mut app) {
        rt.dispatch(a);
    }
    Ok(Fed { app, rt, rx })
}

impl Fed {
    /// Let `update` take the runtime's answers until `done`, calling `each` after every one;
    /// an instances error or `timeout` ends it with an error.
    pub async fn until(
        &mut self,
        timeout: Duration,
        done: impl Fn(&App) -> bool,
        mut each: impl FnMut(&App),
    ) -> Result<(), String> {
        let deadline = tokio::time::Instant::now() + timeout;
        while !done(&self.app) {
            let msg = tokio::time::timeout_at(deadline, self.rx.recv())
                .await
                .map_err(|_| format!("the engine did not answer in {} s", timeout.as_secs()))?
                .ok_or("the runtime stopped")?;
            if let Msg::Instances { result: Err(e), .. } = &msg {
                return Err(format!("instances: {e}"));
            }
            for a in update(&mut self.app, msg).actions {
                self.rt.dispatch(a);
            }
            each(&self.app);
        }
        Ok(())
    }
}

/// The real console binary at `w`×`h` in tmux on `config_file`: once `ready` is on its screen
/// (and 2 s more), its CPU over `idle` as a percentage of one core.
pub fn idle_cpu(
    config_file: &Path,
    data_dir: &Path,
    (w, h): (u16, u16),
    ready: &str,
    idle: Duration,
) -> Result<f64, String> {
    let bin = env!("CARGO_BIN_EXE_drconsole");
    let sock = format!("drconsole-bench-{}", std::process::id());
    let tmux = |args: &[&str]| {
        Command::new("tmux")
            .arg("-L")
            .arg(&sock)
            .args(args)
            .output()
            .map_err(|e| format!("tmux: {e}"))
    };
    let cmd = format!(
        "exec env DRCONSOLE_DATA_DIR='{}' '{bin}' --config '{}'",
        data_dir.display(),
        config_file.display()
    );
    let (w, h) = (w.to_string(), h.to_string());
    let new = ["-f", "/dev/null", "new-session", "-d", "-x", &w, "-y", &h];
    tmux(&[&new[..], &["-s", "b", &cmd]].concat())?;
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let shown = tmux(&["capture-pane", "-p", "-t", "b"])?;
        if String::from_utf8_lossy(&shown.stdout).contains(ready) {
            break;
        }
        if Instant::now() > deadline {
            let _ = tmux(&["kill-server"]);
            return Err(format!("the console did not show {ready:?} in 60 s"));
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    std::thread::sleep(Duration::from_secs(2));
    let out = tmux(&["display-message", "-p", "-t", "b", "#{pane_pid}"])?;
    let stat = format!("/proc/{}/stat", String::from_utf8_lossy(&out.stdout).trim());
    let before = super::lab_process::cpu_of(&stat);
    std::thread::sleep(idle);
    let after = super::lab_process::cpu_of(&stat);
    let _ = tmux(&["kill-server"]);
    if after.is_zero() {
        return Err("the console exited".into());
    }
    Ok((after - before).as_secs_f64() * 100.0 / idle.as_secs_f64())
}
