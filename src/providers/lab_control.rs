//! The lab's control API (API.md §6): inject and clear faults at one lab site. Used by the
//! console's Faults menu in lab mode; a real site has no such API.

use serde_json::{Value, json};
use std::path::Path;
use std::time::Duration;

#[derive(Clone)]
pub struct LabControl {
    base: String,
    http: reqwest::Client,
}

/// A fault as API.md §6 spells it; `None` fields are omitted.
#[derive(Debug, Clone, Default)]
pub struct FaultRequest {
    pub kind: String,
    pub service: Option<String>,
    pub rate: Option<f64>,
    pub latency_ms: Option<u64>,
    pub server: Option<String>,
}

/// What went wrong talking to a lab site's control API, as the console shows it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LabControlError {
    #[error("cannot build the lab's control client: {0}")]
    Setup(String),
    #[error("lab {url}: no answer ({reason}); is the lab still running?")]
    Unreachable { url: String, reason: String },
    #[error("lab {url} refused the call ({status}): {message}")]
    Refused {
        url: String,
        status: u16,
        message: String,
    },
}

impl LabControl {
    /// `site_url` is the lab site's root, e.g. `https://127.0.0.1:PORT`; `ca_file` the lab's
    /// CA certificate when it serves HTTPS.
    pub fn new(site_url: &str, ca_file: Option<&Path>) -> Result<Self, LabControlError> {
        let _ = rustls::crypto::ring::default_provider().install_default();
        let mut builder = reqwest::Client::builder().timeout(Duration::from_secs(5));
        if let Some(path) = ca_file {
            let setup = |e: String| LabControlError::Setup(format!("{}: {e}", path.display()));
            let pem = std::fs::read(path).map_err(|e| setup(e.to_string()))?;
            let ca = reqwest::Certificate::from_pem(&pem).map_err(|e| setup(e.to_string()))?;
            builder = builder.add_root_certificate(ca);
        }
        let http = builder
            .build()
            .map_err(|e| LabControlError::Setup(e.to_string()))?;
        Ok(Self {
            base: site_url.trim_end_matches('/').to_string(),
            http,
        })
    }

    pub async fn add_fault(&self, f: &FaultRequest) -> Result<(), LabControlError> {
        let mut body = json!({ "kind": f.kind });
        if let Some(s) = &f.service {
            body["service"] = json!(s);
        }
        if let Some(r) = f.rate {
            body["rate"] = json!(r);
        }
        if let Some(l) = f.latency_ms {
            body["latency_ms"] = json!(l);
        }
        if let Some(s) = &f.server {
            body["server"] = json!(s);
        }
        let url = format!("{}/lab/v1/faults", self.base);
        let resp = self.http.post(&url).json(&body).send().await;
        self.answer(&url, resp).await
    }

    /// The faults the site holds now (`GET /lab/v1/faults`), as API.md §6 spells them.
    pub async fn list_faults(&self) -> Result<Vec<FaultRequest>, LabControlError> {
        let url = format!("{}/lab/v1/faults", self.base);
        let resp = self.http.get(&url).send().await;
        let resp = resp.map_err(|e| LabControlError::Unreachable {
            url: url.clone(),
            reason: crate::sanitize::clean(&e.to_string()),
        })?;
        let status = resp.status();
        let body: Value = resp.json().await.unwrap_or(Value::Null);
        if !status.is_success() {
            return Err(LabControlError::Refused {
                url,
                status: status.as_u16(),
                message: crate::sanitize::clean(&body.to_string()),
            });
        }
        let text = |v: &Value| v.as_str().map(crate::sanitize::clean);
        Ok(body["faults"]
            .as_array()
            .map(Vec::as_slice)
            .unwrap_or_default()
            .iter()
            .map(|f| FaultRequest {
                kind: text(&f["kind"]).unwrap_or_default(),
                service: text(&f["service"]),
                rate: f["rate"].as_f64(),
                latency_ms: f["latency_ms"].as_u64(),
                server: text(&f["server"]),
            })
            .collect())
    }

    pub async fn clear_faults(&self) -> Result<(), LabControlError> {
        let url = format!("{}/lab/v1/faults", self.base);
        let resp = self.http.delete(&url).send().await;
        self.answer(&url, resp).await
    }

    async fn answer(
        &self,
        url: &str,
        resp: reqwest::Result<reqwest::Response>,
    ) -> Result<(), LabControlError> {
        let resp = resp.map_err(|e| LabControlError::Unreachable {
            url: url.to_string(),
            reason: crate::sanitize::clean(&e.to_string()),
        })?;
        let status = resp.status();
        if status.is_success() {
            return Ok(());
        }
        let body: Value = resp.json().await.unwrap_or(Value::Null);
        let message = body["error"]
            .as_str()
            .map_or_else(|| body.to_string(), str::to_string);
        Err(LabControlError::Refused {
            url: url.to_string(),
            status: status.as_u16(),
            message: crate::sanitize::clean(&message),
        })
    }
}
