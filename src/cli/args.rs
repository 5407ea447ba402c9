//! The command line: global flags and subcommands (clap derive). Parsing only; `cli::run` acts.

pub use super::op_args::{
    CheckArgs, FailbackArgs, FailoverArgs, JsonFlag, MappingError, MappingFlags, OpArgs,
    SiteFailoverArgs, TestFailoverArgs, parse_mapping,
};
pub use super::report::ReportArgs;
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
    /// Fail a group over to its DR site (planned by default: no data lost).
    Failover(FailoverArgs),
    /// Fail over every group that runs at a site to the other site as one operation: the
    /// groups in their priority order (`priority` in drconsole.toml, lower first; one priority
    /// together), every group's lock taken first, one report with a row per group.
    SiteFailover(SiteFailoverArgs),
    /// Bring a failed-over group back to its original primary site.
    Failback(FailbackArgs),
    /// Protect a failed-over group again: replicate from the running side to the other.
    Reprotect(OpArgs),
    /// A drill: recover the newest replica into the DR site's test networks, production untouched.
    TestFailover(TestFailoverArgs),
    /// Remove exactly what the group's drill created.
    TestCleanup(OpArgs),
    /// Replicate the group now and wait until the snapshot has arrived.
    Sync(OpArgs),
    /// Stop the group's copies at the site that is not its primary, verify them stopped, and
    /// stop that site's replication toward the primary: a forced failover's pending fence, or
    /// the way out of a split-brain.
    Fence(OpArgs),
    /// The precondition checklist of an operation with the options it would run with, changing
    /// nothing.
    Check(CheckArgs),
    /// The recovery points of a group: every replicated snapshot that has fully arrived at the
    /// side it would recover at, newest first, with the data recovering from it loses.
    Points {
        group: String,
        #[command(flatten)]
        json: JsonFlag,
    },
    /// Operations in the journal.
    #[command(subcommand)]
    Ops(OpsCommand),
    /// The report of an operation (what ran, recovery point, data loss, RTO, timeline,
    /// resources, verdict), or with --drills a summary of every drill since a date.
    Report(ReportArgs),
    /// The built-in two-site lab.
    #[command(subcommand)]
    Lab(LabCommand),
    /// The journal itself: check it, or move it to another engine.
    #[command(subcommand)]
    Journal(JournalCommand),
}

#[derive(Debug, Subcommand)]
pub enum JournalCommand {
    /// Schema version, pending migrations, rows and locks (and who holds them) of the journal
    /// `--store` or the configuration names; exit 2 when it cannot be used.
    Check {
        #[command(flatten)]
        json: JsonFlag,
    },
    /// Copy every row of one journal into another (SQLite to PostgreSQL and back), then compare
    /// the row counts of both.
    Copy {
        /// The journal to read: sqlite://PATH, a file path, or postgres://…
        #[arg(long, value_name = "URL")]
        from: String,
        /// The journal to write (created if needed; it must be empty unless --replace).
        #[arg(long, value_name = "URL")]
        to: String,
        /// Replace what the target journal holds.
        #[arg(long)]
        replace: bool,
    },
}

#[derive(Debug, Subcommand)]
pub enum OpsCommand {
    /// Recent operations, newest first, narrowed by each filter given.
    List(ListArgs),
    /// One operation with its steps.
    Show {
        id: String,
        #[command(flatten)]
        json: JsonFlag,
    },
    /// Follow an operation (started here or elsewhere) until it ends, live from the journal.
    Watch {
        id: String,
        /// If the console running it stops (its lease expires, or it died on this host), take
        /// the operation over and run it to its end here.
        #[arg(long)]
        take_over: bool,
    },
    /// Resume operations left running by a crash or a dropped session (all, or the one given).
    Resume {
        id: Option<String>,
        #[command(flatten)]
        json: JsonFlag,
    },
    /// Cancel a running operation; it rolls back.
    Cancel { id: String },
    /// Continue a failed or cancelled operation from where it stopped, in its original direction
    /// (same id; finished steps are verified, not repeated).
    Retry {
        id: String,
        #[command(flatten)]
        flags: RecoverFlags,
    },
    /// Undo what stands of a failed or cancelled operation (refused past its point of no return).
    Rollback {
        id: String,
        #[command(flatten)]
        flags: RecoverFlags,
    },
    /// Remove exactly what a failed rollback left behind (idempotent), and list what remains.
    Cleanup {
        id: String,
        /// Do not ask for confirmation (scripts).
        #[arg(long)]
        yes: bool,
        #[command(flatten)]
        json: JsonFlag,
    },
}

/// The flags of `ops retry` and `ops rollback`.
#[derive(Debug, Args, Clone, Copy)]
pub struct RecoverFlags {
    /// Do not ask for confirmation (scripts).
    #[arg(long)]
    pub yes: bool,
    /// Follow it until it ends; exit 0 when it completed, 1 when it did not.
    #[arg(long)]
    pub wait: bool,
    #[command(flatten)]
    pub json: JsonFlag,
}

/// `ops list`'s filters, as the seed's operation listing takes them.
#[derive(Debug, Args, Clone)]
pub struct ListArgs {
    /// Only this protection group's operations.
    #[arg(long, value_name = "GROUP")]
    pub group: Option<String>,
    /// Only operations of this type (repeatable): failover (planned or not), planned_failover,
    /// unplanned_failover, failback, test_failover, test_cleanup, sync_volumes, reprotect, fence.
    #[arg(long = "type", value_name = "TYPE")]
    pub types: Vec<String>,
    /// Only operations in this status (repeatable): pending, running, rolling_back, completed,
    /// failed, cancelled, rollback_failed.
    #[arg(long = "status", value_name = "STATUS")]
    pub statuses: Vec<String>,
    /// Only operations started since: a UTC time (2026-11-25, 2026-11-25 13:00, RFC 3339) or an
    /// age (90s, 30m, 2h, 7d).
    #[arg(long, value_name = "WHEN")]
    pub since: Option<String>,
    /// At most this many, newest first.
    #[arg(long, default_value_t = 50)]
    pub limit: usize,
    #[command(flatten)]
    pub json: JsonFlag,
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
    /// Build a new lab's world from this topology instead of the demo (assets/lab/demo.toml
    /// shows the format; assets/lab/scale.toml has 20 groups and 1,000 servers).
    #[arg(long, value_name = "FILE")]
    pub topology: Option<PathBuf>,
    /// Serve plain HTTP instead of HTTPS from the lab's own CA (for debugging with curl or a
    /// packet capture).
    #[arg(long)]
    pub plain_http: bool,
}

#[cfg(test)]
#[path = "args_tests.rs"]
mod tests;
