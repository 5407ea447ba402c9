//! What a failed exchange means to an operator: a transport error (refused, reset, timed out, an
//! untrusted certificate, a malformed answer head), a redirect that is not followed, an answer
//! too large to read, or a body that is not the JSON asked for.

use super::{Call, Http, Raw};
use crate::providers::error::{ErrorKind, ProviderError};
use crate::providers::error_body::message_of;
use std::time::Duration;

/// Which limit a call ran into when it timed out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Budget {
    /// `[http] timeout_ms`: the call's own deadline.
    Call(Duration),
    /// What was left of the command's deadline (`[http] command_timeout_ms`).
    Command(Duration),
}

impl Budget {
    pub fn duration(self) -> Duration {
        match self {
            Budget::Call(d) | Budget::Command(d) => d,
        }
    }

    fn explain(self) -> String {
        match self {
            Budget::Call(d) => format!(
                "no complete answer within {} ([http] timeout_ms)",
                seconds(d)
            ),
            Budget::Command(d) => format!(
                "no complete answer in the {} left of the command's deadline ([http] \
                 command_timeout_ms)",
                seconds(d)
            ),
        }
    }
}

fn seconds(d: Duration) -> String {
    format!("{:.1} s", d.as_secs_f64())
}

impl Http {
    /// The command's deadline passed before `call` could start.
    pub(crate) fn out_of_time(&self, call: &Call) -> ProviderError {
        ProviderError::new(
            &self.site,
            call.service,
            &call.label,
            ErrorKind::Timeout,
            "the command's deadline ([http] command_timeout_ms) ran out before this call",
        )
    }

    /// Every call slot of the site stayed taken for the whole of this call's time.
    pub(crate) fn no_slot(&self, call: &Call, budget: Budget) -> ProviderError {
        ProviderError::new(
            &self.site,
            call.service,
            &call.label,
            ErrorKind::Timeout,
            format!(
                "waited {:.1} s for one of the site's [http] max_calls_per_site = {} call slots; \
                 the site answers too slowly for that many calls at once",
                budget.duration().as_secs_f64(),
                self.policy.max_calls_per_site
            ),
        )
    }

    pub(crate) fn transport(
        &self,
        call: &Call,
        e: &reqwest::Error,
        budget: Budget,
    ) -> ProviderError {
        let (kind, message) = if let Some(tls) = tls_cause(e) {
            (
                ErrorKind::Config(untrusted(&endpoint_of(&call.url), tls)),
                String::new(),
            )
        } else if e.is_timeout() {
            (ErrorKind::Timeout, budget.explain())
        } else if let Some(head) = bad_head(e) {
            let what = format!("the answer's head is malformed or too large ({head})");
            (ErrorKind::Decode(what), String::new())
        } else {
            let reason = crate::sanitize::clean(&root_cause(e));
            (ErrorKind::Unreachable { reason }, String::new())
        };
        ProviderError::new(&self.site, call.service, &call.label, kind, message)
    }

    /// A body longer than `[http] max_body_mib`.
    pub(crate) fn too_large(&self, call: &Call) -> ProviderError {
        let kind = ErrorKind::TooLarge {
            endpoint: endpoint_of(&call.url),
            limit_bytes: self.policy.max_body_bytes,
        };
        ProviderError::new(&self.site, call.service, &call.label, kind, "")
    }

    /// The error for a non-success answer, with the endpoint's message. A redirect is reported
    /// as one: API calls never follow them (a credential would go along).
    pub fn status_error(&self, call: &Call, raw: &Raw) -> ProviderError {
        if (300..400).contains(&raw.status) {
            let location = raw.header("location").map_or_else(
                || "nowhere (no Location header)".to_string(),
                |l| without_query(l).to_string(),
            );
            let mut e = ProviderError::new(
                &self.site,
                call.service,
                &call.label,
                ErrorKind::Redirect {
                    location: crate::sanitize::clean(&location),
                },
                "",
            );
            e.status = Some(raw.status);
            return e;
        }
        ProviderError::from_status(
            &self.site,
            call.service,
            &call.label,
            raw.status,
            message_of(&raw.body),
        )
    }

