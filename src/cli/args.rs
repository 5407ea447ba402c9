//! The command line: global flags and subcommands (clap derive). Parsing only; `cli::run` acts.

pub use super::report::ReportArgs;
use crate::domain::PointChoice;
use clap::{ArgAction, Args, Parser, Subcommand};
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

/// The mappings an operation that recreates instances takes, each key and value a name or an id.
#[derive(Debug, Args, Clone, Default)]
pub struct MappingFlags {
    /// Map a source network to a target network, by name or id (repeatable); the source must
    /// be one the group's servers use.
    #[arg(long = "network-mapping", value_name = "SRC=DST", value_parser = parse_mapping)]
    pub network_mapping: Vec<(String, String)>,
    /// Map a source flavor to a target flavor, by name or id (repeatable); the source must be
    /// one the group's servers use.
    #[arg(long = "flavor-mapping", value_name = "SRC=DST", value_parser = parse_mapping)]
    pub flavor_mapping: Vec<(String, String)>,
    /// A floating IP the target's external network cannot hold: give it this address there, or
    /// `auto` for any free one (repeatable; moves only, never a drill).
    #[arg(long = "floating-ip-mapping", value_name = "ADDR=NEW|auto", value_parser = parse_mapping)]
    pub floating_ip_mapping: Vec<(String, String)>,
}

/// `check`: the operation, its group, and every option an operation takes (the engine refuses
/// one that does not apply to the operation, as it would at the start).
#[derive(Debug, Args, Clone)]
pub struct CheckArgs {
    /// planned-failover, failover, failback, reprotect, test-failover, test-cleanup, sync-now,
    /// fence.
    pub operation: String,
    pub group: String,
    /// Unplanned failover: proceed although the production site is unreachable.
    #[arg(long)]
    pub force: bool,
    /// Planned failover: require the production servers already stopped.
    #[arg(long)]
    pub no_stop_servers: bool,
    #[command(flatten)]
    pub mappings: MappingFlags,
    /// The site the group must move to.
    #[arg(long, value_name = "SITE")]
    pub to: Option<String>,
    /// The recovery point an unplanned failover or a drill would use (see `points`).
    #[arg(long, value_name = "NAME|latest|TIME")]
    pub recovery_point: Option<PointChoice>,
    /// Test failover: keep production running (true, the default) or quiesce it (false).
    #[arg(long, value_name = "BOOL", num_args = 0..=1, require_equals = true,
          default_value_t = true, default_missing_value = "true", action = ArgAction::Set)]
    pub retain_primary: bool,
    /// Failback: replicate from the original primary again afterwards (true, the default).
    #[arg(long, value_name = "BOOL", num_args = 0..=1, require_equals = true,
          default_value_t = true, default_missing_value = "true", action = ArgAction::Set)]
    pub reverse_replication: bool,
    /// Test failover: let the drill land on a production network.
    #[arg(long)]
    pub allow_production_network: bool,
    #[command(flatten)]
    pub json: JsonFlag,
}

/// Flags every operation command shares.
#[derive(Debug, Args, Clone)]
pub struct OpArgs {
    /// The protection group.
    pub group: String,
    /// Do not ask for confirmation (scripts).
    #[arg(long)]
    pub yes: bool,
    /// Follow the operation until it ends; exit 0 when it completed, 1 when it failed.
    #[arg(long)]
    pub wait: bool,
    #[command(flatten)]
    pub json: JsonFlag,
}

#[derive(Debug, Args, Clone)]
pub struct FailoverArgs {
    #[command(flatten)]
    pub common: OpArgs,
    /// Unplanned: recover from the newest snapshot that has fully arrived (data after it is lost).
    #[arg(long)]
    pub unplanned: bool,
    /// With --unplanned: proceed although the production site is unreachable.
    #[arg(long, requires = "unplanned")]
    pub force: bool,
    /// Planned: require the production servers already stopped instead of stopping them.
    #[arg(long, conflicts_with = "unplanned")]
    pub no_stop_servers: bool,
    #[command(flatten)]
    pub mappings: MappingFlags,
    /// The site the group must move to; refused unless it is the other side of the current
    /// primary (the failover never runs the other way).
    #[arg(long, value_name = "SITE")]
    pub to: Option<String>,
    /// With --unplanned: the arrived snapshot to recover from: its name (or suffix), `latest`
    /// (the default), or a UTC time (the newest at or before it). `drconsole points GROUP`
    /// lists them.
    #[arg(long, value_name = "NAME|latest|TIME", requires = "unplanned")]
    pub recovery_point: Option<PointChoice>,
}

#[derive(Debug, Args, Clone)]
pub struct SiteFailoverArgs {
    /// The site every group leaves: the groups whose workloads run there now move.
    #[arg(long, value_name = "SITE")]
    pub from: String,
    /// Unplanned: each group recovers from its newest snapshot that has fully arrived.
    #[arg(long)]
    pub unplanned: bool,
    /// With --unplanned: proceed although the site left is unreachable.
    #[arg(long, requires = "unplanned")]
    pub force: bool,
    /// Do not ask for confirmation (scripts).
    #[arg(long)]
    pub yes: bool,
    #[command(flatten)]
    pub json: JsonFlag,
}

#[derive(Debug, Args, Clone)]
pub struct FailbackArgs {
    #[command(flatten)]
    pub common: OpArgs,
    /// The site the group must come back to (its original primary); any other is refused.
    #[arg(long, value_name = "SITE")]
    pub to: Option<String>,
    #[command(flatten)]
    pub mappings: MappingFlags,
    /// Make the original primary replicate to the other side again afterwards (true, the
    /// default); `--reverse-replication=false` leaves replication stopped until `sync`.
    #[arg(long, value_name = "BOOL", num_args = 0..=1, require_equals = true,
          default_value_t = true, default_missing_value = "true", action = ArgAction::Set)]
    pub reverse_replication: bool,
}

#[derive(Debug, Args, Clone)]
pub struct TestFailoverArgs {
    #[command(flatten)]
    pub common: OpArgs,
    /// Keep production running during the drill (true, the default);
    /// `--retain-primary=false` quiesces it (stops it) until `test-cleanup` starts it again.
    #[arg(long, value_name = "BOOL", num_args = 0..=1, require_equals = true,
          default_value_t = true, default_missing_value = "true", action = ArgAction::Set)]
    pub retain_primary: bool,
    #[command(flatten)]
    pub mappings: MappingFlags,
    /// Let the drill land on a production network (one the group's failover lands on): its
    /// servers then share that network with production. Refused without it.
    #[arg(long)]
    pub allow_production_network: bool,
    /// The site the drill runs at; refused unless it is the other side of the current primary.
    #[arg(long, value_name = "SITE")]
    pub to: Option<String>,
    /// The arrived snapshot the drill recovers: its name (or suffix), `latest` (the default), or
    /// a UTC time (the newest at or before it). `drconsole points GROUP` lists them.
    #[arg(long, value_name = "NAME|latest|TIME")]
    pub recovery_point: Option<PointChoice>,
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

/// A `--network-mapping`/`--flavor-mapping` value that is not `SRC=DST`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0:?} is not SRC=DST (e.g. net-web=net-web-dr)")]
pub struct MappingError(String);

/// `SRC=DST`, both non-empty.
pub fn parse_mapping(s: &str) -> Result<(String, String), MappingError> {
    match s.split_once('=') {
        Some((a, b)) if !a.trim().is_empty() && !b.trim().is_empty() => {
            Ok((a.trim().into(), b.trim().into()))
        }
        _ => Err(MappingError(s.to_string())),
    }
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
