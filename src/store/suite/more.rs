//! RPO history, the change feed, moving a journal between engines, the schema status, and the
//! async face with the executor's group commit.

use super::{event, holder, journals, now, op};
use crate::domain::{EventKind, GroupState, JournalEntry, OperationStatus};
use crate::store::{RpoSample, Store, StoreError, dump};
use chrono::Duration as Span;
use serde_json::json;
use std::time::Duration;

#[test]
fn rpo_samples_keep_one_series_across_consoles_and_read_a_window() {
    for j in journals() {
        let db = j.db();
        let t0 = now() - Span::minutes(10);
        let sample = |secs: i64, rpo: i64| RpoSample {
            group: "web".into(),
            at: t0 + Span::seconds(secs),
            rpo_seconds: rpo,
        };
        let spacing = Duration::from_secs(5);
        assert!(db.record_rpo(&sample(0, 30), spacing).unwrap());
        assert!(
            !db.record_rpo(&sample(2, 31), spacing).unwrap(),
            "{}: too close",
            j.engine
        );
        assert!(db.record_rpo(&sample(5, 35), spacing).unwrap());
        assert!(db.record_rpo(&sample(60, 90), spacing).unwrap());
        let other = RpoSample {
            group: "db".into(),
            ..sample(60, 1)
        };
        assert!(
            db.record_rpo(&other, spacing).unwrap(),
            "groups are separate"
        );
        let all = db.rpo_history("web", t0, 100).unwrap();
        assert_eq!(
            all,
            vec![sample(0, 30), sample(5, 35), sample(60, 90)],
            "{}",
            j.engine
        );
        assert_eq!(
            db.rpo_history("web", t0 + Span::seconds(1), 100)
                .unwrap()
                .len(),
            2
        );
        assert_eq!(
            db.rpo_history("web", t0, 2).unwrap(),
            vec![sample(5, 35), sample(60, 90)]
        );
        assert_eq!(db.prune_rpo(t0 + Span::seconds(30)).unwrap(), 2);
        assert_eq!(
            db.rpo_history("web", t0, 100).unwrap(),
            vec![sample(60, 90)]
        );
    }
}

/// Another console's new operation wakes a subscriber without it reading any table.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn another_consoles_operation_wakes_a_subscriber() {
    for j in journals() {
        let watcher = j.another();
        let mut changes = watcher.changes().await.expect("subscribe");
        changes.mark_seen();
        j.store
            .insert_operation(&op("op-1", "pg"), &json!(null), &json!(null))
            .await
            .unwrap();
        tokio::time::timeout(Duration::from_secs(5), changes.changed())
            .await
            .unwrap_or_else(|_| panic!("{}: no change seen", j.engine))
            .expect("journal open");
        let seen = watcher.list_operations(5, None).await.unwrap();
        assert_eq!(seen[0].id, "op-1", "{}", j.engine);
        // A write of the watcher's own process is seen too.
        changes.mark_seen();
        watcher
            .append_event(&event("op-1", EventKind::Log { line: "x".into() }))
            .await
            .unwrap();
        tokio::time::timeout(Duration::from_secs(5), changes.changed())
            .await
            .unwrap_or_else(|_| panic!("{}: own write not seen", j.engine))
            .expect("journal open");
    }
}

fn fill(db: &dyn crate::store::JournalBackend) {
    let mut rec = op("op-1", "web");
    rec.status = OperationStatus::Completed;
    rec.started_at = Some(now());
    db.insert_operation(&rec, &json!({"steps": ["a"]}), &json!({"force": false}))
        .unwrap();
    db.insert_operation(&op("op-2", "db"), &json!(null), &json!(null))
        .unwrap();
    for (o, e) in [
        (
            "op-1",
            JournalEntry::StepStarted {
                step: "a".into(),
                attempt: 1,
            },
        ),
        (
            "op-1",
            JournalEntry::StepSucceeded {
                step: "a".into(),
                output: json!({"v": 1}),
                duration_ms: 3,
            },
        ),
        (
            "op-2",
            JournalEntry::StepStarted {
                step: "b".into(),
                attempt: 2,
            },
        ),
    ] {
        db.record_step(o, &e).unwrap();
    }
    fill_rest(db);
}