    /// The answer's JSON as `T`, or an error that says what came instead.
    pub fn decode<T: serde::de::DeserializeOwned>(
        &self,
        call: &Call,
        raw: &Raw,
    ) -> Result<T, ProviderError> {
        serde_json::from_slice(&raw.body).map_err(|e| {
            ProviderError::decode(&self.site, call.service, &call.label, undecodable(&e, raw))
        })
    }
}

/// What a body that did not decode was: JSON of another shape, or not JSON at all.
fn undecodable(e: &serde_json::Error, raw: &Raw) -> String {
    if e.classify() == serde_json::error::Category::Data {
        return format!("JSON of an unexpected shape ({e})");
    }
    let start: String = String::from_utf8_lossy(&raw.body)
        .chars()
        .take(40)
        .collect();
    format!(
        "not JSON (content-type {}, {} bytes, starting \"{}\"): {e}",
        raw.header("content-type").unwrap_or("none"),
        raw.body.len(),
        start.trim()
    )
}

/// A URL without its query and fragment (they may carry tokens).
fn without_query(url: &str) -> &str {
    url.split(['?', '#']).next().unwrap_or(url)
}

/// A TLS failure somewhere in the error's chain. `io::Error` hides the error it wraps from
/// `source()` (and may wrap another `io::Error`), so each one is unwrapped as well.
fn tls_cause(e: &reqwest::Error) -> Option<&rustls::Error> {
    let mut cause: Option<&(dyn std::error::Error + 'static)> = Some(e);
    while let Some(c) = cause {
        let mut inner: &(dyn std::error::Error + 'static) = c;
        loop {
            if let Some(tls) = inner.downcast_ref::<rustls::Error>() {
                return Some(tls);
            }
            match inner
                .downcast_ref::<std::io::Error>()
                .and_then(|io| io.get_ref())
            {
                Some(wrapped) => inner = wrapped,
                None => break,
            }
        }
        cause = c.source();
    }
    None
}

/// hyper's parse error when the status line or headers are malformed or too large (its limit
/// is about 400 KiB of head, 100 headers): an answer, but not one to read.
fn bad_head(e: &reqwest::Error) -> Option<String> {
    let mut cause: Option<&(dyn std::error::Error + 'static)> = Some(e);
    while let Some(c) = cause {
        if let Some(h) = c.downcast_ref::<hyper::Error>()
            && (h.is_parse() || h.is_parse_too_large() || h.is_parse_status())
        {
            return Some(h.to_string());
        }
        cause = c.source();
    }
    None
}

/// `https://host:port` of a URL: what a certificate is issued for (never a user or password).
pub(crate) fn endpoint_of(url: &str) -> String {
    let (scheme, rest) = url.split_at(url.find("://").map_or(0, |i| i + 3));
    let authority = rest.split(['/', '?', '#']).next().unwrap_or(rest);
    let host = authority.rsplit_once('@').map_or(authority, |(_, h)| h);
    format!("{scheme}{host}")
}

/// What an operator reads when an endpoint's certificate is refused, and what to do.
fn untrusted(endpoint: &str, e: &rustls::Error) -> String {
    format!(
        "the TLS certificate of {endpoint} is not trusted ({e}); point cacert at the CA that \
         signed it (in clouds.yaml for the cloud, under [sites.array] for the array)"
    )
}

/// The innermost cause of a transport error (e.g. "Connection refused (os error 111)"), without
/// the URL reqwest puts in its own message.
fn root_cause(e: &reqwest::Error) -> String {
    let mut cause: &dyn std::error::Error = e;
    while let Some(next) = cause.source() {
        cause = next;
    }
    let text = cause.to_string();
    if text.is_empty() {
        "no answer".to_string()
    } else {
        text
    }
}
