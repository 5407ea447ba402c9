//! Console benchmark (run with `cargo bench --bench console`):
//! 1. the median and 99th-percentile time to draw one 200×60 frame of what the real engine
//!    answers over an in-process lab (real HTTP): the estate, the operations and a group of
//!    `BENCH_INSTANCES` (default 10,000) instances, fed through the console's own runtime and
//!    `update` (goal: median < 2 ms in release);
//! 2. the CPU the real console uses over 10 s of idling, measured from /proc on the binary
//!    running in tmux against a lab served by another process (goal ≈ 0). Needs tmux.

#[path = "support/console_feed.rs"]
mod console_feed;
#[path = "support/lab_process.rs"]
mod lab_process;

use console_feed::{console_on, idle_cpu};
use drconsole::lab::{LabHandle, LabOptions};
use drconsole::tui::app::{App, Pane};
use drconsole::tui::msg::Msg;
use drconsole::tui::update::update;
use drconsole::tui::view;
use lab_process::LabProcess;
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use std::fmt::Write as _;
use std::path::Path;
use std::time::{Duration, Instant};

/// How long the lab may take to answer the console's first questions.
const LOAD_TIMEOUT: Duration = Duration::from_secs(900);
/// How long the real console idles while its CPU is read.
const IDLE: Duration = Duration::from_secs(10);

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
async fn loaded_app(dir: &Path, n: usize) -> Result<(App, LabHandle), String> {
    let topo = dir.join("topology.toml");
    std::fs::write(&topo, topology(n)).map_err(|e| e.to_string())?;
    let mut opts = LabOptions::for_tests(dir.join("lab"));
    opts.topology = Some(topo);
    let lab = LabHandle::start(opts).await.map_err(|e| e.to_string())?;
    let files = lab.write_client_files().map_err(|e| e.to_string())?;
    let mut fed = console_on(&files.config, &dir.join("journal.sqlite"))?;
    let all = |app: &App| app.estate.is_some() && app.instances.len() >= n;
    fed.until(LOAD_TIMEOUT, all, |_| {}).await?;
    Ok((fed.app, lab))
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

/// The real console idling in tmux against the demo lab served by another process.
fn demo_idle_cpu() -> Result<f64, String> {
    let dir = tempfile::tempdir().map_err(|e| e.to_string())?;
    let demo = Path::new(env!("CARGO_MANIFEST_DIR")).join("assets/lab/demo.toml");
    let lab = LabProcess::start(dir.path(), &demo, 20)?;
    idle_cpu(&lab.config, dir.path(), (120, 40), "web-app", IDLE)
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
    match demo_idle_cpu() {
        Ok(pct) => {
            println!("console idle over 10 s (background refresh every 5 s): {pct:.2}% of one core")
        }
        Err(e) => println!("idle CPU not measured: {e}"),
    }
}