fn fill_rest(db: &dyn crate::store::JournalBackend) {
    db.append_events(&[
        event("op-1", EventKind::Progress { percent: 50 }),
        event(
            "op-2",
            EventKind::Log {
                line: "hello".into(),
            },
        ),
    ])
    .unwrap();
    db.append_audit(&crate::store::AuditEntry {
        at: now(),
        actor: super::actor(),
        action: "operation.start".into(),
        group: Some("web".into()),
        operation_id: Some("op-1".into()),
        detail: "d".into(),
    })
    .unwrap();
    db.put_group_state(&GroupState::initial("web", "site-a"), None)
        .unwrap();
    // An expired lock: the crashed op-2 waits to be resumed.
    db.acquire_lock("db", &holder("op-2", "gone:1:abcdef"), Duration::ZERO)
        .unwrap();
    db.record_rpo(
        &RpoSample {
            group: "web".into(),
            at: now(),
            rpo_seconds: 42,
        },
        Duration::ZERO,
    )
    .unwrap();
}

/// Every row moves SQLite → PostgreSQL → SQLite unchanged; a journal in use and a non-empty
/// target are refused.
#[test]
fn a_journal_moves_between_engines_and_back_unchanged() {
    let all = journals();
    let from = &all[0];
    fill(from.db());
    let original = from.db().export().unwrap();
    for to in &all {
        let back = tempfile::tempdir().unwrap();
        let returned = Store::open_sqlite(&back.path().join("back.sqlite")).unwrap();
        if to.engine != from.engine {
            let counts = dump::copy(from.db(), to.db(), false).unwrap();
            assert_eq!(counts, original.counts());
            assert_eq!(to.db().export().unwrap(), original, "{}", to.engine);
            dump::copy(to.db(), returned.blocking(), false).unwrap();
            assert_eq!(returned.blocking().export().unwrap(), original);
            // The moved journal goes on numbering after what it holds.
            let seq = to
                .db()
                .append_event(&event("op-1", EventKind::Log { line: "n".into() }))
                .unwrap();
            assert!(seq > original.events.last().unwrap().0, "{}", to.engine);
        }
        let err = dump::copy(from.db(), returned.blocking(), false);
        let msg = match (to.engine != from.engine, err) {
            (true, Err(StoreError::Refused(m))) => m,
            (true, other) => panic!("a non-empty target must be refused: {other:?}"),
            (false, _) => continue,
        };
        assert!(
            msg.contains("not empty") && msg.contains("--replace"),
            "{msg}"
        );
        dump::copy(from.db(), returned.blocking(), true).expect("--replace");
        assert_eq!(returned.blocking().export().unwrap(), original);
    }
    // A live lock: an operation runs on the source.
    from.db()
        .acquire_lock(
            "web",
            &holder("op-1", "here:1:aaaaaa"),
            Duration::from_secs(60),
        )
        .unwrap();
    let empty = tempfile::tempdir().unwrap();
    let target = Store::open_sqlite(&empty.path().join("t.sqlite")).unwrap();
    match dump::copy(from.db(), target.blocking(), false) {
        Err(StoreError::Refused(m)) => assert!(m.contains("live locks on web"), "{m}"),
        other => panic!("a journal in use must not be copied: {other:?}"),
    }
    assert_eq!(target.blocking().counts().unwrap().total(), 0);
}

#[test]
fn the_schema_status_names_what_a_migration_would_add() {
    for j in journals() {
        let st = j.db().schema_status().unwrap();
        assert_eq!(
            (st.version, st.pending.len()),
            (crate::store::migrations::LATEST, 0)
        );
        let inspected = Store::inspect(&j.config).unwrap();
        assert_eq!(
            inspected.blocking().schema_status().unwrap(),
            st,
            "{}",
            j.engine
        );
    }
    let pending = crate::store::migrations::pending(1);
    let versions: Vec<u32> = pending.iter().map(|(v, _)| *v).collect();
    assert_eq!(versions, vec![2, 3, 4]);
    assert_eq!(
        pending[1],
        (3, "a forced failover's pending fence".to_string())
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn steps_committed_at_once_are_all_durable_and_a_bad_one_fails_alone() {
    for j in journals() {
        let store = j.store.clone();
        store
            .insert_operation(&op("op-1", "pg"), &json!({}), &json!({}))
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
        assert_eq!(
            j.another().steps("op-1").await.expect("steps").len(),
            200,
            "{}",
            j.engine
        );
    }
}
