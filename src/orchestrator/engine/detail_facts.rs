//! What an operation's detail reads beyond its steps' rows: the checklist journaled at its start,
//! the recovery point its snapshot step chose, the retries seen (from its events), what its
//! retire and cleanup steps removed, and a drill's cleanup.

use super::{Engine, EngineError};
use crate::domain::{
    Check, CleanupRef, EventKind, OperationEvent, OperationRecord, OperationType, Resource,
    ResourceKind, Retry, UsedPoint,
};
use crate::orchestrator::StepKind;
use crate::orchestrator::steps::{ChosenSnapshot, Removed, Retired};
use crate::sanitize::clean;
use crate::store::StepRecord;
use serde_json::Value;

/// Operations of a group looked through for a drill's cleanup.
const CLEANUP_SEARCH: usize = 50;

/// What the events of one operation tell beyond its steps' rows (which carry their marks).
#[derive(Debug, Default)]
pub(super) struct Facts {
    pub retries: Vec<Retry>,
}

impl Facts {
    pub fn of(events: &[(i64, OperationEvent)]) -> Facts {
        let mut f = Facts::default();
        for (_, e) in events {
            if let EventKind::StepFailed {
                step,
                error,
                will_retry: true,
            } = &e.kind
            {
                f.retries.push(Retry {
                    at: e.at,
                    step: step.clone(),
                    error: clean(error),
                });
            }
        }
        f
    }
}

/// The checklist the engine journaled in the operation's options at its start.
pub(super) fn checks_at_start(options: &Value) -> Vec<Check> {
    options
        .get("checks")
        .and_then(|c| serde_json::from_value::<Vec<Check>>(c.clone()).ok())
        .unwrap_or_default()
        .into_iter()
        .map(|c| Check {
            label: clean(&c.label),
            state: c.state,
            reason: clean(&c.reason),
        })
        .collect()
}

/// The snapshot the operation recovered from: its record's (saved at its end), else what its
/// final sync or snapshot choice chose (an operation that has not ended, or ended before saying).
pub(super) fn recovery_point(record: &OperationRecord, steps: &[StepRecord]) -> Option<UsedPoint> {
    if let Some(p) = &record.result_data.recovery_point {
        return Some(UsedPoint {
            name: clean(&p.name),
            ..p.clone()
        });
    }
    let chosen = steps
        .iter()
        .filter(|s| s.step_id == "final_sync" || s.step_id == "select_snapshot")
        .find_map(|s| serde_json::from_value::<ChosenSnapshot>(s.output.clone()?).ok())?;
    Some(UsedPoint {
        name: clean(&chosen.snapshot),
        created: chosen.created,
        chosen_at: chosen.chosen_at,
    })
}

/// What a retire or cleanup step's output says it deleted.
pub(super) fn removed_by(kind: &StepKind, output: &Value) -> Vec<Resource> {
    let named = |site: &str, k: ResourceKind, names: &[String]| -> Vec<Resource> {
        names
            .iter()
            .map(|n| Resource::named(site, k, &clean(n)))
            .collect()
    };
    match kind {
        StepKind::RetireInstances(r) => serde_json::from_value::<Retired>(output.clone())
            .map(|o| {
                let mut v = named(&r.site, ResourceKind::Server, &o.servers);
                v.extend(named(&r.site, ResourceKind::Port, &o.ports));
                v.extend(named(&r.site, ResourceKind::Volume, &o.volumes_unmanaged));
                v
            })
            .unwrap_or_default(),
        StepKind::CleanupTestResources(c) => serde_json::from_value::<Removed>(output.clone())
            .map(|o| {
                let mut v = named(&c.site, ResourceKind::Server, &o.servers_deleted);
                v.extend(named(&c.site, ResourceKind::Port, &o.ports_deleted));
                v.extend(named(&c.site, ResourceKind::Volume, &o.volumes_unmanaged));
                v.extend(named(
                    &c.site,
                    ResourceKind::ArrayVolume,
                    &o.array_volumes_eradicated,
                ));
                v
            })
            .unwrap_or_default(),
        _ => Vec::new(),
    }
}

impl Engine {
    /// A drill's cleanup: the newest test cleanup of its group whose options name it.
    /// The drill a test cleanup cleaned up (`None` for any other operation).
    pub async fn drill_of_cleanup(&self, cleanup_id: &str) -> Result<Option<String>, EngineError> {
        let Some(stored) = self.store.find_operation(cleanup_id).await? else {
            return Ok(None);
        };
        if stored.record.operation_type != OperationType::TestCleanup {
            return Ok(None);
        }
        Ok(stored
            .options
            .pointer("/options/test_operation")
            .and_then(Value::as_str)
            .filter(|s| !s.is_empty())
            .map(str::to_string))
    }

    pub(super) async fn cleanup_of(&self, drill: &OperationRecord) -> Option<CleanupRef> {
        if drill.operation_type != OperationType::TestFailover {
            return None;
        }
        let ops = self
            .store
            .list_operations(CLEANUP_SEARCH, Some(&drill.protection_group))
            .await
            .inspect_err(|e| tracing::warn!("looking for the cleanup of {}: {e}", drill.id))
            .ok()?;
        for op in ops
            .into_iter()
            .filter(|o| o.operation_type == OperationType::TestCleanup)
        {
            let Ok(Some(stored)) = self.store.get_operation(&op.id).await else {
                continue;
            };
            let names = stored
                .options
                .pointer("/options/test_operation")
                .and_then(Value::as_str)
                == Some(drill.id.as_str());
            if names {
                return Some(CleanupRef {
                    id: op.id,
                    status: op.status,
                    completed_at: op.completed_at,
                });
            }
        }
        None
    }
}
