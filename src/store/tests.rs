use super::*;
use crate::domain::EventKind;
use crate::domain::StoreConfig;
use crate::domain::{Actor, OperationStatus, OperationType, ResultData};
use crate::secret::Secret;
use serde_json::json;
use std::sync::Barrier;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::thread;

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
fn open_creates_the_directory_and_refuses_postgres() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("deep/er/journal.sqlite");
    let store = Store::open(&StoreConfig::Sqlite(Some(path.clone()))).unwrap();
    store.blocking().audit(1).unwrap();
    assert!(path.exists());

    let err = Store::open(&StoreConfig::Postgres(Secret::new("postgres://u:pw@db/x")))
        .err()
        .unwrap();
    assert!(matches!(err, StoreError::Unsupported(_)));
    let msg = err.to_string();
    assert!(msg.contains("PostgreSQL journal is not built yet"), "{msg}");
    assert!(!msg.contains("pw"), "never print the URL: {msg}");
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
    assert!(store.release_lock("pg", "op-1").await.unwrap());
}

/// Two consoles (two connections to one file), several threads each, all racing for one lock:
/// never two holders at once, and the busy timeout hides every SQLITE_BUSY.
#[test]
fn two_processes_racing_for_a_lock_never_both_hold_it() {
    const THREADS_PER_STORE: usize = 3;
    const ROUNDS: usize = 25;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("journal.sqlite");
    let stores = [
        Store::open_sqlite(&path).unwrap(),
        Store::open_sqlite(&path).unwrap(),
    ];
    let holders = Arc::new(AtomicUsize::new(0));
    let wins = Arc::new(AtomicUsize::new(0));
    let barrier = Arc::new(Barrier::new(2 * THREADS_PER_STORE));
    let mut threads = Vec::new();
    for (s, store) in stores.iter().enumerate() {
        for t in 0..THREADS_PER_STORE {
            let (store, holders, wins, barrier) = (
                store.clone(),
                holders.clone(),
                wins.clone(),
                barrier.clone(),
            );
            threads.push(thread::spawn(move || {
                barrier.wait();
                for round in 0..ROUNDS {
                    let me = holder(format!("op-{s}-{t}-{round}"), &format!("console-{s}"));
                    let db = store.blocking();
                    match db.acquire_lock("pg", &me, Duration::from_secs(30)) {
                        Ok(LockOutcome::Acquired(_)) => {
                            assert_eq!(holders.fetch_add(1, Ordering::SeqCst), 0, "two holders");
                            wins.fetch_add(1, Ordering::SeqCst);
                            thread::sleep(Duration::from_millis(1));
                            holders.fetch_sub(1, Ordering::SeqCst);
                            assert!(db.release_lock("pg", &me.operation_id).unwrap());
                        }
                        Ok(LockOutcome::Held(_)) => thread::yield_now(),
                        Ok(other) => panic!("no lease expires here: {other:?}"),
                        Err(e) => panic!("store error under contention: {e}"),
                    }
                }
            }));
        }
    }
    for t in threads {
        t.join().unwrap();
    }
    assert!(wins.load(Ordering::SeqCst) > 0);
    assert_eq!(stores[0].blocking().get_lock("pg").unwrap(), None);
}

#[test]
fn compare_and_set_from_two_processes_loses_no_update() {
    const INCREMENTS: usize = 20;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("journal.sqlite");
    let a = Store::open_sqlite(&path).unwrap();
    let b = Store::open_sqlite(&path).unwrap();
    a.blocking()
        .put_group_state(&GroupState::initial("pg", "site-a"), None)
        .unwrap();
    let bump = |store: Store| {
        thread::spawn(move || {
            let db = store.blocking();
            let mut done = 0;
            while done < INCREMENTS {
                let mut st = db.group_state("pg").unwrap().unwrap();
                let expected = st.metadata_version;
                st.failover_count += 1;
                match db.put_group_state(&st, Some(expected)) {
                    Ok(()) => done += 1,
                    Err(StoreError::Conflict { .. }) => {}
                    Err(e) => panic!("{e}"),
                }
            }
        })
    };
    let (ta, tb) = (bump(a.clone()), bump(b));
    ta.join().unwrap();
    tb.join().unwrap();
    let st = a.blocking().group_state("pg").unwrap().unwrap();
    assert_eq!(st.failover_count as usize, 2 * INCREMENTS);
    assert_eq!(st.metadata_version as usize, 1 + 2 * INCREMENTS);
}

