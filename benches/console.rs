//! Console benchmark (run with `cargo bench --bench console`):
//! 1. the median and 99th-percentile time to draw one 200×60 frame with 10,000 instances listed
//!    (goal: median < 2 ms in release);
//! 2. the CPU the real console uses over 10 s of idling, measured from /proc on the binary
//!    running in tmux against a lab served by another process (goal ≈ 0). Needs tmux.

use drconsole::tui::app::{App, Pane};
use drconsole::tui::fake;
use drconsole::tui::keymap::Keymap;
use drconsole::tui::msg::Msg;
use drconsole::tui::theme::Theme;
use drconsole::tui::update::update;
use drconsole::tui::view;
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

fn frame_times() -> (Duration, Duration) {
    let mut app = App::new(
        fake::now(),
        "bench@host",
        false,
        Theme::default(),
        Keymap::default(),
    );
    update(&mut app, Msg::Estate(Ok(fake::estate())));
    update(&mut app, Msg::Operations(Ok(fake::operations())));
    update(
        &mut app,
        Msg::Instances {
            group: "web-app".into(),
            result: Ok(fake::instances("web-app", 10_000)),
        },
    );
    app.focus = Pane::Instances;
    update(&mut app, Msg::Resize(200, 60));
    let mut terminal = match Terminal::new(TestBackend::new(200, 60)) {
        Ok(t) => t,
        Err(e) => panic!("test backend: {e}"),
    };
    let mut times = Vec::with_capacity(2000);
    for i in 0..2000 {
        // Move the selection so each frame differs, as while scrolling.
        app.cursor_mut(Pane::Instances).selected = (i * 7) % 10_000;
        let t = Instant::now();
        let _ = terminal.draw(|f| view::draw(f, &app));
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
    let (median, p99) = frame_times();
    println!(
        "frame 200×60 with 10,000 instances: median {:.3} ms, p99 {:.3} ms (goal: median < 2 ms)",
        median.as_secs_f64() * 1e3,
        p99.as_secs_f64() * 1e3
    );
    match idle_cpu() {
        Ok(pct) => {
            println!("console idle over 10 s (background refresh every 5 s): {pct:.2}% of one core")
        }
        Err(e) => println!("idle CPU not measured: {e}"),
    }
}
