//! Test harness: a lab on ephemeral loopback ports in a temporary directory, the configuration it
//! writes, and an engine over it with a journal of its own. Every test drives real HTTP.
#![allow(dead_code)]

pub mod pg;

use drconsole::config::{self, Config, HttpPolicy};
use drconsole::lab::{LabHandle, LabOptions};
use drconsole::orchestrator::engine::{Engine, EngineOptions};
use drconsole::providers::SiteClient;
use drconsole::store::Store;
use serde_json::{Value, json};
use std::sync::Arc;
use std::time::Duration;
use tempfile::TempDir;

pub struct Lab {
    pub handle: Option<LabHandle>,
    pub dir: TempDir,
    pub config: Config,
    pub http: reqwest::Client,
    /// The journal of this lab's engines (see pg.rs: SQLite, or PostgreSQL when asked).
    pub journal: drconsole::domain::StoreConfig,
    scratch_db: Option<String>,
}

impl Drop for Lab {
    fn drop(&mut self) {
        if let Some(db) = self.scratch_db.take()
            && !std::thread::panicking()
        {
            pg::admin(&format!("DROP DATABASE IF EXISTS {db} WITH (FORCE)"));
        }
    }
}

/// A lab with the demo topology, fast clock, no added latency.
pub async fn lab() -> Lab {
    lab_with(|_| {}).await
}

pub async fn lab_with(tune: impl FnOnce(&mut LabOptions)) -> Lab {
    let _ = rustls::crypto::ring::default_provider().install_default();
    let dir = tempfile::tempdir().expect("temp dir");
    let mut opts = LabOptions::for_tests(dir.path().join("lab"));
    tune(&mut opts);
    let handle = LabHandle::start(opts).await.expect("lab starts");
    let files = handle.write_client_files().expect("client files");
    let mut config = config::load(&files.config)
        .expect("lab config loads")
        .config;
    config.http = HttpPolicy {
        request_timeout: Duration::from_secs(3),
        max_attempts: 3,
        backoff_base: Duration::from_millis(20),
    };
    let http = trusting(&handle);
    let (journal, scratch_db) = pg::journal_for(dir.path());
    Lab {
        handle: Some(handle),
        dir,
        config,
        http,
        journal,
        scratch_db,
    }
}

/// A plain HTTP client that trusts the lab's CA, for the control API.
pub fn trusting(handle: &LabHandle) -> reqwest::Client {
    let mut builder = reqwest::Client::builder();
    if let Some(ca) = handle.ca_file() {
        let pem = std::fs::read(ca).expect("ca.pem");
        builder = builder.add_root_certificate(reqwest::Certificate::from_pem(&pem).expect("pem"));
    }
    builder.build().expect("client")
}

impl Lab {
    pub fn url(&self, site: &str) -> String {
        self.handle
            .as_ref()
            .and_then(|h| h.site_url(site))
            .expect("site url")
    }

    pub fn client(&self, site: &str) -> SiteClient {
        let cfg = self.config.site(site).expect("site");
        SiteClient::new(cfg, self.config.http).expect("client")
    }

    pub async fn fault(&self, site: &str, fault: Value) -> String {
        let r: Value = self
            .http
            .post(format!("{}/lab/v1/faults", self.url(site)))
            .json(&fault)
            .send()
            .await
            .expect("fault")
            .json()
            .await
            .expect("fault json");
        r["fault"]["id"].as_str().unwrap_or_default().to_string()
    }

    pub async fn clear_faults(&self, site: &str) {
        self.http
            .delete(format!("{}/lab/v1/faults", self.url(site)))
            .send()
            .await
            .expect("clear");
    }

    pub async fn status(&self, site: &str) -> Value {
        self.http
            .get(format!("{}/lab/v1/status", self.url(site)))
            .send()
            .await
            .expect("status")
            .json()
            .await
            .expect("status json")
    }

    /// How many calls of `method` the lab's `service` at `site` has answered.
    pub async fn count(&self, site: &str, service: &str, method: &str) -> u64 {
        self.status(site).await["requests"][service][method]
            .as_u64()
            .unwrap_or(0)
    }

    pub fn store(&self) -> Store {
        Store::open(&self.journal).expect("journal")
    }

    pub fn engine(&self) -> Arc<Engine> {
        self.engine_with(self.store())
    }

    pub fn engine_with(&self, store: Store) -> Arc<Engine> {
        let opts = EngineOptions {
            poll_interval: Duration::from_millis(100),
            lease: Duration::from_secs(5),
            cache_dir: Some(self.dir.path().join("data")),
            ..EngineOptions::default()
        };
        Engine::new(Arc::new(self.config.clone()), store, opts).expect("engine")
    }
}

