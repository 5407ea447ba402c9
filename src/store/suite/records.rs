//! Operations, steps, events, audit and group state: the same answers from both engines.

use super::{event, journals, now, op};
use crate::domain::{EventKind, GroupState, GroupStatus, JournalEntry, OperationStatus};
use crate::store::{AuditEntry, StepStatus, StoreError};
use serde_json::json;

#[test]
fn operation_round_trips() {
    for j in journals() {
        let db = j.db();
        let mut rec = op("op-1", "pg");
        rec.status = OperationStatus::Running;
        rec.started_at = Some(now());
        rec.steps_completed = vec!["a".into()];
        rec.result_data.current_primary_site = Some("site-b".into());
        rec.result_data.data_loss_seconds = Some(12);
        let plan = json!({"steps": [{"id": "a"}]});
        db.insert_operation(&rec, &plan, &json!({"force": true}))
            .unwrap();
        let got = db.get_operation("op-1").unwrap().unwrap();
        assert_eq!(got.record, rec, "{}", j.engine);
        assert_eq!(got.plan, plan);
        assert_eq!(got.options, json!({"force": true}));
        assert_eq!(got.owner, None);

        rec.status = OperationStatus::Completed;
        rec.progress = 100;
        rec.completed_at = Some(now());
        rec.error_message = Some("a site said \u{0}no".into());
        db.update_operation(&rec).unwrap();
        let got = db.get_operation("op-1").unwrap().unwrap();
        rec.error_message = got.error_message_kept(&rec);
        assert_eq!(got.record, rec, "{}", j.engine);
        assert_eq!(got.plan, plan, "update keeps the plan");

        assert!(db.get_operation("nope").unwrap().is_none());
        assert!(matches!(
            db.update_operation(&op("nope", "pg")),
            Err(StoreError::NotFound { .. })
        ));
        assert!(
            db.insert_operation(&rec, &plan, &json!({})).is_err(),
            "ids are unique ({})",
            j.engine
        );
    }
}

impl crate::store::StoredOperation {
    /// A NUL cannot be stored by PostgreSQL: it comes back as U+FFFD (SQLite keeps it).
    fn error_message_kept(&self, wrote: &crate::domain::OperationRecord) -> Option<String> {
        let back = self.record.error_message.clone();
        let wrote = wrote.error_message.clone();
        assert!(
            back == wrote || back == wrote.map(|w| w.replace('\0', "\u{fffd}")),
            "{back:?}"
        );
        back
    }
}

#[test]
fn operations_list_newest_first_and_unfinished_oldest_first() {
    for j in journals() {
        let db = j.db();
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
        let ids = |v: Vec<crate::domain::OperationRecord>| {
            v.into_iter().map(|o| o.id).collect::<Vec<_>>()
        };
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
        assert_eq!(unfinished, ["2", "4", "5"], "{}", j.engine);
    }
}

#[test]
fn operations_are_found_by_prefix() {
    for j in journals() {
        let db = j.db();
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
        assert_eq!(found("3f2_").unwrap(), None, "{}", j.engine);
        assert_eq!(found("%").unwrap(), None);
    }
}

fn started(step: &str, attempt: u32) -> JournalEntry {
    JournalEntry::StepStarted {
        step: step.into(),
        attempt,
    }
}

