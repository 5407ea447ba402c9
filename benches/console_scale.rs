//! The console on the scale topology (run with `cargo bench --bench console_scale`): the lab
//! serves assets/lab/scale.toml (20 groups, 1,000 instances) in its own process; the real engine
//! answers the console's own runtime, whose messages `update` takes, and the real `App` is drawn
//! with ratatui's TestBackend at 200×60. Prints the time to the first frame with the estate
//! loaded, the median and 99th-percentile frame time while scrolling the groups and the largest
//! group's 500 instances (goal p99 < 2 ms), this process's peak RSS (engine, journal, console;
//! goal < 100 MB), and the real console binary's CPU over 30 s of idling in tmux against the
//! same lab (the render loop must not spin).

#[path = "support/lab_process.rs"]
mod lab_process;

use drconsole::config;
use drconsole::orchestrator::engine::{Engine, EngineOptions};
use drconsole::orchestrator::lab_faults::LabFaults;
use drconsole::store::Store;
use drconsole::tui::app::{App, Pane};
use drconsole::tui::engine_backend::EngineBackend;
use drconsole::tui::keymap::Keymap;
use drconsole::tui::msg::Msg;
use drconsole::tui::runtime::Runtime;
use drconsole::tui::theme::Theme;
use drconsole::tui::update::{start, update};
use drconsole::tui::view;
use lab_process::LabProcess;
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use std::path::Path;
use std::process::Command;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::sync::mpsc;

const LOAD_TIMEOUT: Duration = Duration::from_secs(300);
const IDLE: Duration = Duration::from_secs(30);

fn scale_topology() -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("assets/lab/scale.toml")
}

/// The console's state once its runtime has the estate and the instances of the selected
/// group (the first, `erp`: 500 instances), and the time from the start to the first frame drawn with them.
async fn loaded_app(
    lab: &LabProcess,
    dir: &Path,
    terminal: &mut Terminal<TestBackend>,
) -> Result<(App, Duration), String> {
    let started = Instant::now();
    let cfg = config::load(&lab.config).map_err(|e| e.to_string())?.config;
    let store = Store::open_sqlite(&dir.join("journal.sqlite")).map_err(|e| e.to_string())?;
    let engine =
        Engine::new(Arc::new(cfg), store, EngineOptions::default()).map_err(|e| e.to_string())?;
    let (tx, mut rx) = mpsc::channel(256);
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
    let deadline = tokio::time::Instant::now() + LOAD_TIMEOUT;
    let mut first_frame = None;
    while app.estate.is_none() || app.instances.is_empty() {
        let msg = tokio::time::timeout_at(deadline, rx.recv())
            .await
            .map_err(|_| "the engine did not answer in time".to_string())?
            .ok_or("the runtime stopped")?;
        if let Msg::Instances { result: Err(e), .. } = &msg {
            return Err(format!("instances: {e}"));
        }
        for a in update(&mut app, msg).actions {
            rt.dispatch(a);
        }
        if first_frame.is_none() && app.estate.is_some() {
            let _ = terminal.draw(|f| view::draw(f, &app));
            first_frame = Some(started.elapsed());
        }
    }
    Ok((app, first_frame.unwrap_or_default()))
}

/// 2,000 frames, the selection moving each time (groups, then instances), sorted.
fn frame_times(app: &mut App, terminal: &mut Terminal<TestBackend>) -> Vec<Duration> {
    let mut times = Vec::with_capacity(2000);
    for i in 0..2000 {
        let pane = if i < 1000 {
            Pane::Groups
        } else {
            Pane::Instances
        };
        app.focus = pane;
        let len = app.len(pane).max(1);
        app.cursor_mut(pane).selected = (i * 7) % len;
        let t = Instant::now();
        let _ = terminal.draw(|f| view::draw(f, app));
        times.push(t.elapsed());
    }
    times.sort();
    times
}

/// This process's peak resident set (VmHWM), in MB.
fn peak_rss_mb() -> f64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            let line = s.lines().find(|l| l.starts_with("VmHWM:"))?;
            line.split_whitespace().nth(1)?.parse::<f64>().ok()
        })
        .map_or(0.0, |kb| kb / 1024.0)
}

fn cpu_ticks(pid: &str) -> Option<u64> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    let rest = &stat[stat.rfind(')')? + 2..];
    let f: Vec<&str> = rest.split_whitespace().collect();
    Some(f.get(11)?.parse::<u64>().ok()? + f.get(12)?.parse::<u64>().ok()?)
}

/// The real console (200×60 in tmux) on the scale lab: its CPU over `IDLE` once loaded, as a
/// percentage of one core.
fn idle_cpu(lab: &LabProcess, dir: &Path) -> Result<f64, String> {
    let bin = env!("CARGO_BIN_EXE_drconsole");
    let sock = format!("drconsole-scale-bench-{}", std::process::id());
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
        dir.join("console-data").display(),
        lab.config.display()
    );
    tmux(&[
        "-f",
        "/dev/null",
        "new-session",
        "-d",
        "-x",
        "200",
        "-y",
        "60",
        "-s",
        "b",
        &cmd,
    ])?;
    // Loaded when the largest group's name is on the screen.
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let shown = tmux(&["capture-pane", "-p", "-t", "b"])?;
        if String::from_utf8_lossy(&shown.stdout).contains("erp") {
            break;
        }
        if Instant::now() > deadline {
            let _ = tmux(&["kill-server"]);
            return Err("the console did not show the estate in 60 s".into());
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    std::thread::sleep(Duration::from_secs(2));
    let out = tmux(&["display-message", "-p", "-t", "b", "#{pane_pid}"])?;
    let pid = String::from_utf8_lossy(&out.stdout).trim().to_string();
    let before = cpu_ticks(&pid).ok_or("no console process")?;
    std::thread::sleep(IDLE);
    let after = cpu_ticks(&pid).ok_or("the console exited")?;
    let _ = tmux(&["kill-server"]);
    Ok((after - before) as f64 / IDLE.as_secs_f64())
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

fn main() {
    let rt = match tokio::runtime::Runtime::new() {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("cannot start a runtime: {e}");
            std::process::exit(1);
        }
    };
    let run = || -> Result<(), String> {
        let dir = tempfile::tempdir().map_err(|e| e.to_string())?;
        let lab = LabProcess::start(dir.path(), &scale_topology(), 20)?;
        let mut terminal =
            Terminal::new(TestBackend::new(200, 60)).map_err(|e| format!("test backend: {e}"))?;
        let (mut app, first) = rt.block_on(loaded_app(&lab, dir.path(), &mut terminal))?;
        let times = frame_times(&mut app, &mut terminal);
        println!(
            "console on assets/lab/scale.toml ({} groups, {} instances of the selected group), \
             lab at 20 ms a call in its own process",
            app.groups().len(),
            app.instances.len()
        );
        println!(
            "first frame with the estate: {:.0} ms after the start",
            ms(first)
        );
        println!(
            "frame 200×60: median {:.3} ms, p99 {:.3} ms (goal p99 < 2 ms)",
            ms(times[times.len() / 2]),
            ms(times[times.len() * 99 / 100])
        );
        println!(
            "peak RSS of engine + journal + console: {:.1} MB (goal < 100 MB)",
            peak_rss_mb()
        );
        match idle_cpu(&lab, dir.path()) {
            Ok(pct) => println!(
                "real console idle over {} s: {pct:.2}% of one core",
                IDLE.as_secs()
            ),
            Err(e) => println!("idle CPU not measured: {e}"),
        }
        Ok(())
    };
    if let Err(e) = run() {
        println!("console_scale failed: {e}");
    }
}
