use super::super::error::StoreError;
use super::super::records::{AuditEntry, LockHolder, LockOutcome, StepStatus};
use super::{JournalBackend, SqliteBackend, schema};
use crate::domain::{
    Actor, GroupState, GroupStatus, OperationRecord, OperationStatus, OperationType, ResultData,
};
use crate::domain::{EventKind, JournalEntry, OperationEvent};
use chrono::Utc;
use serde_json::json;
use std::path::PathBuf;
use std::time::Duration;

fn actor() -> Actor {
    Actor {
        user: "ops".into(),
        host: "console-1".into(),
        ssh_client: Some("10.0.0.9".into()),
    }
}

fn op(id: &str, group: &str) -> OperationRecord {
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

fn temp() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("journal.sqlite");
    (dir, path)
}

fn mem() -> SqliteBackend {
    SqliteBackend::open_in_memory().unwrap()
}

fn holder(op: &str, console: &str) -> LockHolder {
    LockHolder {
        operation_id: op.into(),
        operation_type: OperationType::Failover,
        actor: actor(),
        console_id: console.into(),
    }
}

#[test]
fn migrations_are_idempotent_on_reopen() {
    let (_dir, path) = temp();
    let db = SqliteBackend::open(&path).unwrap();
    db.insert_operation(&op("op-1", "pg"), &json!({}), &json!({}))
        .unwrap();
    drop(db);
    for _ in 0..2 {
        let db = SqliteBackend::open(&path).unwrap();
        assert_eq!(db.schema_version().unwrap(), schema::LATEST);
        let conn = db.conn();
        let rows: u32 = conn
            .query_row("SELECT COUNT(*) FROM schema_version", [], |r| r.get(0))
            .unwrap();
        assert_eq!(rows, schema::LATEST);
        let mode: String = conn
            .query_row("PRAGMA journal_mode", [], |r| r.get(0))
            .unwrap();
        assert_eq!(mode, "wal");
        drop(conn);
        assert!(db.get_operation("op-1").unwrap().is_some());
    }
}

#[test]
fn a_newer_schema_is_refused_with_a_clear_error() {
    let (_dir, path) = temp();
    drop(SqliteBackend::open(&path).unwrap());
    let raw = rusqlite::Connection::open(&path).unwrap();
    raw.execute(
        "INSERT INTO schema_version (version, applied_at) VALUES (?1, 'later')",
        [schema::LATEST + 1],
    )
    .unwrap();
    drop(raw);
    let err = SqliteBackend::open(&path).err().unwrap();
    assert!(
        matches!(err, StoreError::SchemaTooNew { found, .. } if found == schema::LATEST + 1),
        "{err:?}"
    );
    let msg = err.to_string();
    assert!(
        msg.contains("newer than this drconsole understands"),
        "{msg}"
    );
    assert!(msg.contains(&path.display().to_string()), "{msg}");
}

#[test]
fn a_file_that_is_not_a_journal_is_named() {
    let (_dir, path) = temp();
    std::fs::write(&path, vec![b'x'; 4096]).unwrap();
    let msg = SqliteBackend::open(&path).err().unwrap().to_string();
    assert!(msg.contains("not a drconsole journal"), "{msg}");
    assert!(msg.contains("journal.sqlite"), "{msg}");
}

#[test]
fn operation_round_trips() {
    let db = mem();
    let mut rec = op("op-1", "pg");
    rec.status = OperationStatus::Running;
    rec.started_at = Some(Utc::now());
    rec.steps_completed = vec!["a".into()];
    rec.result_data.current_primary_site = Some("site-b".into());
    rec.result_data.data_loss_seconds = Some(12);
    let plan = json!({"steps": [{"id": "a"}]});
    db.insert_operation(&rec, &plan, &json!({"force": true}))
        .unwrap();
    let got = db.get_operation("op-1").unwrap().unwrap();
    assert_eq!(got.record, rec);
    assert_eq!(got.plan, plan);
    assert_eq!(got.options, json!({"force": true}));
    assert_eq!(got.owner, None);

    rec.status = OperationStatus::Completed;
    rec.progress = 100;
    rec.completed_at = Some(Utc::now());
    rec.error_message = Some("none".into());
    db.update_operation(&rec).unwrap();
    let got = db.get_operation("op-1").unwrap().unwrap();
    assert_eq!(got.record, rec);
    assert_eq!(got.plan, plan, "update keeps the plan");

    assert!(db.get_operation("nope").unwrap().is_none());
    assert!(matches!(
        db.update_operation(&op("nope", "pg")),
        Err(StoreError::NotFound { .. })
    ));
    assert!(
        db.insert_operation(&rec, &plan, &json!({})).is_err(),
        "ids are unique"
    );
}

