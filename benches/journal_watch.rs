//! How soon a console sees another console's operation (run with `cargo bench --bench
//! journal_watch`): one console journals a new operation, another, subscribed to the journal's
//! changes on its own connection, wakes and reads its operations list; the time from the write's
//! start to the operation appearing in the list, median and 99th percentile over 200 operations,
//! on SQLite (a file) and, when `DRCONSOLE_TEST_PG` names a server, on PostgreSQL (goal: < 1 s).

use drconsole::domain::StoreConfig;
use drconsole::domain::{Actor, OperationRecord, OperationStatus, OperationType, ResultData};
use drconsole::secret::Secret;
use drconsole::store::Store;
use serde_json::json;
use std::time::{Duration, Instant};

const RUNS: usize = 200;

fn op(id: String) -> OperationRecord {
    OperationRecord {
        id,
        operation_type: OperationType::TestFailover,
        protection_group: "web-app".into(),
        status: OperationStatus::Pending,
        progress: 0,
        source_site_id: "site-a".into(),
        target_site_id: "site-b".into(),
        started_at: None,
        completed_at: None,
        error_message: None,
        steps_completed: vec![],
        steps_failed: vec![],
        result_data: ResultData::default(),
        actor: Actor::default(),
    }
}

async fn measure(config: &StoreConfig) -> Vec<Duration> {
    let writer = Store::open(config).expect("writer console");
    let watcher = Store::open(config).expect("watching console");
    let mut changes = watcher.changes().await.expect("subscribe");
    let mut seen = Vec::with_capacity(RUNS);
    for i in 0..RUNS {
        // Writes arrive at any moment, not in step with a watcher's cycle.
        tokio::time::sleep(Duration::from_millis(rand::random::<u64>() % 40)).await;
        changes.mark_seen();
        let id = format!("op-{i}");
        let t0 = Instant::now();
        writer
            .insert_operation(&op(id.clone()), &json!(null), &json!(null))
            .await
            .expect("journal");
        loop {
            changes.changed().await.expect("journal open");
            let newest = watcher.list_operations(1, None).await.expect("list");
            if newest.first().is_some_and(|o| o.id == id) {
                break;
            }
        }
        seen.push(t0.elapsed());
    }
    seen
}

fn report(engine: &str, mut d: Vec<Duration>) {
    d.sort();
    let at = |q: f64| d[((d.len() as f64 - 1.0) * q).round() as usize];
    println!(
        "{engine:>10}: another console's operation seen after median {:.1} ms, p99 {:.1} ms, max {:.1} ms ({} runs)",
        at(0.5).as_secs_f64() * 1e3,
        at(0.99).as_secs_f64() * 1e3,
        d[d.len() - 1].as_secs_f64() * 1e3,
        d.len()
    );
}

/// A fresh database on the test server (left there: the server is a throwaway one).
async fn scratch(url: &str) -> String {
    let (client, conn) = tokio_postgres::connect(url, tokio_postgres::NoTls)
        .await
        .expect("the server DRCONSOLE_TEST_PG names");
    tokio::spawn(conn);
    let name = format!("drc_bench_{:08x}", rand::random::<u32>());
    client
        .batch_execute(&format!("CREATE DATABASE {name}"))
        .await
        .expect("create database");
    let root = url.rsplit_once('/').map(|(r, _)| r).unwrap_or(url);
    format!("{root}/{name}")
}

#[tokio::main]
async fn main() {
    let dir = tempfile::tempdir().expect("dir");
    let sqlite = StoreConfig::Sqlite(Some(dir.path().join("journal.sqlite")));
    report("sqlite", measure(&sqlite).await);
    match std::env::var("DRCONSOLE_TEST_PG") {
        Ok(url) => {
            let db = scratch(&url).await;
            report(
                "postgres",
                measure(&StoreConfig::Postgres(Secret::new(db))).await,
            );
        }
        Err(_) => println!("  postgres: skipped (set DRCONSOLE_TEST_PG to a server)"),
    }
}
