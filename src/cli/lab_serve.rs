//! `drconsole lab serve --dir DIR`: run the two lab sites until SIGINT or SIGTERM.

use super::CliError;
use super::args::LabServeArgs;
use crate::lab::{LabOptions, serve};
use std::time::Duration;

pub async fn run(args: &LabServeArgs) -> Result<(), CliError> {
    let mut opts = LabOptions::new(&args.dir);
    if let Some(speed) = args.time_speed {
        if !(speed.is_finite() && speed > 0.0) {
            return Err(CliError::rejected(format!(
                "--time-speed {speed} must be a positive number, e.g. 10"
            )));
        }
        opts.time_speed = speed;
    }
    if let Some(ms) = args.latency_ms {
        opts.call_latency = Duration::from_millis(ms);
    }
    if let Some(s) = args.snapshot_interval {
        if s == 0 {
            return Err(CliError::rejected(
                "--snapshot-interval must be at least 1 second",
            ));
        }
        opts.snapshot_interval = Duration::from_secs(s);
    }
    opts.plain_http = args.plain_http;
    if let Some(path) = &args.topology {
        opts.topology = Some(path.clone());
        let topology = opts
            .topology()
            .map_err(|e| CliError::rejected(crate::sanitize::clean(&e.to_string())))?;
        if args.snapshot_interval.is_none() {
            opts.snapshot_interval = topology.snapshot_interval();
        }
        if args.dir.join("world.json").exists() {
            eprintln!(
                "note: {} already holds a lab world, which is reloaded as it is: --topology \
                 builds the world of a new --dir only",
                crate::sanitize::clean(&args.dir.display().to_string())
            );
        }
    }
    serve(opts)
        .await
        .map_err(|e| CliError::failed(e.to_string()))
}
