//! The built-in two-site lab: a simulator that serves API.md on loopback.
//! (Placeholder until the lab branch lands.)

use std::path::PathBuf;
use std::time::Duration;

pub struct LabOptions {
    pub dir: PathBuf,
    pub time_speed: f64,
    pub call_latency: Duration,
    pub snapshot_interval: Duration,
}

impl LabOptions {
    pub fn new(dir: impl Into<PathBuf>) -> Self {
        Self {
            dir: dir.into(),
            time_speed: 10.0,
            call_latency: Duration::ZERO,
            snapshot_interval: Duration::from_secs(60),
        }
    }
}

pub async fn serve(_opts: LabOptions) -> Result<(), std::io::Error> {
    Err(std::io::Error::other("the lab is not built yet"))
}
