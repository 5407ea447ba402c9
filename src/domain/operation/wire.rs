//! The record's wire form (`--json`, reports): `operation_type` in the seed's vocabulary —
//! `failover`, `failback`, `test_failover`, `test_cleanup`, `sync_volumes`, and drconsole's own
//! `reprotect` and `fence` — with whether a failover was planned in a field of its own. The
//! journal keeps the internal names; a record written before (`planned_failover`, `sync_now`)
//! still reads.

use super::{Actor, OperationRecord, OperationStatus, OperationType, ResultData};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

impl OperationType {
    /// Its name in the seed's API (a planned failover is a `failover` with `planned: true`).
    pub fn wire_name(self) -> &'static str {
        match self {
            OperationType::PlannedFailover | OperationType::Failover => "failover",
            OperationType::SyncNow => "sync_volumes",
            other => other.as_str(),
        }
    }

    /// The type a wire name stands for: the seed's names (`failover` with `planned`), and the
    /// names records had before (`planned_failover`, `sync_now`).
    pub fn from_wire(name: &str, planned: Option<bool>) -> Option<Self> {
        match (name, planned) {
            ("failover", Some(true)) => Some(OperationType::PlannedFailover),
            ("sync_volumes", _) => Some(OperationType::SyncNow),
            (other, _) => OperationType::ALL.into_iter().find(|o| o.as_str() == other),
        }
    }

    /// The types a listing's `--type NAME` stands for: a seed name (`failover` is planned and
    /// unplanned), an internal one (`planned_failover`), `unplanned_failover`; dashes or
    /// underscores.
    pub fn named(name: &str) -> Option<Vec<Self>> {
        use OperationType as O;
        let norm = name.trim().replace('-', "_");
        Some(match norm.as_str() {
            "failover" => vec![O::PlannedFailover, O::Failover],
            "unplanned_failover" => vec![O::Failover],
            "sync_volumes" | "sync" => vec![O::SyncNow],
            other => vec![O::ALL.into_iter().find(|o| o.as_str() == other)?],
        })
    }

    /// Whether it is a planned failover, as the record's `planned` field says.
    pub fn planned(self) -> bool {
        self == OperationType::PlannedFailover
    }
}

/// The record as it is written and read.
#[derive(Serialize, Deserialize)]
pub(super) struct RecordWire {
    id: String,
    operation_type: String,
    #[serde(default)]
    planned: Option<bool>,
    protection_group: String,
    status: OperationStatus,
    progress: u8,
    source_site_id: String,
    target_site_id: String,
    started_at: Option<DateTime<Utc>>,
    completed_at: Option<DateTime<Utc>>,
    error_message: Option<String>,
    steps_completed: Vec<String>,
    steps_failed: Vec<String>,
    result_data: ResultData,
    actor: Actor,
}

/// A record whose `operation_type` no version of drconsole wrote.
#[derive(Debug, thiserror::Error)]
#[error("unknown operation_type {0:?}")]
pub struct UnknownOperationType(String);

impl From<OperationRecord> for RecordWire {
    fn from(r: OperationRecord) -> Self {
        RecordWire {
            operation_type: r.operation_type.wire_name().to_string(),
            planned: Some(r.operation_type.planned()),
            id: r.id,
            protection_group: r.protection_group,
            status: r.status,
            progress: r.progress,
            source_site_id: r.source_site_id,
            target_site_id: r.target_site_id,
            started_at: r.started_at,
            completed_at: r.completed_at,
            error_message: r.error_message,
            steps_completed: r.steps_completed,
            steps_failed: r.steps_failed,
            result_data: r.result_data,
            actor: r.actor,
        }
    }
}

impl TryFrom<RecordWire> for OperationRecord {
    type Error = UnknownOperationType;
    fn try_from(w: RecordWire) -> Result<Self, Self::Error> {
        let operation_type = OperationType::from_wire(&w.operation_type, w.planned)
            .ok_or(UnknownOperationType(w.operation_type))?;
        Ok(OperationRecord {
            id: w.id,
            operation_type,
            protection_group: w.protection_group,
            status: w.status,
            progress: w.progress,
            source_site_id: w.source_site_id,
            target_site_id: w.target_site_id,
            started_at: w.started_at,
            completed_at: w.completed_at,
            error_message: w.error_message,
            steps_completed: w.steps_completed,
            steps_failed: w.steps_failed,
            result_data: w.result_data,
            actor: w.actor,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn record(op: OperationType) -> OperationRecord {
        OperationRecord {
            id: "op-1".into(),
            operation_type: op,
            protection_group: "web-app".into(),
            status: OperationStatus::Completed,
            progress: 100,
            source_site_id: "site-a".into(),
            target_site_id: "site-b".into(),
            started_at: None,
            completed_at: None,
            error_message: None,
            steps_completed: Vec::new(),
            steps_failed: Vec::new(),
            result_data: ResultData::default(),
            actor: Actor::default(),
        }
    }

    #[test]
    fn the_record_speaks_the_seeds_names_and_reads_the_old_ones() {
        let table = [
            (OperationType::PlannedFailover, "failover", true),
            (OperationType::Failover, "failover", false),
            (OperationType::Failback, "failback", false),
            (OperationType::TestFailover, "test_failover", false),
            (OperationType::TestCleanup, "test_cleanup", false),
            (OperationType::SyncNow, "sync_volumes", false),
            (OperationType::Reprotect, "reprotect", false),
            (OperationType::Fence, "fence", false),
        ];
        for (op, name, planned) in table {
            let v = serde_json::to_value(record(op)).unwrap();
            assert_eq!(
                (v["operation_type"].clone(), v["planned"].clone()),
                (json!(name), json!(planned))
            );
            let back: OperationRecord = serde_json::from_value(v).unwrap();
            assert_eq!(back.operation_type, op);
        }
        // Records written before the seed's names: no `planned`, the internal names.
        for (old, op) in [
            ("planned_failover", OperationType::PlannedFailover),
            ("failover", OperationType::Failover),
            ("sync_now", OperationType::SyncNow),
        ] {
            let mut v = serde_json::to_value(record(op)).unwrap();
            v["operation_type"] = json!(old);
            v.as_object_mut().unwrap().remove("planned");
            let back: OperationRecord = serde_json::from_value(v).unwrap();
            assert_eq!(back.operation_type, op, "{old}");
        }
        let mut v = serde_json::to_value(record(OperationType::Fence)).unwrap();
        v["operation_type"] = json!("explode");
        let err = serde_json::from_value::<OperationRecord>(v).unwrap_err();
        assert!(err.to_string().contains("explode"), "{err}");
    }
}
