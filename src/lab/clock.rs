//! The lab's time model: everything it reports is real UTC; lab durations run `time_speed` times
//! faster than real ones. The world advances lazily, when a request observes it.

use chrono::{DateTime, Utc};
use std::time::Duration;

/// A server stopping (ACTIVE → SHUTOFF) or starting takes this long.
pub const STOP_TIME: Duration = Duration::from_secs(5);
/// Managing an array volume into Cinder takes this long (creating → available).
pub const MANAGE_TIME: Duration = Duration::from_secs(2);
/// A replicated snapshot's fixed transfer time; a size-dependent part is added.
pub const TRANSFER_BASE: Duration = Duration::from_secs(4);
/// Extra transfer time per GiB of the snapshot's volumes (lab seconds).
pub const TRANSFER_SECS_PER_GIB: f64 = 0.02;
/// The share of a group's data an incremental transfer sends (what changed since the last one).
pub const CHANGED_SHARE: f64 = 0.02;

pub type Time = DateTime<Utc>;

pub fn now() -> Time {
    Utc::now()
}

/// The real duration that a lab duration takes at `speed`.
pub fn real(lab: Duration, speed: f64) -> chrono::Duration {
    real_secs(lab.as_secs_f64(), speed)
}

pub fn real_secs(lab_secs: f64, speed: f64) -> chrono::Duration {
    chrono::Duration::microseconds((lab_secs / speed.max(1e-9) * 1e6) as i64)
}

/// Milliseconds since the epoch, as the array API reports times.
pub fn ms(t: Time) -> i64 {
    t.timestamp_millis()
}

/// `2026-11-24T10:42:07Z` (Nova).
pub fn iso(t: Time) -> String {
    t.format("%Y-%m-%dT%H:%M:%SZ").to_string()
}

/// `2026-11-24T10:42:07.000000Z` (Keystone).
pub fn iso_micro_z(t: Time) -> String {
    t.format("%Y-%m-%dT%H:%M:%S%.6fZ").to_string()
}

/// `2026-11-24T10:42:07.000000` (Cinder).
pub fn iso_micro(t: Time) -> String {
    t.format("%Y-%m-%dT%H:%M:%S%.6f").to_string()
}
