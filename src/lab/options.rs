//! How a lab runs: where its world lives, how fast its clock goes, how slow its calls are.

use super::topology::Topology;
use std::path::PathBuf;
use std::time::Duration;

#[derive(Debug, Clone)]
pub struct LabOptions {
    /// world.json, the client files and the array token files live here.
    pub dir: PathBuf,
    /// Lab seconds per real second: lab durations are divided by it.
    pub time_speed: f64,
    /// Added to every service call (real time), as a network and API would.
    pub call_latency: Duration,
    /// Replication schedule of every protection group (lab time).
    pub snapshot_interval: Duration,
    /// How long an identity token or an array session lives (real time).
    pub token_ttl: Duration,
    /// How long a server takes from BUILD to ACTIVE (lab time).
    pub boot_time: Duration,
    /// A topology file; None = the embedded demo (assets/lab/demo.toml).
    pub topology: Option<PathBuf>,
    /// Serve plain HTTP instead of HTTPS from the lab's CA (`--plain-http`, for debugging).
    pub plain_http: bool,
}

impl LabOptions {
    pub fn new(dir: impl Into<PathBuf>) -> Self {
        let interval = Topology::demo()
            .map(|t| t.snapshot_interval())
            .unwrap_or(Duration::from_secs(60));
        Self {
            dir: dir.into(),
            time_speed: 10.0,
            call_latency: Duration::from_millis(20),
            snapshot_interval: interval,
            token_ttl: Duration::from_secs(3600),
            boot_time: Duration::from_secs(30),
            topology: None,
            plain_http: false,
        }
    }

    /// Fast and deterministic enough for tests: 100× time, no call latency.
    pub fn for_tests(dir: impl Into<PathBuf>) -> Self {
        Self {
            time_speed: 100.0,
            call_latency: Duration::ZERO,
            ..Self::new(dir)
        }
    }

    /// `https` (the default) or `http`.
    pub fn scheme(&self) -> &'static str {
        if self.plain_http { "http" } else { "https" }
    }

    pub fn topology(&self) -> std::io::Result<Topology> {
        match &self.topology {
            None => Topology::demo(),
            Some(p) => Topology::load(p),
        }
    }
}
