//! The one error type of every provider call: which site, service and call failed, how (a kind
//! the orchestrator can act on) and the endpoint's own message, sanitised.

use std::fmt;

use crate::sanitize::clean;

/// Longest endpoint message kept in an error (characters).
const MESSAGE_MAX_CHARS: usize = 300;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Service {
    Identity,
    Compute,
    Network,
    Volume,
    Array,
}

impl Service {
    pub fn as_str(self) -> &'static str {
        match self {
            Service::Identity => "identity",
            Service::Compute => "compute",
            Service::Network => "network",
            Service::Volume => "volume",
            Service::Array => "array",
        }
    }
}

impl fmt::Display for Service {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ErrorKind {
    /// No answer: connection refused or reset, DNS, TLS handshake.
    Unreachable {
        reason: String,
    },
    /// No complete answer within the call's timeout or the command's deadline (the message says
    /// which).
    Timeout,
    /// The body passed `[http] max_body_mib`; it was not read further.
    TooLarge {
        endpoint: String,
        limit_bytes: u64,
    },
    /// A 3xx: API calls never follow redirects (the credential would go along).
    Redirect {
        location: String,
    },
    /// 401 (after one re-authentication) or 403.
    Unauthorized,
    NotFound,
    Conflict,
    /// 400 and the other 4xx answers.
    BadRequest,
    /// A 5xx answer, with its status.
    Server(u16),
    /// The answer did not have the documented shape.
    Decode(String),
    /// The configuration or the catalog cannot serve the call (no endpoint, bad CA file…).
    Config(String),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProviderError {
    pub service: Service,
    /// Method and path, e.g. `POST /servers` (never a query string or a token).
    pub call: String,
    pub site: String,
    pub kind: ErrorKind,
    /// The endpoint's own message, sanitised and truncated; may be empty.
    pub message: String,
    /// The HTTP status when the endpoint answered.
    pub status: Option<u16>,
}

impl ProviderError {
    /// The endpoint answered 403: its policy does not allow the call to this project.
    pub fn is_forbidden(&self) -> bool {
        self.status == Some(403)
    }

    pub fn new(
        site: &str,
        service: Service,
        call: &str,
        kind: ErrorKind,
        message: impl AsRef<str>,
    ) -> Self {
        Self {
            service,
            call: clean(call),
            site: clean(site),
            kind,
            message: truncate(&clean(message.as_ref())),
            status: None,
        }
    }

    /// An error from an HTTP answer with a non-success status.
    pub fn from_status(
        site: &str,
        service: Service,
        call: &str,
        status: u16,
        message: impl AsRef<str>,
    ) -> Self {
        let mut e = Self::new(site, service, call, kind_for_status(status), message);
        e.status = Some(status);
        e
    }

    pub fn decode(site: &str, service: Service, call: &str, what: impl AsRef<str>) -> Self {
        let what = truncate(&clean(what.as_ref()));
        Self::new(site, service, call, ErrorKind::Decode(what), "")
    }

    pub fn config(site: &str, service: Service, call: &str, what: impl AsRef<str>) -> Self {
        let what = clean(what.as_ref());
        Self::new(site, service, call, ErrorKind::Config(what), "")
    }

    pub fn is_not_found(&self) -> bool {
        self.kind == ErrorKind::NotFound
    }

    pub fn is_conflict(&self) -> bool {
        self.kind == ErrorKind::Conflict
    }

    pub fn is_unauthorized(&self) -> bool {
        self.kind == ErrorKind::Unauthorized
    }

    /// The site did not answer at all (refused, reset, timed out).
    pub fn is_unreachable(&self) -> bool {
        matches!(
            self.kind,
            ErrorKind::Unreachable { .. } | ErrorKind::Timeout
        )
    }

    /// Worth trying again later: no answer, a 5xx, or 429.
    pub fn is_transient(&self) -> bool {
        self.is_unreachable()
            || matches!(self.kind, ErrorKind::Server(_))
            || self.status == Some(429)
    }
}

pub(crate) fn kind_for_status(status: u16) -> ErrorKind {
    match status {
        401 | 403 => ErrorKind::Unauthorized,
        404 => ErrorKind::NotFound,
        409 => ErrorKind::Conflict,
        500..=599 => ErrorKind::Server(status),
        _ => ErrorKind::BadRequest,
    }
}

fn truncate(s: &str) -> String {
    if s.chars().count() <= MESSAGE_MAX_CHARS {
        return s.to_string();
    }
    let mut out: String = s.chars().take(MESSAGE_MAX_CHARS).collect();
    out.push('…');
    out
}

/// `16 MiB`, or bytes when it is not a whole number of MiB.
fn size(bytes: u64) -> String {
    if bytes >= 1 << 20 && bytes.is_multiple_of(1 << 20) {
        format!("{} MiB", bytes >> 20)
    } else {
        format!("{bytes} bytes")
    }
}

fn status_reason(status: u16) -> &'static str {
    reqwest::StatusCode::from_u16(status)
        .ok()
        .and_then(|s| s.canonical_reason())
        .unwrap_or("")
}

impl fmt::Display for ProviderError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}: {} failed: ", self.site, self.service, self.call)?;
        match (&self.kind, self.status) {
            (ErrorKind::Unreachable { reason }, _) => write!(f, "unreachable ({reason})")?,
            (ErrorKind::Timeout, _) => f.write_str("timed out")?,
            (
                ErrorKind::TooLarge {
                    endpoint,
                    limit_bytes,
                },
                _,
            ) => write!(
                f,
                "the answer of {endpoint} is larger than {}, the limit ([http] max_body_mib), \
                 and was not read further; raise the limit if it is right",
                size(*limit_bytes)
            )?,
            (ErrorKind::Redirect { location }, status) => write!(
                f,
                "{} redirected to {location}, which drconsole does not follow (its credential \
                 would go along); put the URL it names in the configuration (clouds.yaml \
                 auth_url, [sites.array] url) or fix the endpoint",
                status.unwrap_or(0)
            )?,
            (ErrorKind::Decode(what), _) => write!(f, "unexpected answer: {what}")?,
            (ErrorKind::Config(what), _) => f.write_str(what)?,
            (_, Some(status)) => write!(f, "{status} {}", status_reason(status))?,
            (kind, None) => write!(f, "{kind:?}")?,
        }
        if !self.message.is_empty() {
            write!(f, ": {}", self.message)?;
        }
        Ok(())
    }
}

impl std::error::Error for ProviderError {}
