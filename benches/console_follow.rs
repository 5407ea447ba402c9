//! How soon the console shows an operation another console started (run with `cargo bench
//! --bench console_follow`): a console — its own runtime, `update` and engine backend, fed by the
//! journal's change feed and never by its refresh timer — watches while a second engine on its
//! own connection to the same journal (as another process would be) runs sync operations over an
//! in-process lab (real HTTP). Two delays per operation, median and 99th percentile (goal:
//! < 1 s each):
//! - appears: from the other console's `start` call to the operation in the console's list;
//! - ends: from the other console seeing it end to the console's list showing it finished.
//!
//! On SQLite (a file) and, when `DRCONSOLE_TEST_PG` names a server, on PostgreSQL.
//! `BENCH_RUNS` sets the number of operations (default 100).

use drconsole::config;
use drconsole::domain::{OperationStatus, OperationType, StoreConfig};
use drconsole::lab::{LabHandle, LabOptions};
use drconsole::orchestrator::engine::{Engine, EngineOptions, OperationRequest};
use drconsole::orchestrator::lab_faults::LabFaults;
use drconsole::secret::Secret;
use drconsole::store::Store;
use drconsole::tui::app::App;
use drconsole::tui::engine_backend::EngineBackend;
use drconsole::tui::keymap::Keymap;
use drconsole::tui::msg::Msg;
use drconsole::tui::runtime::Runtime;
use drconsole::tui::theme::Theme;
use drconsole::tui::update::{start, update};
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::sync::mpsc;

/// The longest any one wait may take before the bench gives up.
const TIMEOUT: Duration = Duration::from_secs(120);