pub fn site_down() -> Value {
    json!({"kind": "site_down"})
}

use drconsole::domain::{GroupStatus, OperationRecord, OperationType};
use drconsole::orchestrator::engine::{EngineError, OperationRequest};
use std::collections::BTreeSet;

/// Start an operation and wait for its end; the journaled record.
pub async fn run(
    engine: &Arc<Engine>,
    req: OperationRequest,
) -> Result<OperationRecord, EngineError> {
    let started = engine.start(req).await?;
    engine.wait_local(&started.id).await;
    Ok(engine
        .store()
        .get_operation(&started.id)
        .await
        .expect("journal")
        .expect("record")
        .record)
}

pub fn req(op: OperationType, group: &str) -> OperationRequest {
    OperationRequest::new(op, group)
}

pub async fn status_of(engine: &Arc<Engine>, group: &str) -> GroupStatus {
    engine.group_state(group).await.expect("state").status
}

pub struct Names {
    pub servers: Vec<String>,
    pub ports: Vec<String>,
    pub volumes: Vec<String>,
}

/// Everything at a site that an operation could create or delete, by name, so two moments can
/// be compared resource by resource.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Inventory {
    pub servers: Vec<String>,
    pub ports: Vec<String>,
    pub volumes: Vec<String>,
    pub array_volumes: BTreeSet<String>,
}

impl Lab {
    pub async fn inventory(&self, site: &str) -> Inventory {
        let c = self.client(site);
        let mut servers: Vec<String> = c
            .compute()
            .list_servers()
            .await
            .expect("servers")
            .into_iter()
            .map(|s| format!("{} {}", s.name, s.status))
            .collect();
        servers.sort();
        let mut ports: Vec<String> = c
            .network()
            .list_ports(&Default::default())
            .await
            .expect("ports")
            .into_iter()
            .map(|p| format!("{} {}", p.name, p.mac))
            .collect();
        ports.sort();
        let mut volumes: Vec<String> = c
            .volume()
            .list_volumes()
            .await
            .expect("volumes")
            .into_iter()
            .map(|v| format!("{} {}", v.name, v.status))
            .collect();
        volumes.sort();
        let array_volumes = c
            .array()
            .volumes(&[])
            .await
            .expect("array volumes")
            .into_iter()
            .filter(|v| !v.destroyed)
            .map(|v| v.name)
            .collect();
        Inventory {
            servers,
            ports,
            volumes,
            array_volumes,
        }
    }

    /// Names of the servers, ports and volumes at a site, sorted, duplicates kept (so a
    /// duplicate shows).
    pub async fn names(&self, site: &str) -> Names {
        let c = self.client(site);
        let mut n = Names {
            servers: c
                .compute()
                .list_servers()
                .await
                .expect("servers")
                .into_iter()
                .map(|s| s.name)
                .collect(),
            ports: c
                .network()
                .list_ports(&Default::default())
                .await
                .expect("ports")
                .into_iter()
                .map(|p| p.name)
                .collect(),
            volumes: c
                .volume()
                .list_volumes()
                .await
                .expect("volumes")
                .into_iter()
                .map(|v| v.name)
                .collect(),
        };
        n.servers.sort();
        n.ports.sort();
        n.volumes.sort();
        n
    }

    /// Server names at a site, sorted, duplicates kept.
    pub async fn server_names(&self, site: &str) -> Vec<String> {
        self.names(site).await.servers
    }

    /// How many servers at a site have names starting with `prefix` (a group's members).
    pub async fn servers_named(&self, site: &str, prefix: &str) -> usize {
        self.server_names(site)
            .await
            .iter()
            .filter(|n| n.starts_with(prefix))
            .count()
    }
}

/// The journaled record of an operation.
pub async fn record(lab: &Lab, id: &str) -> OperationRecord {
    lab.store()
        .get_operation(id)
        .await
        .expect("journal")
        .expect("operation journaled")
        .record
}

/// Polls `check` (every 10 ms, or as soon as a slow check returns) until it returns Some, failing the test with `what` after
/// `timeout`: tests wait on a condition, never on the clock.
pub async fn wait_for<T, F, Fut>(what: &str, timeout: Duration, mut check: F) -> T
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Option<T>>,
{
    let deadline = tokio::time::Instant::now() + timeout;
    let mut poll = tokio::time::interval(Duration::from_millis(10));
    poll.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        poll.tick().await;
        if let Some(v) = check().await {
            return v;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "timed out after {timeout:?} waiting for {what}"
        );
    }
}
