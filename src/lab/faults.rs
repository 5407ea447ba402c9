//! Injected faults (API.md §6): what they are, when they hold, and what they do to one call.

use super::clock::Time;
use rand::Rng;
use serde::{Deserialize, Serialize};
use std::time::Duration;

pub const KINDS: [&str; 5] = [
    "site_down",
    "error_rate",
    "latency",
    "replication_stalled",
    "boot_failure",
];

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Fault {
    #[serde(default)]
    pub id: String,
    pub kind: String,
    /// error_rate and latency: the service it applies to; None = every service.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub service: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rate: Option<f64>,
    /// error_rate: fail exactly the next `count` matching calls, then the fault goes away.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub count: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub latency_ms: Option<u64>,
    /// boot_failure: the server name whose boots fail.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub server: Option<String>,
    #[serde(default)]
    pub until: Option<Time>,
}

/// Why a posted fault is refused; the text is what the control API answers.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FaultError {
    #[error("kind {0:?} is not one of {kinds}", kinds = KINDS.join(", "))]
    UnknownKind(String),
    #[error("error_rate needs rate (0..1) or count")]
    ErrorRateWithoutAmount,
    #[error("rate must be between 0 and 1")]
    RateOutOfRange,
    #[error("latency needs latency_ms")]
    LatencyWithoutMs,
    #[error("boot_failure needs server (a server name)")]
    BootFailureWithoutServer,
}

/// What the faults do to one call.
#[derive(Debug, Default)]
pub struct Effect {
    pub fail: bool,
    pub extra_latency: Duration,
}

impl Fault {
    pub fn active(&self, now: Time) -> bool {
        self.until.is_none_or(|u| now < u)
    }

    /// Checks a fault as posted; says what is wrong.
    pub fn validate(&self) -> Result<(), FaultError> {
        if !KINDS.contains(&self.kind.as_str()) {
            return Err(FaultError::UnknownKind(self.kind.clone()));
        }
        match self.kind.as_str() {
            "error_rate" if self.rate.is_none() && self.count.is_none() => {
                Err(FaultError::ErrorRateWithoutAmount)
            }
            "error_rate" if self.rate.is_some_and(|r| !(0.0..=1.0).contains(&r)) => {
                Err(FaultError::RateOutOfRange)
            }
            "latency" if self.latency_ms.is_none() => Err(FaultError::LatencyWithoutMs),
            "boot_failure" if self.server.is_none() => Err(FaultError::BootFailureWithoutServer),
            _ => Ok(()),
        }
    }

    fn applies_to(&self, service: &str) -> bool {
        self.service.as_deref().is_none_or(|s| s == service)
    }
}

/// Applies the error_rate and latency faults to one call of `service`, using up counted ones.
pub fn effect(faults: &mut Vec<Fault>, service: &str, now: Time) -> Effect {
    let mut out = Effect::default();
    let mut rng = rand::rng();
    for f in faults.iter_mut() {
        if !f.active(now) || !f.applies_to(service) {
            continue;
        }
        match f.kind.as_str() {
            "latency" => {
                out.extra_latency += Duration::from_millis(f.latency_ms.unwrap_or(0));
            }
            "error_rate" if !out.fail => {
                if let Some(n) = f.count.as_mut() {
                    if *n > 0 {
                        *n -= 1;
                        out.fail = true;
                    }
                } else if rng.random::<f64>() < f.rate.unwrap_or(0.0) {
                    out.fail = true;
                }
            }
            _ => {}
        }
    }
    faults.retain(|f| !(f.kind == "error_rate" && f.count == Some(0)));
    out
}
