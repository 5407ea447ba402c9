//! The shared HTTP client of a site: one reqwest `Client`, a per-call timeout, and retries with
//! exponential backoff and full jitter for calls that are safe to repeat. 4xx answers are
//! returned to the caller, never retried.

use std::time::Duration;

use rand::Rng;
use reqwest::Method;
use reqwest::header::HeaderMap;
use serde::de::DeserializeOwned;

use super::error::{ErrorKind, ProviderError, Service};
use super::error_body::message_of;
use crate::config::HttpPolicy;

/// One request, before it is sent. Headers may hold secrets: it is never logged.
#[derive(Clone)]
pub(crate) struct Call {
    pub service: Service,
    pub method: Method,
    pub url: String,
    pub query: Vec<(String, String)>,
    pub headers: Vec<(&'static str, String)>,
    pub body: Option<serde_json::Value>,
    /// Safe to send again after a transport error or a 5xx.
    pub idempotent: bool,
    /// `GET /servers/detail`: what errors and logs name.
    pub label: String,
}

impl Call {
    pub fn new(service: Service, method: Method, base: &str, path: &str) -> Self {
        let idempotent = matches!(
            method,
            Method::GET | Method::HEAD | Method::PUT | Method::DELETE
        );
        let label = format!("{method} {}", if path.is_empty() { "/" } else { path });
        Self {
            service,
            method,
            url: format!("{}{}", base.trim_end_matches('/'), path),
            query: Vec::new(),
            headers: Vec::new(),
            body: None,
            idempotent,
            label,
        }
    }

    pub fn query(mut self, key: &str, value: impl Into<String>) -> Self {
        self.query.push((key.to_string(), value.into()));
        self
    }

    pub fn header(mut self, name: &'static str, value: impl Into<String>) -> Self {
        self.headers.push((name, value.into()));
        self
    }

    pub fn json(mut self, body: serde_json::Value) -> Self {
        self.body = Some(body);
        self
    }

    pub fn idempotent(mut self, yes: bool) -> Self {
        self.idempotent = yes;
        self
    }
}

/// An answer, whatever its status.
pub(crate) struct Raw {
    pub status: u16,
    pub headers: HeaderMap,
    pub body: Vec<u8>,
}

impl Raw {
    pub fn is_success(&self) -> bool {
        (200..300).contains(&self.status)
    }

    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }
}

/// A site's HTTP client with the policy its calls follow. Cheap to clone.
#[derive(Clone)]
pub(crate) struct Http {
    client: reqwest::Client,
    pub policy: HttpPolicy,
    pub site: String,
}

impl Http {
    pub fn new(
        site: &str,
        policy: HttpPolicy,
        verify: bool,
        cacert: Option<&std::path::Path>,
    ) -> Result<Self, ProviderError> {
        // Already installed by an earlier client: that is fine.
        let _ = rustls::crypto::ring::default_provider().install_default();
        let cfg_err = |what: String| ProviderError::config(site, Service::Identity, "setup", what);
        let mut builder = reqwest::Client::builder()
            .user_agent(concat!("drconsole/", env!("CARGO_PKG_VERSION")))
            .connect_timeout(policy.request_timeout)
            .danger_accept_invalid_certs(!verify);
        if let Some(path) = cacert {
            let pem = std::fs::read(path)
                .map_err(|e| cfg_err(format!("cannot read cacert {}: {e}", path.display())))?;
            let certs = reqwest::Certificate::from_pem_bundle(&pem)
                .map_err(|e| cfg_err(format!("bad cacert {}: {e}", path.display())))?;
            for cert in certs {
                builder = builder.add_root_certificate(cert);
            }
        }
        let client = builder
            .build()
            .map_err(|e| cfg_err(format!("cannot build the HTTP client: {e}")))?;
        Ok(Self {
            client,
            policy,
            site: site.to_string(),
        })
    }

