//! The lab's fault switch for the console's Faults menu: inject or clear faults at one lab site
//! through its control API (API.md §6). Only a console started with `--lab` has sites here; a
//! real site has no such API.

use crate::providers::lab_control::{FaultRequest, LabControl};
use std::collections::HashMap;
use std::fmt;
use thiserror::Error;

/// What goes wrong at a lab site.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FaultKind {
    SiteDown,
    ErrorRate,
    Latency,
    ReplicationStalled,
    BootFailure,
}

impl FaultKind {
    /// The name API.md §6 gives it.
    pub fn as_str(self) -> &'static str {
        match self {
            FaultKind::SiteDown => "site_down",
            FaultKind::ErrorRate => "error_rate",
            FaultKind::Latency => "latency",
            FaultKind::ReplicationStalled => "replication_stalled",
            FaultKind::BootFailure => "boot_failure",
        }
    }
}

impl fmt::Display for FaultKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A fault with its parameters (`None` = the lab's default).
#[derive(Debug, Clone, PartialEq)]
pub struct Fault {
    pub kind: FaultKind,
    pub service: Option<String>,
    pub rate: Option<f64>,
    pub latency_ms: Option<u64>,
    pub server: Option<String>,
}

impl Fault {
    pub fn new(kind: FaultKind) -> Self {
        Self {
            kind,
            service: None,
            rate: None,
            latency_ms: None,
            server: None,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum LabFaultError {
    #[error(
        "{site} is not a lab site: faults can be injected only in a console started with --lab"
    )]
    NotALabSite { site: String },
    #[error("cannot reach the lab's control API: {0}")]
    Client(String),
    #[error("the lab at {site} did not take the request: {reason}")]
    Lab { site: String, reason: String },
}

/// Lab site name → its control API; empty outside lab mode.
#[derive(Clone, Default)]
pub struct LabFaults {
    sites: HashMap<String, LabControl>,
}

impl LabFaults {
    /// No lab: every request is refused, naming the site.
    pub fn none() -> Self {
        Self::default()
    }

    /// `sites`: each lab site's name and root URL (`https://127.0.0.1:PORT`); `ca_file` the
    /// lab's CA when it serves HTTPS.
    pub fn new(
        sites: impl IntoIterator<Item = (String, String)>,
        ca_file: Option<&std::path::Path>,
    ) -> Result<Self, LabFaultError> {
        let mut out = HashMap::new();
        for (name, url) in sites {
            let control =
                LabControl::new(&url, ca_file).map_err(|e| LabFaultError::Client(e.to_string()))?;
            out.insert(name, control);
        }
        Ok(Self { sites: out })
    }

    pub fn is_lab(&self) -> bool {
        !self.sites.is_empty()
    }

    fn site(&self, site: &str) -> Result<&LabControl, LabFaultError> {
        self.sites
            .get(site)
            .ok_or_else(|| LabFaultError::NotALabSite {
                site: site.to_string(),
            })
    }

    pub async fn inject(&self, site: &str, fault: &Fault) -> Result<(), LabFaultError> {
        let request = FaultRequest {
            kind: fault.kind.as_str().to_string(),
            service: fault.service.clone(),
            rate: fault.rate,
            latency_ms: fault.latency_ms,
            server: fault.server.clone(),
        };
        self.site(site)?
            .add_fault(&request)
            .await
            .map_err(|e| LabFaultError::Lab {
                site: site.to_string(),
                reason: e.to_string(),
            })
    }

    /// Clears every fault of the site.
    pub async fn clear(&self, site: &str) -> Result<(), LabFaultError> {
        self.site(site)?
            .clear_faults()
            .await
            .map_err(|e| LabFaultError::Lab {
                site: site.to_string(),
                reason: e.to_string(),
            })
    }
}
