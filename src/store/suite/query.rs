//! `ops list`'s filters, on both engines: group, types, statuses and a start time, each narrowing
//! the newest-first list.

use super::{journals, now, op};
use crate::domain::{OperationRecord, OperationStatus as S, OperationType as T};
use crate::store::OperationQuery;
use serde_json::json;

#[test]
fn operations_are_listed_by_group_type_status_and_start() {
    for j in journals() {
        let db = j.db();
        let t0 = now();
        let rows = [
            ("1", "pg-a", T::PlannedFailover, S::Completed, -7200),
            ("2", "pg-b", T::Failover, S::Failed, -60),
            ("3", "pg-a", T::TestFailover, S::Completed, -30),
            ("4", "pg-a", T::Failover, S::Completed, -10),
            ("5", "pg-b", T::SyncNow, S::Running, 0),
        ];
        for (id, group, ty, status, secs) in rows {
            let mut rec = op(id, group);
            rec.operation_type = ty;
            rec.status = status;
            rec.started_at = Some(t0 + chrono::Duration::seconds(secs));
            db.insert_operation(&rec, &json!(null), &json!(null))
                .unwrap();
        }
        let ids = |q: OperationQuery| {
            let v: Vec<OperationRecord> = db.query_operations(&q).unwrap();
            v.into_iter().map(|o| o.id).collect::<Vec<_>>()
        };
        let all = OperationQuery::newest(10);
        assert_eq!(ids(all.clone()), ["5", "4", "3", "2", "1"], "{}", j.engine);
        let failovers = OperationQuery {
            types: vec![T::PlannedFailover, T::Failover],
            ..all.clone()
        };
        assert_eq!(ids(failovers.clone()), ["4", "2", "1"], "{}", j.engine);
        let of_a = OperationQuery {
            group: Some("pg-a".into()),
            statuses: vec![S::Completed],
            ..failovers.clone()
        };
        assert_eq!(ids(of_a), ["4", "1"], "{}", j.engine);
        let recent = OperationQuery {
            since: Some(t0 - chrono::Duration::seconds(120)),
            ..failovers
        };
        assert_eq!(ids(recent), ["4", "2"], "{}", j.engine);
        let none = OperationQuery {
            statuses: vec![S::Cancelled],
            ..all.clone()
        };
        assert!(ids(none).is_empty(), "{}", j.engine);
        assert_eq!(ids(OperationQuery { limit: 2, ..all }), ["5", "4"]);
    }
}
