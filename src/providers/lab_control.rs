//! The lab's control API (API.md §6): inject and clear faults at one lab site. Used by the
//! console's Faults menu in lab mode; a real site has no such API.

use serde_json::{Value, json};
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

impl LabControl {
    /// `site_url` is the lab site's root, e.g. `http://127.0.0.1:PORT`.
    pub fn new(site_url: &str) -> Result<Self, String> {
        let _ = rustls::crypto::ring::default_provider().install_default();
        let http = reqwest::Client::builder()
            .timeout(Duration::from_secs(5))
            .build()
            .map_err(|e| format!("cannot build the lab client: {e}"))?;
        Ok(Self {
            base: site_url.trim_end_matches('/').to_string(),
            http,
        })
    }

    pub async fn add_fault(&self, f: &FaultRequest) -> Result<(), String> {
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
        let resp = self
            .http
            .post(format!("{}/lab/v1/faults", self.base))
            .json(&body)
            .send()
            .await
            .map_err(|e| format!("lab: {e}"))?;
        if resp.status().is_success() {
            Ok(())
        } else {
            let status = resp.status();
            let text: Value = resp.json().await.unwrap_or(Value::Null);
            Err(format!(
                "lab refused the fault ({status}): {}",
                crate::sanitize::clean(&text.to_string())
            ))
        }
    }

    pub async fn clear_faults(&self) -> Result<(), String> {
        self.http
            .delete(format!("{}/lab/v1/faults", self.base))
            .send()
            .await
            .map_err(|e| format!("lab: {e}"))?
            .error_for_status()
            .map(|_| ())
            .map_err(|e| format!("lab: {e}"))
    }
}