#[test]
fn operations_list_newest_first_and_unfinished_oldest_first() {
    let db = mem();
    let statuses = [
        ("1", "pg-a", OperationStatus::Completed),
        ("2", "pg-b", OperationStatus::Running),
        ("3", "pg-a", OperationStatus::Failed),
        ("4", "pg-a", OperationStatus::RollingBack),
        ("5", "pg-b", OperationStatus::Pending),
    ];
    for (id, group, status) in statuses {
        let mut rec = op(id, group);
        rec.status = status;
        db.insert_operation(&rec, &json!(null), &json!(null))
            .unwrap();
    }
    let ids = |v: Vec<OperationRecord>| v.into_iter().map(|o| o.id).collect::<Vec<_>>();
    assert_eq!(
        ids(db.list_operations(10, None).unwrap()),
        ["5", "4", "3", "2", "1"]
    );
    assert_eq!(ids(db.list_operations(2, None).unwrap()), ["5", "4"]);
    assert_eq!(
        ids(db.list_operations(10, Some("pg-a")).unwrap()),
        ["4", "3", "1"]
    );
    let unfinished: Vec<String> = db
        .unfinished_operations()
        .unwrap()
        .into_iter()
        .map(|o| o.record.id)
        .collect();
    assert_eq!(unfinished, ["2", "4", "5"]);
}

#[test]
fn operations_are_found_by_prefix() {
    let db = mem();
    for id in ["3f2a-0001", "3f2b-0002", "3f2b-0003"] {
        db.insert_operation(&op(id, "pg"), &json!(null), &json!(null))
            .unwrap();
    }
    let found = |p: &str| db.find_operation(p).map(|o| o.map(|o| o.record.id));
    assert_eq!(found("3f2a").unwrap().as_deref(), Some("3f2a-0001"));
    assert_eq!(found("3f2b-0003").unwrap().as_deref(), Some("3f2b-0003"));
    assert_eq!(found("zz").unwrap(), None);
    assert_eq!(found("").unwrap(), None);
    match found("3f2b") {
        Err(StoreError::Ambiguous { matches, .. }) => {
            assert_eq!(matches, ["3f2b-0002", "3f2b-0003"]);
        }
        other => panic!("expected ambiguity, got {other:?}"),
    }
    // Wildcards in the prefix are taken literally.
    assert_eq!(found("3f2_").unwrap(), None);
    assert_eq!(found("%").unwrap(), None);
}

#[test]
fn steps_are_journaled_from_executor_entries() {
    let db = mem();
    db.insert_operation(&op("op", "pg"), &json!(null), &json!(null))
        .unwrap();
    let entries = [
        JournalEntry::Status(OperationStatus::Running),
        JournalEntry::StepStarted {
            step: "stop".into(),
            attempt: 1,
        },
        JournalEntry::StepSucceeded {
            step: "stop".into(),
            output: json!({"stopped": ["vm-1"]}),
            duration_ms: 40,
        },
        JournalEntry::Progress(20),
        JournalEntry::StepStarted {
            step: "sync".into(),
            attempt: 1,
        },
        JournalEntry::StepStarted {
            step: "sync".into(),
            attempt: 2,
        },
        JournalEntry::StepFailed {
            step: "sync".into(),
            error: "array timed out".into(),
        },
        JournalEntry::Status(OperationStatus::RollingBack),
        JournalEntry::StepCompensated {
            step: "stop".into(),
            undo: crate::domain::Undo::Undone,
        },
        JournalEntry::Status(OperationStatus::Failed),
    ];
    for e in &entries {
        db.record_step("op", e).unwrap();
    }
    let steps = db.steps("op").unwrap();
    assert_eq!(steps.len(), 2);
    let (stop, sync) = (&steps[0], &steps[1]);
    assert_eq!(stop.step_id, "stop");
    assert_eq!(stop.status, StepStatus::Compensated);
    assert_eq!(stop.output, Some(json!({"stopped": ["vm-1"]})));
    assert_eq!(stop.duration_ms, Some(40));
    assert!(stop.finished_at.is_some() && stop.compensated_at.is_some());
    assert_eq!(sync.step_id, "sync");
    assert_eq!(sync.status, StepStatus::Failed);
    assert_eq!(sync.attempt, 2);
    assert_eq!(sync.error.as_deref(), Some("array timed out"));
    assert_eq!(sync.output, None);

    let rec = db.get_operation("op").unwrap().unwrap().record;
    assert_eq!(rec.status, OperationStatus::Failed);
    assert_eq!(rec.progress, 20);
    assert!(rec.started_at.is_some() && rec.completed_at.is_some());
    assert_eq!(rec.steps_completed, ["stop"]);
    assert_eq!(rec.steps_failed, ["sync"]);

    let err = db
        .record_step("ghost", &JournalEntry::Progress(1))
        .err()
        .unwrap();
    assert!(matches!(err, StoreError::NotFound { .. }), "{err:?}");
}