    pub fn with_policy(&self, policy: HttpPolicy) -> Self {
        Self {
            policy,
            ..self.clone()
        }
    }

    /// Send, retrying transport errors and 5xx answers when the call is idempotent.
    pub async fn send(&self, call: &Call) -> Result<Raw, ProviderError> {
        let attempts = if call.idempotent {
            self.policy.max_attempts.max(1)
        } else {
            1
        };
        let mut attempt = 1;
        loop {
            let outcome = self.send_once(call).await;
            let retry = match &outcome {
                Ok(raw) => raw.status >= 500,
                // A certificate that is not trusted stays untrusted.
                Err(e) => !matches!(e.kind, ErrorKind::Config(_)),
            };
            if !retry || attempt >= attempts {
                return outcome;
            }
            let delay = self.backoff(attempt);
            tracing::debug!(
                site = %self.site, service = %call.service, call = %call.label, attempt,
                delay_ms = delay.as_millis() as u64, "retrying"
            );
            tokio::time::sleep(delay).await;
            attempt += 1;
        }
    }

    /// Full jitter: a random delay up to base × 2^(attempt-1).
    fn backoff(&self, attempt: u32) -> Duration {
        let base_ms = self.policy.backoff_base.as_millis() as u64;
        let cap_ms = base_ms.saturating_mul(1u64 << (attempt - 1).min(16));
        if cap_ms == 0 {
            return Duration::ZERO;
        }
        Duration::from_millis(rand::rng().random_range(0..=cap_ms))
    }

    async fn send_once(&self, call: &Call) -> Result<Raw, ProviderError> {
        let mut req = self
            .client
            .request(call.method.clone(), &call.url)
            .timeout(self.policy.request_timeout)
            .header("Accept", "application/json");
        if !call.query.is_empty() {
            req = req.query(&call.query);
        }
        for (name, value) in &call.headers {
            req = req.header(*name, value);
        }
        if let Some(body) = &call.body {
            req = req.json(body);
        }
        let started = std::time::Instant::now();
        let resp = req.send().await.map_err(|e| self.transport(call, &e))?;
        let status = resp.status().as_u16();
        let headers = resp.headers().clone();
        let body = resp
            .bytes()
            .await
            .map_err(|e| self.transport(call, &e))?
            .to_vec();
        tracing::debug!(
            site = %self.site, service = %call.service, call = %call.label, status,
            elapsed_ms = started.elapsed().as_millis() as u64, "answered"
        );
        Ok(Raw {
            status,
            headers,
            body,
        })
    }

    fn transport(&self, call: &Call, e: &reqwest::Error) -> ProviderError {
        let kind = if let Some(tls) = tls_cause(e) {
            ErrorKind::Config(untrusted(&endpoint_of(&call.url), tls))
        } else if e.is_timeout() {
            ErrorKind::Timeout
        } else {
            ErrorKind::Unreachable {
                reason: crate::sanitize::clean(&root_cause(e)),
            }
        };
        ProviderError::new(&self.site, call.service, &call.label, kind, "")
    }

    /// The error for a non-success answer, with the endpoint's message.
    pub fn status_error(&self, call: &Call, raw: &Raw) -> ProviderError {
        ProviderError::from_status(
            &self.site,
            call.service,
            &call.label,
            raw.status,
            message_of(&raw.body),
        )
    }

    pub fn decode<T: DeserializeOwned>(&self, call: &Call, raw: &Raw) -> Result<T, ProviderError> {
        serde_json::from_slice(&raw.body).map_err(|e| {
            ProviderError::decode(&self.site, call.service, &call.label, e.to_string())
        })
    }
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

/// `https://host:port` of a URL: what a certificate is issued for.
fn endpoint_of(url: &str) -> String {
    let after_scheme = url.find("://").map_or(0, |i| i + 3);
    let end = url[after_scheme..]
        .find('/')
        .map_or(url.len(), |i| after_scheme + i);
    url[..end].to_string()
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
