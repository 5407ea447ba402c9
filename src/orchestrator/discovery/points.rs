//! Recovery points as the arrays show them: every snapshot of a group that has fully arrived at
//! the side it would recover at, the newest of them (RPO is its age), and how often the primary
//! sends one (to tell stalled replication from slow replication).

use super::DiscoveryError;
use crate::config::GroupConfig;
use crate::domain::{GroupState, RecoveryPoint};
use crate::providers::SiteClient;
use chrono::{DateTime, Utc};
use std::collections::HashMap;

/// The newest snapshot of the group at its secondary, and how often its primary sends one.
pub(super) async fn arrival_and_schedule(
    clients: &HashMap<String, SiteClient>,
    g: &GroupConfig,
    state: &GroupState,
) -> (Result<Option<DateTime<Utc>>, DiscoveryError>, Option<u64>) {
    let primary = state.current_primary.as_str();
    let secondary = g.other_site(primary);
    tokio::join!(
        newest_arrival(clients, primary, secondary, &g.array_pg),
        replication_interval(clients, primary, &g.array_pg)
    )
}

/// How often `array_pg` sends a snapshot from `source` (its replication schedule); `None` when
/// the array does not say (then stalled replication is not told from slow replication).
async fn replication_interval(
    clients: &HashMap<String, SiteClient>,
    source: &str,
    array_pg: &str,
) -> Option<u64> {
    let groups = clients
        .get(source)?
        .array()
        .protection_groups(&[array_pg])
        .await
        .inspect_err(|e| tracing::debug!("the replication schedule of {array_pg}: {e}"))
        .ok()?;
    groups
        .iter()
        .find(|g| g.name == array_pg && g.replication_enabled)
        .and_then(|g| g.replication_frequency_ms)
        .map(|ms| (ms / 1000).max(1))
}

/// The newest snapshot of `array_pg` (replicated from `source`) that has arrived at `target`.
pub async fn newest_arrival(
    clients: &HashMap<String, SiteClient>,
    source: &str,
    target: &str,
    array_pg: &str,
) -> Result<Option<DateTime<Utc>>, DiscoveryError> {
    let points = arrived_points(clients, source, target, array_pg).await?;
    Ok(points.last().map(|p| p.created))
}

/// Every snapshot of `array_pg` (replicated from `source`) that has fully arrived at `target`
/// and is not destroyed, oldest first: the recovery points.
pub async fn arrived_points(
    clients: &HashMap<String, SiteClient>,
    source: &str,
    target: &str,
    array_pg: &str,
) -> Result<Vec<RecoveryPoint>, DiscoveryError> {
    let src = clients
        .get(source)
        .ok_or_else(|| DiscoveryError::UnknownSite(source.to_string()))?;
    let client = clients
        .get(target)
        .ok_or_else(|| DiscoveryError::UnknownSite(target.to_string()))?;
    let src_array = src.array_name();
    let snaps = match client
        .array()
        .pg_snapshots(&format!("{src_array}:{array_pg}"))
        .await
    {
        Ok(s) => s,
        // Nothing of the group has arrived yet: the replicated group does not exist there.
        Err(e) if e.is_not_found() => return Ok(Vec::new()),
        Err(e) => return Err(e.into()),
    };
    let mut points: Vec<RecoveryPoint> = snaps
        .into_iter()
        .filter(|s| !s.destroyed)
        .filter_map(|s| {
            Some(RecoveryPoint {
                name: s.name,
                created: s.created?,
            })
        })
        .collect();
    points.sort_by_key(|p| p.created);
    Ok(points)
}
