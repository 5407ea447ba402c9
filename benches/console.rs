//! Console benchmark (run with `cargo bench --bench console`):
//! 1. the median and 99th-percentile time to draw one 200×60 frame of what the real engine
//!    answers over an in-process lab (real HTTP): the estate, the operations and a group of
//!    `BENCH_INSTANCES` (default 10,000) instances, fed through the console's own runtime and
//!    `update` (goal: median < 2 ms in release);
//! 2. the CPU the real console uses over 10 s of idling, measured from /proc on the binary
//!    running in tmux against a lab served by another process (goal ≈ 0). Needs tmux.

use drconsole::config;
use drconsole::lab::{LabHandle, LabOptions};
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
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use std::fmt::Write as _;
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::sync::mpsc;

/// How long the lab may take to answer the console's first questions.
const LOAD_TIMEOUT: Duration = Duration::from_secs(900);

fn instances() -> usize {
    std::env::var("BENCH_INSTANCES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(10_000)
}

/// One group `app` of `n` servers on the lab's two sites.
fn topology(n: usize) -> String {
    let mut t = String::from(
        "snapshot_interval_seconds = 60\nkeep_snapshots = 4\n\n\
         [[sites]]\nname = \"site-a\"\nrole = \"production\"\narray = \"array-a\"\n\n\
         [[sites]]\nname = \"site-b\"\nrole = \"dr\"\narray = \"array-b\"\n\n\
         [[networks]]\nname = \"net-app\"\ncidr = \"10.0.0.0/16\"\ntest_cidr = \"10.100.0.0/16\"\n\n\
         [[groups]]\nname = \"app\"\nnetwork = \"net-app\"\nflavor = \"m1.small\"\n",
    );
    let names: Vec<String> = (1..=n).map(|i| format!("\"app-{i}\"")).collect();
    let _ = writeln!(t, "servers = [{}]", names.join(", "));
    let _ = writeln!(t, "boot_volume_gb = 20\nrpo_target_seconds = 300");
    t
}

/// The console's state after its runtime asked the real engine for everything on the main
/// screen and `update` took the answers, as at the console's start.
async fn loaded_app(dir: &std::path::Path, n: usize) -> Result<(App, LabHandle), String> {
    let topo = dir.join("topology.toml");
    std::fs::write(&topo, topology(n)).map_err(|e| e.to_string())?;
    let mut opts = LabOptions::for_tests(dir.join("lab"));
    opts.topology = Some(topo);
    let lab = LabHandle::start(opts).await.map_err(|e| e.to_string())?;
    let files = lab.write_client_files().map_err(|e| e.to_string())?;
    let cfg = config::load(&files.config)
        .map_err(|e| e.to_string())?
        .config;
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
    for a in start(&mut app) {
        rt.dispatch(a);
    }
    let deadline = tokio::time::Instant::now() + LOAD_TIMEOUT;
    while app.estate.is_none() || app.instances.len() < n {
        let msg = tokio::time::timeout_at(deadline, rx.recv())
            .await
            .map_err(|_| format!("the engine did not list {n} instances in time"))?
            .ok_or("the runtime stopped")?;
        if let Msg::Instances { result: Err(e), .. } = &msg {
            return Err(format!("instances: {e}"));
        }
        for a in update(&mut app, msg).actions {
            rt.dispatch(a);
        }
    }
    Ok((app, lab))
}

fn frame_times(app: &mut App, n: usize) -> (Duration, Duration) {
    app.focus = Pane::Instances;
    let _ = update(app, Msg::Resize(200, 60));
    let mut terminal = match Terminal::new(TestBackend::new(200, 60)) {
        Ok(t) => t,
        Err(e) => panic!("test backend: {e}"),
    };
    let mut times = Vec::with_capacity(2000);
    for i in 0..2000 {
        // Move the selection so each frame differs, as while scrolling.
        app.cursor_mut(Pane::Instances).selected = (i * 7) % n;
        let t = Instant::now();
        let _ = terminal.draw(|f| view::draw(f, app));
        times.push(t.elapsed());
    }
    times.sort();
    (times[times.len() / 2], times[times.len() * 99 / 100])
}

fn cpu_ticks(pid: &str) -> Option<u64> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // Fields after the command name (which may hold spaces) start after the last ')'.
    let rest = &stat[stat.rfind(')')? + 2..];
    let f: Vec<&str> = rest.split_whitespace().collect();
    Some(f.get(11)?.parse::<u64>().ok()? + f.get(12)?.parse::<u64>().ok()?)
}

fn idle_cpu() -> Result<f64, String> {
    let bin = env!("CARGO_BIN_EXE_drconsole");
    let dir = tempfile::tempdir().map_err(|e| e.to_string())?;
    let lab_dir = dir.path().join("lab");
    let mut lab = Command::new(bin)
        .args(["lab", "serve", "--dir", lab_dir.to_str().ok_or("utf8")?])
        .env("DRCONSOLE_DATA_DIR", dir.path())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .map_err(|e| format!("lab: {e}"))?;
    let config = lab_dir.join("drconsole.toml");
    let deadline = Instant::now() + Duration::from_secs(20);
    while !config.exists() && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(50));
    }
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
        dir.path().display(),
        config.display()
    );
    tmux(&[
        "-f",
        "/dev/null",
        "new-session",
        "-d",
        "-x",
        "120",
        "-y",
        "40",
        "-s",
        "b",
        &cmd,
    ])?;
    std::thread::sleep(Duration::from_secs(5));
    let out = tmux(&["display-message", "-p", "-t", "b", "#{pane_pid}"])?;
    let pid = String::from_utf8_lossy(&out.stdout).trim().to_string();
    let before = cpu_ticks(&pid).ok_or("no console process")?;
    std::thread::sleep(Duration::from_secs(10));
    let after = cpu_ticks(&pid).ok_or("console exited")?;
    let _ = tmux(&["kill-server"]);
    let _ = lab.kill();
    let _ = lab.wait();
    // Ticks are 1/100 s on Linux: percent of one core over 10 s.
    Ok((after - before) as f64 / 10.0)
}

fn main() {
    let rt = match tokio::runtime::Runtime::new() {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("cannot start a runtime: {e}");
            std::process::exit(1);
        }
    };
    let n = instances();
    let frames = tempfile::tempdir()
        .map_err(|e| e.to_string())
        .and_then(|dir| {
            let started = Instant::now();
            let (mut app, lab) = rt.block_on(loaded_app(dir.path(), n))?;
            let loaded = started.elapsed();
            let times = frame_times(&mut app, n);
            let _ = rt.block_on(lab.shutdown());
            Ok((loaded, times))
        });
    match frames {
        Ok((loaded, (median, p99))) => {
            println!(
                "engine over the lab: estate, operations and {n} instances loaded in {:.2} s",
                loaded.as_secs_f64()
            );
            println!(
                "frame 200×60 with {n} instances: median {:.3} ms, p99 {:.3} ms (goal: median < 2 ms)",
                median.as_secs_f64() * 1e3,
                p99.as_secs_f64() * 1e3
            );
        }
        Err(e) => println!("frame times not measured: {e}"),
    }
    match idle_cpu() {
        Ok(pct) => {
            println!("console idle over 10 s (background refresh every 5 s): {pct:.2}% of one core")
        }
        Err(e) => println!("idle CPU not measured: {e}"),
    }
}
