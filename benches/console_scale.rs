//! The console on the scale topology (run with `cargo bench --bench console_scale`): the lab
//! serves assets/lab/scale.toml (20 groups, 1,000 instances) in its own process; the real engine
//! answers the console's own runtime, whose messages `update` takes, and the real `App` is drawn
//! with ratatui's TestBackend at 200×60. Prints the time to the first frame with the estate
//! loaded, the median and 99th-percentile frame time while scrolling the groups and the largest
//! group's 500 instances (goal p99 < 2 ms), this process's peak RSS (engine, journal, console;
//! goal < 100 MB), and the real console binary's CPU over 30 s of idling in tmux against the
//! same lab (the render loop must not spin).

#[path = "support/console_feed.rs"]
mod console_feed;
#[path = "support/lab_process.rs"]
mod lab_process;

use console_feed::{console_on, idle_cpu};
use drconsole::tui::app::{App, Pane};
use drconsole::tui::view;
use lab_process::LabProcess;
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use std::path::Path;
use std::time::{Duration, Instant};

const LOAD_TIMEOUT: Duration = Duration::from_secs(300);
const IDLE: Duration = Duration::from_secs(30);

fn scale_topology() -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("assets/lab/scale.toml")
}

/// The console's state once its runtime has the estate and the instances of the selected
/// group (the first, `erp`: 500 instances), and the time from the start to the first frame drawn
/// with the estate.
async fn loaded_app(
    lab: &LabProcess,
    dir: &Path,
    terminal: &mut Terminal<TestBackend>,
) -> Result<(App, Duration), String> {
    let started = Instant::now();
    let mut fed = console_on(&lab.config, &dir.join("journal.sqlite"))?;
    let mut first_frame = None;
    let loaded = |app: &App| app.estate.is_some() && !app.instances.is_empty();
    fed.until(LOAD_TIMEOUT, loaded, |app| {
        if first_frame.is_none() && app.estate.is_some() {
            let _ = terminal.draw(|f| view::draw(f, app));
            first_frame = Some(started.elapsed());
        }
    })
    .await?;
    Ok((fed.app, first_frame.unwrap_or_default()))
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
        let data = dir.path().join("console-data");
        match idle_cpu(&lab.config, &data, (200, 60), "erp", IDLE) {
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
