//! The lab in its own process (`drconsole lab serve`), so that a benchmark's own CPU time is the
//! orchestrator's alone (engine, journal, HTTP clients) and the lab's is read apart, from /proc.
#![allow(dead_code)] // each benchmark uses a part of it

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

pub struct LabProcess {
    child: Child,
    /// The drconsole.toml the lab wrote for its clients.
    pub config: PathBuf,
}

impl LabProcess {
    /// Serve `topology` from a new world in `dir` at `latency_ms` a call; ready once the lab
    /// has printed where its client files are.
    pub fn start(dir: &Path, topology: &Path, latency_ms: u64) -> Result<Self, String> {
        let log_path = dir.join("lab.log");
        let log = std::fs::File::create(&log_path).map_err(|e| e.to_string())?;
        let err = log.try_clone().map_err(|e| e.to_string())?;
        let lab_dir = dir.join("lab");
        let child = Command::new(env!("CARGO_BIN_EXE_drconsole"))
            .arg("lab")
            .arg("serve")
            .arg("--dir")
            .arg(&lab_dir)
            .arg("--topology")
            .arg(topology)
            .arg("--latency-ms")
            .arg(latency_ms.to_string())
            .stdin(Stdio::null())
            .stdout(log)
            .stderr(err)
            .spawn()
            .map_err(|e| format!("cannot start the lab: {e}"))?;
        let mut lab = LabProcess {
            child,
            config: lab_dir.join("drconsole.toml"),
        };
        let deadline = Instant::now() + Duration::from_secs(120);
        loop {
            let text = std::fs::read_to_string(&log_path).unwrap_or_default();
            if text.contains("drconsole.toml:") {
                return Ok(lab);
            }
            if let Ok(Some(status)) = lab.child.try_wait() {
                return Err(format!("the lab exited ({status}): {text}"));
            }
            if Instant::now() > deadline {
                return Err(format!("the lab did not start in 120 s: {text}"));
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// The lab process's CPU time so far.
    pub fn cpu(&self) -> Duration {
        cpu_of(&format!("/proc/{}/stat", self.child.id()))
    }
}

impl Drop for LabProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// This process's CPU time so far.
pub fn own_cpu() -> Duration {
    cpu_of("/proc/self/stat")
}

/// User + system CPU time from a /proc stat file (in clock ticks of 10 ms).
pub fn cpu_of(path: &str) -> Duration {
    let ticks = std::fs::read_to_string(path)
        .ok()
        .and_then(|stat| {
            let rest = stat[stat.rfind(')')? + 2..].to_string();
            let f: Vec<&str> = rest.split_whitespace().collect();
            Some(f.get(11)?.parse::<u64>().ok()? + f.get(12)?.parse::<u64>().ok()?)
        })
        .unwrap_or(0);
    Duration::from_millis(ticks * 10)
}
