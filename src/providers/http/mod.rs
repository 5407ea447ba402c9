//! The shared HTTP client of a site: one reqwest `Client`, a total deadline per call (connect to
//! the last byte of the body), a size limit on every body, no redirects, and retries with
//! exponential backoff and full jitter for calls that are safe to repeat, all within the
//! command's deadline when it has one. 4xx answers are returned to the caller, never retried.

mod errors;

use std::time::Duration;

use rand::Rng;
use reqwest::Method;
use reqwest::header::HeaderMap;
use std::sync::Arc;
use tokio::sync::Semaphore;
use tokio::time::Instant;

use super::error::{ProviderError, Service};
use crate::config::HttpPolicy;
use crate::config::limits::MAX_BACKOFF;
pub(crate) use errors::Budget;

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
    /// `[http] max_calls_per_site`: one permit a call in flight, shared by every clone.
    in_flight: Arc<Semaphore>,
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
            // No API call drconsole makes is answered with a redirect by OpenStack or the array,
            // and following one would carry the token headers (and, on a 307/308, the Keystone
            // password) to wherever it points: a 3xx is an error that names where it pointed.
            .redirect(reqwest::redirect::Policy::none())
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
            in_flight: Arc::new(Semaphore::new(policy.max_calls_per_site.max(1))),
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

    /// Send, retrying transport errors and 5xx answers when the call is idempotent. With a
    /// command deadline, no attempt runs past it and no retry starts that could not finish.
    pub async fn send(&self, call: &Call) -> Result<Raw, ProviderError> {
        let attempts = if call.idempotent {
            self.policy.max_attempts.max(1)
        } else {
            1
        };
        let mut attempt = 1;
        loop {
            let budget = self.budget().ok_or_else(|| self.out_of_time(call))?;
            let outcome = self.send_once(call, budget).await;
            let retry = match &outcome {
                Ok(raw) => raw.status >= 500,
                // A refused certificate, a malformed or oversized answer: the same again.
                Err(e) => e.is_unreachable(),
            };
            if !retry || attempt >= attempts {
                return outcome;
            }
            let delay = self.backoff(attempt);
            if self
                .policy
                .deadline
                .is_some_and(|d| Instant::now() + delay >= d)
            {
                return outcome;
            }
            tracing::debug!(
                site = %self.site, service = %call.service, call = %call.label, attempt,
                delay_ms = delay.as_millis() as u64, "retrying"
            );
            tokio::time::sleep(delay).await;
            attempt += 1;
        }
    }

    /// How long the next attempt may take: the call's timeout, or what is left of the command's
    /// deadline if that is shorter; None when the deadline has passed.
    fn budget(&self) -> Option<Budget> {
        let per_call = self.policy.request_timeout;
        let Some(deadline) = self.policy.deadline else {
            return Some(Budget::Call(per_call));
        };
        let left = deadline.saturating_duration_since(Instant::now());
        if left.is_zero() {
            None
        } else if left < per_call {
            Some(Budget::Command(left))
        } else {
            Some(Budget::Call(per_call))
        }
    }

    /// Full jitter: a random delay up to base × 2^(attempt-1), never above `MAX_BACKOFF`.
    fn backoff(&self, attempt: u32) -> Duration {
        let base_ms = u64::try_from(self.policy.backoff_base.as_millis()).unwrap_or(u64::MAX);
        let cap_ms = base_ms
            .saturating_mul(1u64 << attempt.saturating_sub(1).min(16))
            .min(MAX_BACKOFF.as_millis() as u64);
        if cap_ms == 0 {
            return Duration::ZERO;
        }
        Duration::from_millis(rand::rng().random_range(0..=cap_ms))
    }

    async fn send_once(&self, call: &Call, budget: Budget) -> Result<Raw, ProviderError> {
        let mut req = self
            .client
            .request(call.method.clone(), &call.url)
            // reqwest's request timeout is a deadline for the whole exchange, body included.
            .timeout(budget.duration())
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
        // Held until the body is read: the site is busy with this call until then.
        let _slot = match tokio::time::timeout(budget.duration(), self.in_flight.acquire()).await {
            Ok(Ok(permit)) => permit,
            _ => return Err(self.no_slot(call, budget)),
        };
        let resp = req
            .send()
            .await
            .map_err(|e| self.transport(call, &e, budget))?;
        let status = resp.status().as_u16();
        let headers = resp.headers().clone();
        let body = self.read_body(call, resp, budget).await?;
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

    /// The body, chunk by chunk, refused as soon as it would pass `max_body_bytes` (or says it
    /// will): an endless or huge answer costs the limit, never all the memory there is.
    async fn read_body(
        &self,
        call: &Call,
        mut resp: reqwest::Response,
        budget: Budget,
    ) -> Result<Vec<u8>, ProviderError> {
        let limit = self.policy.max_body_bytes;
        let announced = resp.content_length().unwrap_or(0);
        if announced > limit {
            return Err(self.too_large(call));
        }
        let mut body = Vec::with_capacity(announced.min(64 * 1024) as usize);
        while let Some(chunk) = resp
            .chunk()
            .await
            .map_err(|e| self.transport(call, &e, budget))?
        {
            if (body.len() + chunk.len()) as u64 > limit {
                return Err(self.too_large(call));
            }
            body.extend_from_slice(&chunk);
        }
        Ok(body)
    }
}
