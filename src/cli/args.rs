//! The command line: global flags and subcommands (clap derive). Parsing only; `cli::run` acts.

use clap::{Args, Parser, Subcommand};
use std::path::PathBuf;

#[derive(Debug, Parser)]
#[command(
    name = "drconsole",
    version,
    about = "Disaster recovery console for two OpenStack sites"
)]
pub struct Cli {
    /// drconsole.toml to use (default: $DRCONSOLE_CONFIG, then the user config dir).
    #[arg(long, global = true, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Start the built-in two-site lab inside this process and use it.
    #[arg(long, global = true)]
    pub lab: bool,
    /// Colour theme (default, light, high-contrast, monochrome, or a user theme).
    #[arg(long, global = true, value_name = "NAME")]
    pub theme: Option<String>,
    /// Journal location, overriding the config: a SQLite file path, sqlite://PATH or postgres://….
    #[arg(long, global = true, value_name = "URL")]
    pub store: Option<String>,
    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Sites' reachability and latency, and each protection group's status and RPO.
    Status(JsonFlag),
    /// The protected instances of a group: servers at both sites, volumes, replication pairs.
    Instances {
        /// The protection group's name.
        group: String,
        #[command(flatten)]
        json: JsonFlag,
    },
    /// The built-in two-site lab.
    #[command(subcommand)]
    Lab(LabCommand),
}

#[derive(Debug, Args, Clone, Copy)]
pub struct JsonFlag {
    /// Print a stable JSON document instead of a table.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Subcommand)]
pub enum LabCommand {
    /// Serve the two lab sites on 127.0.0.1 until SIGINT or SIGTERM.
    Serve(LabServeArgs),
}

#[derive(Debug, Args)]
pub struct LabServeArgs {
    /// Directory for the lab's world and the client files (clouds.yaml, drconsole.toml).
    #[arg(long, value_name = "DIR")]
    pub dir: PathBuf,
    /// How much faster than real time the lab's clock runs.
    #[arg(long, value_name = "FACTOR")]
    pub time_speed: Option<f64>,
    /// Added latency of every service call, in milliseconds.
    #[arg(long, value_name = "MS")]
    pub latency_ms: Option<u64>,
    /// Seconds (lab time) between scheduled replication snapshots.
    #[arg(long, value_name = "SECONDS")]
    pub snapshot_interval: Option<u64>,
}
