//! The array's JSON (FlashArray REST 2.x shape): `{"items": [...]}` lists, epoch-millisecond times.

use chrono::{DateTime, Utc};
use serde::Deserialize;

use super::types::*;
use crate::sanitize::clean;

#[derive(Deserialize)]
pub struct Items<T> {
    pub items: Vec<T>,
    /// Set while more items remain: passed back to get the next page.
    #[serde(default)]
    pub continuation_token: Option<String>,
}

#[derive(Deserialize)]
pub struct Named {
    #[serde(default)]
    name: String,
}

fn name_of(n: Option<Named>) -> Option<String> {
    n.map(|n| clean(&n.name)).filter(|n| !n.is_empty())
}

/// How far in the future a time may be and still be believed (clocks drift; years do not).
const FUTURE_SLACK: chrono::Duration = chrono::Duration::seconds(24 * 3600);

/// An epoch-millisecond time; one before 1970 or more than a day ahead of this host's clock is
/// unknown rather than believed: a "newest" snapshot from the year 9999 would otherwise win
/// every comparison and make RPO read as zero.
fn time(ms: Option<i64>) -> Option<DateTime<Utc>> {
    let t = ms.and_then(DateTime::from_timestamp_millis)?;
    if t.timestamp() < 0 || t > Utc::now() + FUTURE_SLACK {
        tracing::warn!(
            millis = ms,
            "the array reported an impossible time; treated as unknown"
        );
        return None;
    }
    Some(t)
}

#[derive(Deserialize)]
pub struct ConnectionWire {
    #[serde(default)]
    name: String,
    #[serde(default)]
    status: String,
    #[serde(default, rename = "type")]
    kind: String,
}

impl From<ConnectionWire> for ArrayConnection {
    fn from(w: ConnectionWire) -> Self {
        ArrayConnection {
            name: clean(&w.name),
            status: clean(&w.status),
            kind: clean(&w.kind),
        }
    }
}

#[derive(Deserialize)]
pub struct VolumeWire {
    #[serde(default)]
    id: String,
    name: String,
    #[serde(default)]
    provisioned: u64,
    #[serde(default)]
    created: Option<i64>,
    #[serde(default)]
    source: Option<Named>,
    #[serde(default)]
    destroyed: bool,
    #[serde(default)]
    serial: String,
}

impl From<VolumeWire> for ArrayVolume {
    fn from(w: VolumeWire) -> Self {
        ArrayVolume {
            id: clean(&w.id),
            name: clean(&w.name),
            provisioned_bytes: w.provisioned,
            created: time(w.created),
            source: name_of(w.source),
            destroyed: w.destroyed,
            serial: clean(&w.serial),
        }
    }
}

#[derive(Deserialize)]
pub struct PgWire {
    name: String,
    #[serde(default)]
    source: Option<Named>,
    #[serde(default)]
    target_count: u32,
    #[serde(default)]
    volume_count: u32,
    #[serde(default)]
    replication_schedule: Option<Schedule>,
}

#[derive(Deserialize)]
struct Schedule {
    #[serde(default)]
    enabled: bool,
    #[serde(default)]
    frequency: Option<u64>,
}

impl From<PgWire> for ProtectionGroup {
    fn from(w: PgWire) -> Self {
        ProtectionGroup {
            name: clean(&w.name),
            source: name_of(w.source),
            target_count: w.target_count,
            volume_count: w.volume_count,
            replication_enabled: w.replication_schedule.as_ref().is_some_and(|s| s.enabled),
            replication_frequency_ms: w.replication_schedule.and_then(|s| s.frequency),
        }
    }
}

#[derive(Deserialize)]
pub struct MemberWire {
    #[serde(default)]
    group: Option<Named>,
    #[serde(default)]
    member: Option<Named>,
    #[serde(default)]
    allowed: Option<bool>,
}

impl From<MemberWire> for PgMember {
    fn from(w: MemberWire) -> Self {
        PgMember {
            group: name_of(w.group).unwrap_or_default(),
            member: name_of(w.member).unwrap_or_default(),
        }
    }
}

impl From<MemberWire> for PgTarget {
    fn from(w: MemberWire) -> Self {
        PgTarget {
            allowed: w.allowed.unwrap_or(true),
            group: name_of(w.group).unwrap_or_default(),
            target: name_of(w.member).unwrap_or_default(),
        }
    }
}

#[derive(Deserialize)]
pub struct PgSnapshotWire {
    name: String,
    #[serde(default)]
    source: Option<Named>,
    #[serde(default)]
    suffix: Option<String>,
    #[serde(default)]
    created: Option<i64>,
    #[serde(default)]
    destroyed: bool,
}

impl From<PgSnapshotWire> for PgSnapshot {
    fn from(w: PgSnapshotWire) -> Self {
        let suffix = w
            .suffix
            .or_else(|| w.name.rsplit_once('.').map(|(_, s)| s.to_string()))
            .unwrap_or_default();
        PgSnapshot {
            name: clean(&w.name),
            source: name_of(w.source).unwrap_or_default(),
            suffix: clean(&suffix),
            created: time(w.created),
            destroyed: w.destroyed,
        }
    }
}

#[derive(Deserialize)]
pub struct TransferWire {
    name: String,
    #[serde(default)]
    started: Option<i64>,
    #[serde(default)]
    completed: Option<i64>,
    #[serde(default)]
    progress: Option<f64>,
    #[serde(default)]
    data_transferred: Option<u64>,
}

impl From<TransferWire> for Transfer {
    fn from(w: TransferWire) -> Self {
        Transfer {
            name: clean(&w.name),
            started: time(w.started),
            completed: time(w.completed),
            progress: w.progress.unwrap_or(0.0).clamp(0.0, 1.0),
            data_transferred: w.data_transferred.unwrap_or(0),
        }
    }
}

#[derive(Deserialize)]
pub struct VolumeSnapshotWire {
    name: String,
    #[serde(default)]
    source: Option<Named>,
    #[serde(default)]
    suffix: Option<String>,
    #[serde(default)]
    created: Option<i64>,
    #[serde(default)]
    destroyed: bool,
}

impl From<VolumeSnapshotWire> for VolumeSnapshot {
    fn from(w: VolumeSnapshotWire) -> Self {
        VolumeSnapshot {
            name: clean(&w.name),
            source: name_of(w.source),
            suffix: w.suffix.map(|s| clean(&s)),
            created: time(w.created),
            destroyed: w.destroyed,
        }
    }
}