#[test]
fn consoles_opening_a_new_journal_at_once_all_succeed() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("journal.sqlite");
    let barrier = Arc::new(Barrier::new(6));
    let threads: Vec<_> = (0..6)
        .map(|_| {
            let (path, barrier) = (path.clone(), barrier.clone());
            thread::spawn(move || {
                barrier.wait();
                Store::open_sqlite(&path).map(|_| ())
            })
        })
        .collect();
    for t in threads {
        t.join().unwrap().unwrap();
    }
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

#[test]
fn every_event_kind_survives_the_journal() {
    use crate::domain::Phase;
    let store = Store::in_memory().unwrap();
    let kinds = [
        EventKind::StepStarted {
            step: "s".into(),
            label: "Stop web-1".into(),
            attempt: 2,
        },
        EventKind::StepProgress {
            step: "s".into(),
            done: 1,
            total: 3,
        },
        EventKind::StepSucceeded {
            step: "s".into(),
            duration_ms: 12,
        },
        EventKind::StepFailed {
            step: "s".into(),
            error: "e".into(),
            will_retry: false,
        },
        EventKind::StepCompensated {
            step: "s".into(),
            undo: crate::domain::Undo::NothingToUndo,
        },
        EventKind::Phase {
            phase: Phase::Storage,
        },
        EventKind::Progress { percent: 55 },
        EventKind::Status {
            status: OperationStatus::RollingBack,
        },
        EventKind::Log { line: "l".into() },
    ];
    let events: Vec<OperationEvent> = kinds
        .into_iter()
        .map(|kind| OperationEvent {
            operation_id: "op".into(),
            at: chrono::Utc::now(),
            kind,
        })
        .collect();
    for ev in &events {
        store.blocking().append_event(ev).unwrap();
    }
    let back: Vec<OperationEvent> = store
        .blocking()
        .events("op", 0)
        .unwrap()
        .into_iter()
        .map(|(_, ev)| ev)
        .collect();
    assert_eq!(back, events);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn steps_journaled_at_once_are_all_durable_and_a_bad_one_fails_alone() {
    use crate::domain::JournalEntry;
    let dir = tempfile::tempdir().expect("dir");
    let store = Store::open_sqlite(&dir.path().join("j.sqlite")).expect("open");
    store
        .insert_operation(&op("op-1"), &serde_json::json!({}), &serde_json::json!({}))
        .await
        .expect("insert");
    let mut tasks = Vec::new();
    for i in 0..200 {
        let s = store.clone();
        tasks.push(tokio::spawn(async move {
            let entry = JournalEntry::StepStarted {
                step: format!("step-{i}"),
                attempt: 1,
            };
            s.commit("op-1", entry).await
        }));
    }
    let stray = store.commit(
        "no-such-op",
        JournalEntry::StepStarted {
            step: "x".into(),
            attempt: 1,
        },
    );
    assert!(
        stray.await.is_err(),
        "an entry of an unknown operation is refused"
    );
    for t in tasks {
        t.await.expect("join").expect("journaled");
    }
    let reopened = Store::open_sqlite(&dir.path().join("j.sqlite")).expect("reopen");
    assert_eq!(reopened.steps("op-1").await.expect("steps").len(), 200);
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

#[test]
fn a_pending_fence_survives_the_journal_and_is_cleared() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open_sqlite(&dir.path().join("journal.sqlite")).unwrap();
    let db = store.blocking();
    let mut st = GroupState::initial("web-app", "site-a");
    st.fence_pending = Some(crate::domain::FencePending {
        site: "site-a".into(),
        operation_id: "op-1".into(),
        since: chrono::Utc::now(),
    });
    db.put_group_state(&st, None).unwrap();
    assert_eq!(db.group_state("web-app").unwrap().unwrap(), st);
    st.fence_pending = None;
    db.put_group_state(&st, Some(st.metadata_version)).unwrap();
    assert_eq!(
        db.group_state("web-app").unwrap().unwrap().fence_pending,
        None
    );
}
