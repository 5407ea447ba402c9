//! Test harness: a lab on ephemeral loopback ports in a temporary directory, the configuration it
//! writes, and an engine over it with a journal of its own. Every test drives real HTTP.
#![allow(dead_code)]

pub mod pg;

use drconsole::config::{self, Config, HttpPolicy};
use drconsole::lab::{LabHandle, LabOptions};
use drconsole::orchestrator::RollbackPolicy;
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
        ..HttpPolicy::default()
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
        self.engine_opts(store, rollback(Duration::from_secs(2)))
    }

    /// An engine whose rollbacks ride out a site that does not answer for `policy.budget`.
    pub fn engine_opts(&self, store: Store, policy: RollbackPolicy) -> Arc<Engine> {
        let opts = EngineOptions {
            poll_interval: Duration::from_millis(100),
            lease: Duration::from_secs(5),
            cache_dir: Some(self.dir.path().join("data")),
            rollback: policy,
            ..EngineOptions::default()
        };
        Engine::new(Arc::new(self.config.clone()), store, opts).expect("engine")
    }
}

pub fn site_down() -> Value {
    json!({"kind": "site_down"})
}

/// A site outage that ends by itself `secs` seconds from now (the lab's clock is real UTC).
pub fn site_down_for(secs: i64) -> Value {
    let until = chrono::Utc::now() + chrono::Duration::seconds(secs);
    json!({"kind": "site_down", "until": until.to_rfc3339()})
}

/// A rollback policy for tests: `budget`, with short pauses (0.2 s, doubling to 1 s).
pub fn rollback(budget: Duration) -> RollbackPolicy {
    RollbackPolicy {
        budget,
        backoff_first: Duration::from_millis(200),
        backoff_max: Duration::from_secs(1),
    }
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

/// The pid of the process that holds `group`'s lock (its console id is `host:pid:random`).
pub async fn lock_holder_pid(store: &Store, group: &str) -> Option<u32> {
    let lock = store.get_lock(group).await.ok()??;
    lock.holder.console_id.split(':').nth(1)?.parse().ok()
}

/// Send `signal` (`-KILL`, `-HUP`, …) to process `pid`.
pub fn send_signal(pid: u32, signal: &str) {
    let status = std::process::Command::new("kill")
        .args([signal, &pid.to_string()])
        .status()
        .expect("kill runs");
    assert!(status.success(), "kill {signal} {pid}");
}

impl Lab {
    /// The lab's drconsole.toml for the real binary, with rollbacks that give up after
    /// `budget_secs` (so a test that goes wrong fails in seconds, not in five minutes).
    pub fn binary_config(&self, budget_secs: u64) -> std::path::PathBuf {
        let path = self.dir.path().join("lab").join("drconsole.toml");
        let mut text = std::fs::read_to_string(&path).expect("lab config");
        if !text.contains("[operations]") {
            text.push_str(&format!(
                "\n[operations]\nrollback_budget_seconds = {budget_secs}\n"
            ));
            std::fs::write(&path, text).expect("lab config written");
        }
        path
    }
}

/// Wait for every child to end, killing them all after `deadline` (the test then fails).
pub async fn outputs_within(
    children: Vec<std::process::Child>,
    deadline: Duration,
) -> Vec<std::process::Output> {
    let pids: Vec<u32> = children.iter().map(|c| c.id()).collect();
    let waiting = tokio::task::spawn_blocking(move || {
        children
            .into_iter()
            .map(|c| c.wait_with_output())
            .collect::<Vec<_>>()
    });
    match tokio::time::timeout(deadline, waiting).await {
        Ok(joined) => joined
            .expect("join")
            .into_iter()
            .map(|o| o.expect("child output"))
            .collect(),
        Err(_) => {
            for pid in pids {
                let _ = std::process::Command::new("kill")
                    .args(["-KILL", &pid.to_string()])
                    .status();
            }
            panic!("the processes did not end within {deadline:?}");
        }
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

/// What the real binary printed and how it exited.
pub struct Ran {
    pub code: Option<i32>,
    pub stdout: String,
    pub stderr: String,
}

impl Ran {
    /// Both streams, for an assertion message or a search.
    pub fn all(&self) -> String {
        format!("{}\n{}", self.stdout, self.stderr)
    }

    pub fn json(&self) -> Value {
        serde_json::from_str(&self.stdout)
            .unwrap_or_else(|e| panic!("not JSON ({e}):\n{}", self.all()))
    }
}

impl Lab {
    /// The drconsole.toml the lab wrote, as an operator passes it with --config.
    pub fn config_file(&self) -> std::path::PathBuf {
        self.dir.path().join("lab").join("drconsole.toml")
    }

    /// The journal the binary uses: this lab's (passed with --store).
    pub fn cli_store(&self) -> Store {
        self.store()
    }

    /// An engine on the binary's journal, to look at what the binary did.
    pub fn cli_engine(&self) -> Arc<Engine> {
        self.engine_with(self.cli_store())
    }

    /// This lab's journal as `--store` takes it.
    fn store_arg(&self) -> String {
        match &self.journal {
            drconsole::domain::StoreConfig::Sqlite(Some(path)) => path.display().to_string(),
            drconsole::domain::StoreConfig::Sqlite(None) => "journal.sqlite".into(),
            drconsole::domain::StoreConfig::Postgres(url) => url.expose().to_string(),
        }
    }

    /// Run the real binary against this lab, as an operator would, off the runtime's threads.
    pub async fn cli(&self, args: &[&str]) -> Ran {
        let config = self.config_file();
        let store = self.store_arg();
        let data = self.dir.path().join("cli-data");
        let args: Vec<String> = args.iter().map(|a| a.to_string()).collect();
        tokio::task::spawn_blocking(move || {
            let out = std::process::Command::new(env!("CARGO_BIN_EXE_drconsole"))
                .arg("--config")
                .arg(&config)
                .arg("--store")
                .arg(&store)
                .args(&args)
                .env("DRCONSOLE_DATA_DIR", &data)
                .env_remove("DRCONSOLE_CONFIG")
                .stdin(std::process::Stdio::null())
                .output()
                .expect("run drconsole");
            Ran {
                code: out.status.code(),
                stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
                stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
            }
        })
        .await
        .expect("join")
    }

    /// Run the real binary (as `cli`) and require its exit code, showing both streams if it
    /// differs.
    pub async fn cli_exits(&self, code: i32, args: &[&str]) -> Ran {
        let ran = self.cli(args).await;
        assert_eq!(
            ran.code,
            Some(code),
            "drconsole {}:\n{}",
            args.join(" "),
            ran.all()
        );
        ran
    }

    /// The group's servers at a site by name, with their status (`web-1 ACTIVE`), sorted.
    pub async fn statuses(&self, site: &str, prefix: &str) -> Vec<String> {
        let mut out: Vec<String> = self
            .client(site)
            .compute()
            .list_servers()
            .await
            .expect("servers")
            .into_iter()
            .filter(|s| s.name.starts_with(prefix))
            .map(|s| format!("{} {}", s.name, s.status))
            .collect();
        out.sort();
        out
    }

    /// Members of `prefix` ACTIVE at both sites (what must never be).
    pub async fn active_at_both(&self, prefix: &str) -> Vec<String> {
        let active = |list: Vec<String>| -> BTreeSet<String> {
            list.into_iter()
                .filter_map(|s| s.strip_suffix(" ACTIVE").map(str::to_string))
                .collect()
        };
        let a = active(self.statuses("site-a", prefix).await);
        let b = active(self.statuses("site-b", prefix).await);
        a.intersection(&b).cloned().collect()
    }
}
