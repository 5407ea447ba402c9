//! One test suite, two engines: every test here runs against a fresh SQLite journal and a fresh
//! PostgreSQL journal (a new database on the test server named by `DRCONSOLE_TEST_PG`, e.g. the
//! cluster `.ci/pg-cluster` starts). Without that variable the PostgreSQL half is skipped with a
//! note; with `DRCONSOLE_REQUIRE_PG` set (CI sets it) a missing or unreachable server fails every
//! test instead, so the PostgreSQL half can never be skipped silently.

mod locks;
mod more;
pub mod pg;
mod query;
mod records;

use super::{JournalBackend, LockHolder, Store};
use crate::domain::{Actor, OperationRecord, OperationStatus, OperationType, ResultData};
use crate::domain::{EventKind, OperationEvent, StoreConfig};
use chrono::{DateTime, Utc};

/// A journal of one engine, and how to open it again (as another console would).
pub struct Journal {
    pub engine: &'static str,
    pub config: StoreConfig,
    pub store: Store,
    _dir: Option<tempfile::TempDir>,
    _db: Option<pg::ScratchDb>,
}

impl Journal {
    pub fn db(&self) -> &dyn JournalBackend {
        self.store.blocking()
    }

    /// A second connection to the same journal: another console.
    pub fn another(&self) -> Store {
        Store::open(&self.config).expect("second console opens the journal")
    }
}

/// A fresh empty journal of each engine this run can test.
pub fn journals() -> Vec<Journal> {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("journal.sqlite");
    let config = StoreConfig::Sqlite(Some(path));
    let mut out = vec![Journal {
        engine: "sqlite",
        store: Store::open(&config).expect("sqlite journal"),
        config,
        _dir: Some(dir),
        _db: None,
    }];
    if let Some(db) = pg::ScratchDb::create() {
        let config = StoreConfig::Postgres(db.url());
        out.push(Journal {
            engine: "postgres",
            store: Store::open(&config).expect("postgres journal"),
            config,
            _dir: None,
            _db: Some(db),
        });
    }
    out
}

/// Now, to the microsecond: what both engines keep of an instant.
pub fn now() -> DateTime<Utc> {
    let n = Utc::now();
    DateTime::from_timestamp_micros(n.timestamp_micros()).unwrap_or(n)
}

pub fn actor() -> Actor {
    Actor {
        user: "ops".into(),
        host: "console-1".into(),
        ssh_client: Some("10.0.0.9".into()),
    }
}

pub fn op(id: &str, group: &str) -> OperationRecord {
    OperationRecord {
        id: id.into(),
        operation_type: OperationType::PlannedFailover,
        protection_group: group.into(),
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
        actor: actor(),
    }
}

pub fn holder(op: &str, console: &str) -> LockHolder {
    LockHolder {
        operation_id: op.into(),
        operation_type: OperationType::Failover,
        actor: actor(),
        console_id: console.into(),
    }
}

pub fn event(op: &str, kind: EventKind) -> OperationEvent {
    OperationEvent {
        operation_id: op.into(),
        at: now(),
        kind,
    }
}