#[test]
fn a_retried_step_keeps_its_first_start_and_succeeds_once() {
    let db = mem();
    db.insert_operation(&op("op", "pg"), &json!(null), &json!(null))
        .unwrap();
    let start = |attempt| JournalEntry::StepStarted {
        step: "s".into(),
        attempt,
    };
    db.record_step("op", &start(1)).unwrap();
    let first = db.steps("op").unwrap()[0].started_at;
    db.record_step("op", &start(2)).unwrap();
    let ok = JournalEntry::StepSucceeded {
        step: "s".into(),
        output: json!(1),
        duration_ms: 5,
    };
    db.record_step("op", &ok).unwrap();
    db.record_step("op", &ok).unwrap();
    let step = &db.steps("op").unwrap()[0];
    assert_eq!(step.started_at, first);
    assert_eq!(step.status, StepStatus::Succeeded);
    let rec = db.get_operation("op").unwrap().unwrap().record;
    assert_eq!(rec.steps_completed, ["s"], "listed once");
}

fn event(op: &str, kind: EventKind) -> OperationEvent {
    OperationEvent {
        operation_id: op.into(),
        at: Utc::now(),
        kind,
    }
}

#[test]
fn events_are_read_after_a_sequence_number() {
    let db = mem();
    let e1 = event("a", EventKind::Progress { percent: 10 });
    let e2 = event(
        "b",
        EventKind::Log {
            line: "other op".into(),
        },
    );
    let e3 = event(
        "a",
        EventKind::StepFailed {
            step: "s".into(),
            error: "boom".into(),
            will_retry: true,
        },
    );
    let s1 = db.append_event(&e1).unwrap();
    let s2 = db.append_event(&e2).unwrap();
    let s3 = db.append_event(&e3).unwrap();
    assert!(s1 < s2 && s2 < s3);
    assert_eq!(
        db.events("a", 0).unwrap(),
        vec![(s1, e1.clone()), (s3, e3.clone())]
    );
    assert_eq!(db.events("a", s1).unwrap(), vec![(s3, e3)]);
    assert!(db.events("a", s3).unwrap().is_empty());
}

#[test]
fn audit_is_append_only() {
    let (_dir, path) = temp();
    let db = SqliteBackend::open(&path).unwrap();
    for (i, action) in ["operation.start", "lock.takeover"].iter().enumerate() {
        db.append_audit(&AuditEntry {
            at: Utc::now(),
            actor: actor(),
            action: (*action).into(),
            group: Some("pg".into()),
            operation_id: (i == 0).then(|| "op-1".to_string()),
            detail: format!("entry {i}"),
        })
        .unwrap();
    }
    let newest = db.audit(10).unwrap();
    assert_eq!(newest.len(), 2);
    assert_eq!(newest[0].action, "lock.takeover");
    assert_eq!(newest[1].operation_id.as_deref(), Some("op-1"));
    assert_eq!(db.audit(1).unwrap().len(), 1);

    let raw = rusqlite::Connection::open(&path).unwrap();
    let update = raw.execute("UPDATE audit SET detail = 'forged'", []);
    assert!(
        update.unwrap_err().to_string().contains("append-only"),
        "UPDATE must fail"
    );
    assert!(raw.execute("DELETE FROM audit", []).is_err());
    assert_eq!(db.audit(10).unwrap(), newest);
}

