use super::*;
use crate::domain::StoreConfig;
use crate::domain::{Actor, OperationStatus, OperationType, ResultData};
use crate::domain::{EventKind, JournalEntry, OperationRecord};
use serde_json::json;
use std::time::Duration;

fn op(id: &str) -> OperationRecord {
    OperationRecord {
        id: id.into(),
        operation_type: OperationType::TestFailover,
        protection_group: "pg".into(),
        status: OperationStatus::Pending,
        progress: 0,
        source_site_id: "a".into(),
        target_site_id: "b".into(),
        started_at: None,
        completed_at: None,
        error_message: None,
        steps_completed: vec![],
        steps_failed: vec![],
        result_data: ResultData::default(),
        actor: Actor::default(),
    }
}

fn holder(op: String, console: &str) -> LockHolder {
    LockHolder {
        operation_id: op,
        operation_type: OperationType::Failover,
        actor: Actor::default(),
        console_id: console.into(),
    }
}

#[test]
fn open_creates_the_directory_and_inspect_creates_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("nothing/here.sqlite");
    let err = Store::inspect(&StoreConfig::Sqlite(Some(missing.clone())))
        .err()
        .unwrap()
        .to_string();
    assert!(
        err.contains("no journal at") && err.contains("here.sqlite"),
        "{err}"
    );
    assert!(!missing.exists() && !missing.parent().unwrap().exists());
    let path = dir.path().join("deep/er/journal.sqlite");
    let store = Store::open(&StoreConfig::Sqlite(Some(path.clone()))).unwrap();
    store.blocking().audit(1).unwrap();
    assert!(path.exists());
}

#[tokio::test]
async fn async_wrappers_and_the_executor_journal_reach_the_backend() {
    let store = Store::in_memory().unwrap();
    store
        .insert_operation(&op("op-1"), &json!({"steps": []}), &json!({}))
        .await
        .unwrap();
    store
        .commit(
            "op-1",
            JournalEntry::StepStarted {
                step: "s".into(),
                attempt: 1,
            },
        )
        .await
        .unwrap();
    store
        .commit("op-1", JournalEntry::Status(OperationStatus::Running))
        .await
        .unwrap();
    let err = store
        .commit("ghost", JournalEntry::Progress(3))
        .await
        .unwrap_err()
        .to_string();
    assert!(err.contains("ghost"), "{err}");

    let stored = store.find_operation("op").await.unwrap().unwrap();
    assert_eq!(stored.record.status, OperationStatus::Running);
    assert_eq!(store.steps("op-1").await.unwrap().len(), 1);
    assert_eq!(store.list_operations(5, Some("pg")).await.unwrap().len(), 1);
    assert_eq!(store.unfinished_operations().await.unwrap().len(), 1);
    let h = holder("op-1".into(), "c");
    let got = store
        .acquire_lock("pg", &h, Duration::from_secs(5))
        .await
        .unwrap();
    assert!(got.acquired().is_some());
    assert!(store.release_lock("pg", "op-1", "c").await.unwrap());
}

#[test]
fn a_busy_journal_says_which_file_and_to_retry() {
    let busy =
        rusqlite::Error::SqliteFailure(rusqlite::ffi::Error::new(rusqlite::ffi::SQLITE_BUSY), None);
    let err = StoreError::sqlite(std::path::Path::new("/x/journal.sqlite"), busy);
    assert!(err.is_busy());
    let msg = err.to_string();
    assert_eq!(
        msg,
        "journal /x/journal.sqlite is locked by another process; retry"
    );
}

#[tokio::test]
async fn the_log_tail_is_the_newest_lines_oldest_first_and_nothing_else() {
    let store = Store::in_memory().expect("store");
    store
        .insert_operation(&op("op-1"), &json!({}), &json!({}))
        .await
        .expect("insert");
    let ev = |kind| crate::domain::OperationEvent {
        operation_id: "op-1".into(),
        at: chrono::Utc::now(),
        kind,
    };
    let mut evs = Vec::new();
    for i in 0..5 {
        evs.push(ev(EventKind::Log {
            line: format!("line {i}"),
        }));
        evs.push(ev(EventKind::Progress { percent: i * 10 }));
    }
    store.append_events(evs).await.expect("append");
    let tail = store.log_tail("op-1", 3).await.expect("tail");
    let lines: Vec<String> = tail
        .iter()
        .map(|e| match &e.kind {
            EventKind::Log { line } => line.clone(),
            other => panic!("not a log line: {other:?}"),
        })
        .collect();
    assert_eq!(lines, ["line 2", "line 3", "line 4"]);
}