fn runs() -> usize {
    std::env::var("BENCH_RUNS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(100)
}

/// The console under test: its state, the runtime that asks its engine, the queue of answers.
struct Console {
    app: App,
    rt: Runtime,
    rx: mpsc::Receiver<Msg>,
}

impl Console {
    fn new(engine: Arc<Engine>) -> Console {
        let (tx, rx) = mpsc::channel(256);
        let rt = Runtime::new(
            Arc::new(EngineBackend::new(engine, LabFaults::none())),
            None,
            tx,
        );
        rt.watch_journal();
        let app = App::new(
            chrono::Utc::now(),
            "bench@host",
            true,
            Theme::default(),
            Keymap::default(),
        );
        let mut c = Console { app, rt, rx };
        let first = start(&mut c.app);
        c.dispatch(first);
        c
    }

    fn dispatch(&self, actions: Vec<drconsole::tui::msg::Action>) {
        for a in actions {
            self.rt.dispatch(a);
        }
    }

    /// Take the console's messages through `update` until `done` holds.
    async fn until(&mut self, what: &str, done: impl Fn(&App) -> bool) -> Result<(), String> {
        let deadline = tokio::time::Instant::now() + TIMEOUT;
        while !done(&self.app) {
            let msg = tokio::time::timeout_at(deadline, self.rx.recv())
                .await
                .map_err(|_| format!("the console did not show {what} in {TIMEOUT:?}"))?
                .ok_or("the console's runtime stopped")?;
            let effect = update(&mut self.app, msg);
            self.dispatch(effect.actions);
        }
        Ok(())
    }
}

fn listed(app: &App, id: &str) -> Option<OperationStatus> {
    app.operations.iter().find(|o| o.id == id).map(|o| o.status)
}

/// Two engines on one journal over the lab: the console's and the other console's.
async fn engines(
    dir: &std::path::Path,
    journal: &StoreConfig,
) -> Result<(Arc<Engine>, Arc<Engine>, LabHandle), String> {
    let lab = LabHandle::start(LabOptions::for_tests(dir.join("lab")))
        .await
        .map_err(|e| e.to_string())?;
    let files = lab.write_client_files().map_err(|e| e.to_string())?;
    let cfg = Arc::new(
        config::load(&files.config)
            .map_err(|e| e.to_string())?
            .config,
    );
    let engine = |cfg: Arc<config::Config>| -> Result<Arc<Engine>, String> {
        let store = Store::open(journal).map_err(|e| e.to_string())?;
        let opts = EngineOptions {
            poll_interval: Duration::from_millis(100),
            ..EngineOptions::default()
        };
        Engine::new(cfg, store, opts).map_err(|e| e.to_string())
    };
    Ok((engine(cfg.clone())?, engine(cfg)?, lab))
}

async fn measure(journal: &StoreConfig) -> Result<(Vec<Duration>, Vec<Duration>), String> {
    let dir = tempfile::tempdir().map_err(|e| e.to_string())?;
    let (mine, other, _lab) = engines(dir.path(), journal).await?;
    let mut console = Console::new(mine);
    console.until("the estate", |a| a.estate.is_some()).await?;
    let (mut appear, mut end) = (Vec::new(), Vec::new());
    for _ in 0..runs() {
        // Starts come at any moment, not in step with the journal watcher's cycle.
        tokio::time::sleep(Duration::from_millis(rand::random::<u64>() % 100)).await;
        let t0 = Instant::now();
        let id = other
            .start(OperationRequest::new(OperationType::SyncNow, "web-app"))
            .await
            .map_err(|e| format!("the other console's sync: {e}"))?
            .id;
        // The other engine runs it in tasks of this runtime while the console follows.
        let wait = other.clone();
        let ended = {
            let id = id.clone();
            tokio::spawn(async move {
                wait.wait_local(&id).await;
                Instant::now()
            })
        };
        console
            .until("the other console's operation", |a| {
                listed(a, &id).is_some()
            })
            .await?;
        appear.push(t0.elapsed());
        console
            .until("the operation finished", |a| {
                listed(a, &id).is_some_and(|s| s.is_finished())
            })
            .await?;
        let seen = Instant::now();
        let t_end = ended.await.map_err(|e| e.to_string())?;
        end.push(seen.saturating_duration_since(t_end));
    }
    Ok((appear, end))
}

fn quantiles(mut d: Vec<Duration>) -> String {
    d.sort();
    let at = |q: f64| d[((d.len() as f64 - 1.0) * q).round() as usize].as_secs_f64() * 1e3;
    format!(
        "median {:.0} ms, p99 {:.0} ms, max {:.0} ms",
        at(0.5),
        at(0.99),
        at(1.0)
    )
}

/// A fresh database on the test server (left there: the server is a throwaway one).
async fn scratch(url: &str) -> Result<String, String> {
    let (client, conn) = tokio_postgres::connect(url, tokio_postgres::NoTls)
        .await
        .map_err(|e| format!("the server DRCONSOLE_TEST_PG names: {e}"))?;
    tokio::spawn(conn);
    let name = format!("drc_follow_{:08x}", rand::random::<u32>());
    client
        .batch_execute(&format!("CREATE DATABASE {name}"))
        .await
        .map_err(|e| format!("create database: {e}"))?;
    let root = url.rsplit_once('/').map(|(r, _)| r).unwrap_or(url);
    Ok(format!("{root}/{name}"))
}

async fn bench(engine: &str, journal: StoreConfig) {
    match measure(&journal).await {
        Ok((appear, end)) => {
            let n = appear.len();
            println!(
                "{engine:>10}: another console's operation appears: {}",
                quantiles(appear)
            );
            println!(
                "{engine:>10}: its end shows:                       {}",
                quantiles(end)
            );
            println!("{engine:>10}: ({n} operations)");
        }
        Err(e) => {
            eprintln!("{engine}: {e}");
            std::process::exit(1);
        }
    }
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let dir = match tempfile::tempdir() {
        Ok(d) => d,
        Err(e) => {
            eprintln!("temp dir: {e}");
            std::process::exit(1);
        }
    };
    let sqlite = StoreConfig::Sqlite(Some(dir.path().join("journal.sqlite")));
    bench("sqlite", sqlite).await;
    match std::env::var("DRCONSOLE_TEST_PG") {
        Ok(url) => match scratch(&url).await {
            Ok(db) => bench("postgres", StoreConfig::Postgres(Secret::new(db))).await,
            Err(e) => eprintln!("  postgres: {e}"),
        },
        Err(_) => println!("  postgres: skipped (set DRCONSOLE_TEST_PG to a server)"),
    }
}