#[test]
fn steps_are_journaled_from_executor_entries() {
    for j in journals() {
        let db = j.db();
        db.insert_operation(&op("op", "pg"), &json!(null), &json!(null))
            .unwrap();
        let entries = [
            JournalEntry::Status(OperationStatus::Running),
            started("stop", 1),
            JournalEntry::StepSucceeded {
                step: "stop".into(),
                output: json!({"stopped": ["vm-1"]}),
                duration_ms: 40,
            },
            JournalEntry::Progress(20),
            started("sync", 1),
            started("sync", 2),
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
        assert_eq!(steps.len(), 2, "{}", j.engine);
        let (stop, sync) = (&steps[0], &steps[1]);
        assert_eq!(stop.step_id, "stop");
        assert_eq!(stop.status, StepStatus::Compensated);
        assert_eq!(stop.output, Some(json!({"stopped": ["vm-1"]})));
        assert_eq!(stop.duration_ms, Some(40));
        assert!(stop.finished_at.is_some() && stop.compensated_at.is_some());
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
        // A group commit with one bad entry writes none of them.
        let batch = [
            ("op".to_string(), started("late", 1)),
            ("ghost".to_string(), started("x", 1)),
        ];
        assert!(db.record_steps(&batch).is_err());
        assert_eq!(db.steps("op").unwrap().len(), 2, "{}", j.engine);
    }
}

#[test]
fn a_retried_step_keeps_its_first_start_and_succeeds_once() {
    for j in journals() {
        let db = j.db();
        db.insert_operation(&op("op", "pg"), &json!(null), &json!(null))
            .unwrap();
        db.record_step("op", &started("s", 1)).unwrap();
        let first = db.steps("op").unwrap()[0].started_at;
        db.record_step("op", &started("s", 2)).unwrap();
        let ok = JournalEntry::StepSucceeded {
            step: "s".into(),
            output: json!(1),
            duration_ms: 5,
        };
        db.record_step("op", &ok).unwrap();
        db.record_step("op", &ok).unwrap();
        let step = &db.steps("op").unwrap()[0];
        assert_eq!(step.started_at, first, "{}", j.engine);
        assert_eq!(step.status, StepStatus::Succeeded);
        let rec = db.get_operation("op").unwrap().unwrap().record;
        assert_eq!(rec.steps_completed, ["s"], "listed once");
    }
}

#[test]
fn events_are_read_after_a_sequence_number_and_every_kind_survives() {
    use crate::domain::Phase;
    for j in journals() {
        let db = j.db();
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
            EventKind::CancelRequested { by: "ops@b".into() },
        ];
        let mine: Vec<_> = kinds.into_iter().map(|k| event("a", k)).collect();
        let other = event("b", EventKind::Log { line: "x".into() });
        let first = db.append_event(&mine[0]).unwrap();
        let theirs = db.append_event(&other).unwrap();
        db.append_events(&mine[1..]).unwrap();
        assert!(first < theirs);
        let back = db.events("a", 0).unwrap();
        let evs: Vec<_> = back.iter().map(|(_, e)| e.clone()).collect();
        assert_eq!(evs, mine, "{}", j.engine);
        assert!(back.windows(2).all(|w| w[0].0 < w[1].0));
        assert_eq!(db.events("a", back[8].0).unwrap().len(), 1);
        assert_eq!(db.events("b", 0).unwrap(), vec![(theirs, other)]);
        assert_eq!(
            db.cancel_request("a", 0).unwrap(),
            Some((back[9].0, "ops@b".into()))
        );
        assert_eq!(db.cancel_request("a", back[9].0).unwrap(), None);
        assert_eq!(db.log_tail("a", 5).unwrap(), vec![mine[8].clone()]);
    }
}

#[test]
fn audit_is_newest_first() {
    for j in journals() {
        let db = j.db();
        for (i, action) in ["operation.start", "lock.takeover"].iter().enumerate() {
            db.append_audit(&AuditEntry {
                at: now(),
                actor: super::actor(),
                action: (*action).into(),
                group: Some("pg".into()),
                operation_id: (i == 0).then(|| "op-1".to_string()),
                detail: format!("entry {i}"),
            })
            .unwrap();
        }
        let newest = db.audit(10).unwrap();
        assert_eq!(newest.len(), 2, "{}", j.engine);
        assert_eq!(newest[0].action, "lock.takeover");
        assert_eq!(newest[1].operation_id.as_deref(), Some("op-1"));
        assert_eq!(db.audit(1).unwrap().len(), 1);
    }
}

#[test]
fn group_state_is_compare_and_set() {
    for j in journals() {
        let db = j.db();
        let mut st = GroupState::initial("pg", "site-a");
        db.put_group_state(&st, None).unwrap();
        assert_eq!(db.group_state("pg").unwrap(), Some(st.clone()));
        match db.put_group_state(&st, None) {
            Err(StoreError::Conflict { current, .. }) => {
                assert_eq!(current.as_deref(), Some(&st))
            }
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
        assert_eq!(names, ["aa", "pg"], "{}", j.engine);
    }
}

#[test]
fn a_pending_fence_survives_the_journal_and_is_cleared() {
    for j in journals() {
        let db = j.db();
        let mut st = GroupState::initial("web-app", "site-a");
        st.fence_pending = Some(crate::domain::FencePending {
            site: "site-a".into(),
            operation_id: "op-1".into(),
            since: now(),
        });
        db.put_group_state(&st, None).unwrap();
        let read = db.group_state("web-app").unwrap().unwrap();
        assert_eq!(read.fence_pending, st.fence_pending, "{}", j.engine);
        st.fence_pending = None;
        db.put_group_state(&st, Some(st.metadata_version)).unwrap();
        let read = db.group_state("web-app").unwrap().unwrap();
        assert_eq!(read.fence_pending, None, "{}", j.engine);
    }
}
