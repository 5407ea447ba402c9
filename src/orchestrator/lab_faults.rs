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

impl FaultKind {
    pub const ALL: [FaultKind; 5] = [
        FaultKind::SiteDown,
        FaultKind::ErrorRate,
        FaultKind::Latency,
        FaultKind::ReplicationStalled,
        FaultKind::BootFailure,
    ];

    /// The kind API.md §6 names `name`.
    pub fn parse(name: &str) -> Option<FaultKind> {
        FaultKind::ALL.into_iter().find(|k| k.as_str() == name)
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

impl Fault {
    /// How the operator reads it: `compute errors 50 %`, `boots of web-1 fail`.
    pub fn describe(&self) -> String {
        let service = self.service.as_deref().unwrap_or("all services'");
        match self.kind {
            FaultKind::SiteDown => "site down".into(),
            FaultKind::ErrorRate => match self.rate {
                Some(r) => format!("{service} errors {:.0} %", r * 100.0),
                None => format!("{service} errors"),
            },
            FaultKind::Latency => {
                let ms = self.latency_ms.unwrap_or(0);
                let delay = if ms >= 1000 && ms.is_multiple_of(100) {
                    format!("{} s", ms as f64 / 1000.0)
                } else {
                    format!("{ms} ms")
                };
                match &self.service {
                    Some(s) => format!("{s} latency {delay}"),
                    None => format!("latency {delay}"),
                }
            }
            FaultKind::ReplicationStalled => "replication stalled".into(),
            FaultKind::BootFailure => match &self.server {
                Some(s) => format!("boots of {s} fail"),
                None => "boots fail".into(),
            },
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

    /// Every lab site's active faults, by site (sorted by name); a site whose control API does
    /// not answer says why.
    pub async fn active(&self) -> Vec<(String, Result<Vec<Fault>, LabFaultError>)> {
        let mut names: Vec<&String> = self.sites.keys().collect();
        names.sort();
        let lists = futures_util::future::join_all(names.iter().map(|n| async move {
            let control = self.site(n)?;
            let listed = control
                .list_faults()
                .await
                .map_err(|e| LabFaultError::Lab {
                    site: n.to_string(),
                    reason: e.to_string(),
                })?;
            Ok(listed
                .into_iter()
                .filter_map(|f| {
                    Some(Fault {
                        kind: FaultKind::parse(&f.kind)?,
                        service: f.service,
                        rate: f.rate,
                        latency_ms: f.latency_ms,
                        server: f.server,
                    })
                })
                .collect())
        }))
        .await;
        names.into_iter().cloned().zip(lists).collect()
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
