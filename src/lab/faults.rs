//! Injected faults (API.md §6): what they are, when they hold, and what they do to one call.

use super::clock::Time;
use rand::Rng;
use serde::{Deserialize, Serialize};
use std::time::Duration;

pub const KINDS: [&str; 6] = [
    "site_down",
    "error_rate",
    "latency",
    "replication_stalled",
    "boot_failure",
    "policy_denied",
];

/// What a `policy_denied` fault makes the site's Cinder answer to the manage API: the 403 of a
/// deployment whose policy keeps these calls to administrators (Cinder's own default).
pub fn policy_denied(policy: &str) -> String {
    format!("Policy doesn't allow {policy} to be performed.")
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Fault {
    #[serde(default)]
    pub id: String,
    pub kind: String,
    /// error_rate and latency: the service it applies to; None = every service.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub service: Option<String>,
    /// error_rate and latency: the HTTP method it applies to (`POST`); None = every method.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub method: Option<String>,
    /// error_rate and latency: only calls whose path contains this (`/floatingips`); None = every
    /// path.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
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
    /// error_rate: the failed call is served first and only its answer is lost (replaced by the
    /// 500), as when a reply never reaches the client: a create it fails has happened.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub answer_lost: bool,
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
    #[error("answer_lost applies to error_rate only")]
    AnswerLostWithoutErrorRate,
}

/// What the faults do to one call.
#[derive(Debug, Default)]
pub struct Effect {
    /// Answer 500 without serving the call.
    pub fail: bool,
    /// Serve the call, then answer 500 instead of its answer.
    pub lose_answer: bool,
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
            kind if self.answer_lost && kind != "error_rate" => {
                Err(FaultError::AnswerLostWithoutErrorRate)
            }
            _ => Ok(()),
        }
    }

    fn applies_to(&self, service: &str, method: &str, path: &str) -> bool {
        self.path.as_deref().is_none_or(|p| path.contains(p))
            && self.service.as_deref().is_none_or(|s| s == service)
            && self
                .method
                .as_deref()
                .is_none_or(|m| m.eq_ignore_ascii_case(method))
    }
}

/// Applies the error_rate and latency faults to one `method` call of `service` on `path`, using
/// up counted ones.
pub fn effect(faults: &mut Vec<Fault>, call: (&str, &str, &str), now: Time) -> Effect {
    let (service, method, path) = call;
    let mut out = Effect::default();
    let mut rng = rand::rng();
    for f in faults.iter_mut() {
        if !f.active(now) || !f.applies_to(service, method, path) {
            continue;
        }
        match f.kind.as_str() {
            "latency" => {
                out.extra_latency += Duration::from_millis(f.latency_ms.unwrap_or(0));
            }
            "error_rate" if !out.fail && !out.lose_answer => {
                let fires = if let Some(n) = f.count.as_mut() {
                    let fires = *n > 0;
                    *n = n.saturating_sub(1);
                    fires
                } else {
                    rng.random::<f64>() < f.rate.unwrap_or(0.0)
                };
                if fires && f.answer_lost {
                    out.lose_answer = true;
                } else if fires {
                    out.fail = true;
                }
            }
            _ => {}
        }
    }
    faults.retain(|f| !(f.kind == "error_rate" && f.count == Some(0)));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn error_rate(count: u64, answer_lost: bool) -> Fault {
        Fault {
            id: "f1".into(),
            kind: "error_rate".into(),
            service: Some("compute".into()),
            method: None,
            path: None,
            rate: None,
            count: Some(count),
            latency_ms: None,
            server: None,
            answer_lost,
            until: None,
        }
    }

    #[test]
    fn a_lost_answer_serves_the_call_and_a_plain_error_does_not() {
        let now = super::super::clock::now();
        let mut faults = vec![error_rate(1, true)];
        let e = effect(
            &mut faults,
            ("compute", "POST", "/compute/v2.1/servers"),
            now,
        );
        assert!(e.lose_answer && !e.fail);
        assert!(faults.is_empty(), "a counted fault goes away once used");
        let mut faults = vec![error_rate(1, false)];
        faults[0].method = Some("POST".into());
        let e = effect(&mut faults, ("network", "POST", "/network/v2.0/ports"), now);
        assert!(!e.lose_answer && !e.fail, "another service is untouched");
        let e = effect(
            &mut faults,
            ("compute", "GET", "/compute/v2.1/servers"),
            now,
        );
        assert!(!e.lose_answer && !e.fail, "another method is untouched");
        faults[0].path = Some("/os-volume".into());
        let e = effect(
            &mut faults,
            ("compute", "post", "/compute/v2.1/servers"),
            now,
        );
        assert!(!e.lose_answer && !e.fail, "another path is untouched");
        let e = effect(
            &mut faults,
            ("compute", "post", "/compute/v2.1/os-volume_attachments"),
            now,
        );
        assert!(e.fail && !e.lose_answer);
    }

    #[test]
    fn answer_lost_is_for_error_rate_only() {
        let mut f = error_rate(1, true);
        assert_eq!(f.validate(), Ok(()));
        f.kind = "latency".into();
        f.latency_ms = Some(5);
        assert_eq!(f.validate(), Err(FaultError::AnswerLostWithoutErrorRate));
    }
}