#[test]
fn group_state_is_compare_and_set() {
    let db = mem();
    let mut st = GroupState::initial("pg", "site-a");
    db.put_group_state(&st, None).unwrap();
    assert_eq!(db.group_state("pg").unwrap(), Some(st.clone()));

    match db.put_group_state(&st, None) {
        Err(StoreError::Conflict { current, .. }) => assert_eq!(current.as_deref(), Some(&st)),
        other => panic!("insert over an existing state must conflict: {other:?}"),
    }
    st.status = GroupStatus::FailingOver;
    db.put_group_state(&st, Some(1)).unwrap();
    let stored = db.group_state("pg").unwrap().unwrap();
    assert_eq!(stored.metadata_version, 2, "expected + 1");
    assert_eq!(stored.status, GroupStatus::FailingOver);

    st.status = GroupStatus::FailedOver;
    let err = db.put_group_state(&st, Some(1)).err().unwrap();
    assert!(err.to_string().contains("found 2"), "{err}");
    assert_eq!(db.group_state("pg").unwrap(), Some(stored));
    assert!(matches!(
        db.put_group_state(&GroupState::initial("new", "a"), Some(1)),
        Err(StoreError::Conflict { current: None, .. })
    ));
    db.put_group_state(&GroupState::initial("aa", "a"), None)
        .unwrap();
    let names: Vec<String> = db
        .all_group_states()
        .unwrap()
        .into_iter()
        .map(|g| g.name)
        .collect();
    assert_eq!(names, ["aa", "pg"]);
}

#[test]
fn locks_have_leases() {
    let db = mem();
    let long = Duration::from_secs(60);
    let a = holder("op-a", "console-a");
    let b = holder("op-b", "console-b");

    let LockOutcome::Acquired(lock) = db.acquire_lock("pg", &a, long).unwrap() else {
        panic!("a free lock is acquired");
    };
    assert_eq!(lock.holder, a);
    assert_eq!(db.get_lock("pg").unwrap(), Some(lock.clone()));
    match db.acquire_lock("pg", &b, long).unwrap() {
        LockOutcome::Held(held) => assert_eq!(held.holder, a),
        other => panic!("expected held, got {other:?}"),
    }
    // Re-entrant for the same operation: the lease is extended, acquired_at kept.
    let again = db.acquire_lock("pg", &a, long).unwrap().acquired().unwrap();
    assert_eq!(again.acquired_at, lock.acquired_at);

    assert!(db.renew_lock("pg", "op-a", Duration::ZERO).unwrap());
    assert!(db.get_lock("pg").unwrap().unwrap().is_expired(Utc::now()));
    match db.acquire_lock("pg", &b, long).unwrap() {
        LockOutcome::TakenOver { lock, from } => {
            assert_eq!(lock.holder, b);
            assert_eq!(from.holder, a);
        }
        other => panic!("an expired lease is taken over, got {other:?}"),
    }
    assert!(!db.renew_lock("pg", "op-a", long).unwrap(), "no longer a's");
    assert!(!db.release_lock("pg", "op-a").unwrap());
    assert!(db.renew_lock("pg", "op-b", long).unwrap());
    assert_eq!(db.all_locks().unwrap().len(), 1);
    assert!(db.release_lock("pg", "op-b").unwrap());
    assert_eq!(db.get_lock("pg").unwrap(), None);
    assert!(matches!(
        db.acquire_lock("pg", &a, long).unwrap(),
        LockOutcome::Acquired(_)
    ));
}

#[test]
fn the_owner_of_an_operation_is_its_live_lease_holder() {
    let db = mem();
    db.insert_operation(&op("op-a", "pg"), &json!(null), &json!(null))
        .unwrap();
    let owner = || db.get_operation("op-a").unwrap().unwrap().owner;
    assert_eq!(owner(), None);
    db.acquire_lock("pg", &holder("op-a", "console-a"), Duration::from_secs(60))
        .unwrap();
    assert_eq!(owner().as_deref(), Some("console-a"));
    assert_eq!(
        db.unfinished_operations().unwrap()[0].owner.as_deref(),
        Some("console-a")
    );
    db.renew_lock("pg", "op-a", Duration::ZERO).unwrap();
    assert_eq!(owner(), None, "an expired lease owns nothing");
}
