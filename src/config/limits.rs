//! Every number drconsole.toml may set, with its allowed range and default: a timeout of an hour,
//! a retry count of a million or a negative lease is refused at load with the key, the range and
//! the line, instead of overflowing or hanging later. README.md's Configuration section lists the
//! same table.

use super::error::{ConfigError, line_col};
use super::raw::RawNumber;
use std::path::Path;

/// One numeric key: where it lives, what it may be, and what it is when not written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limit {
    pub key: &'static str,
    pub min: i64,
    pub max: i64,
    pub default: i64,
    pub unit: &'static str,
}

/// One HTTP call, connect to the last byte of the body.
pub const TIMEOUT_MS: Limit = Limit {
    key: "[http] timeout_ms",
    min: 100,
    max: 300_000,
    default: 10_000,
    unit: "milliseconds",
};

/// Attempts of a call that is safe to repeat (1 = no retry).
pub const MAX_ATTEMPTS: Limit = Limit {
    key: "[http] max_attempts",
    min: 1,
    max: 10,
    default: 4,
    unit: "attempts",
};

/// The first retry's backoff ceiling; doubled per retry, each wait capped at `MAX_BACKOFF`.
pub const BACKOFF_MS: Limit = Limit {
    key: "[http] backoff_ms",
    min: 0,
    max: 10_000,
    default: 200,
    unit: "milliseconds",
};

/// The whole of `status`, `check` and `instances`: every call and retry in them.
pub const COMMAND_TIMEOUT_MS: Limit = Limit {
    key: "[http] command_timeout_ms",
    min: 1_000,
    max: 600_000,
    default: 20_000,
    unit: "milliseconds",
};

/// Calls in flight to one site at once (all its services and its array together): what an
/// operation of 1,000 instances may ask of a site's APIs at the same moment.
pub const MAX_CALLS_PER_SITE: Limit = Limit {
    key: "[http] max_calls_per_site",
    min: 1,
    max: 1_024,
    default: 64,
    unit: "calls",
};

/// The largest reply body (one page of a list) accepted from an endpoint.
pub const MAX_BODY_MIB: Limit = Limit {
    key: "[http] max_body_mib",
    min: 1,
    max: 1_024,
    default: 16,
    unit: "MiB",
};

pub const LEASE_SECONDS: Limit = Limit {
    key: "[store] lease_seconds",
    min: 3,
    max: 3_600,
    default: 60,
    unit: "seconds",
};

pub const REFRESH_SECONDS: Limit = Limit {
    key: "[ui] refresh_seconds",
    min: 1,
    max: 3_600,
    default: 5,
    unit: "seconds",
};

/// How long a rollback keeps retrying compensations a silent site refuses (0: no retry).
pub const ROLLBACK_BUDGET_SECONDS: Limit = Limit {
    key: "[operations] rollback_budget_seconds",
    min: 0,
    max: 86_400,
    default: 300,
    unit: "seconds",
};

/// A planned move's final sync; a day at most.
pub const FINAL_SYNC_TIMEOUT_SECONDS: Limit = Limit {
    key: "[operations] final_sync_timeout_seconds",
    min: 1,
    max: 86_400,
    default: 600,
    unit: "seconds",
};

/// A year: a target beyond it is a typo, and keeps RPO arithmetic far from overflow.
pub const RPO_TARGET_SECONDS: Limit = Limit {
    key: "rpo_target_seconds",
    min: 1,
    max: 31_536_000,
    default: 300,
    unit: "seconds",
};

/// A group's RTO target (optional: no target when left out).
pub const RTO_TARGET_SECONDS: Limit = Limit {
    key: "rto_target_seconds",
    min: 1,
    max: 31_536_000,
    default: 3_600,
    unit: "seconds",
};

/// The longest single wait between two attempts, whatever backoff_ms and the attempt number say.
pub const MAX_BACKOFF: std::time::Duration = std::time::Duration::from_secs(30);

impl Limit {
    /// The value written (or the default), checked against the range; the error names the key,
    /// the range and the file, line and column.
    pub fn check(&self, path: &Path, text: &str, raw: &RawNumber) -> Result<u64, ConfigError> {
        let Some(v) = raw else {
            return Ok(self.default.unsigned_abs());
        };
        let value = *v.get_ref();
        if (self.min..=self.max).contains(&value) {
            return Ok(value.unsigned_abs());
        }
        let (line, col) = line_col(text, v.span().start);
        Err(ConfigError::new(
            Some(path),
            format!(
                "{} = {value} is out of range ({} to {} {})",
                self.key, self.min, self.max, self.unit
            ),
        )
        .at(line, col)
        .hint(format!(
            "the default, {}, suits most sites; leave the key out to use it",
            self.default
        )))
    }
}
