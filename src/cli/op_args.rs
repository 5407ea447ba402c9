//! The arguments of the operations (failover, site failover, failback, drill, check) and their
//! mapping flags (`SRC=DST`): parsing only, shared by `check` and the operations it checks.

use crate::domain::PointChoice;
use clap::{ArgAction, Args};

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
