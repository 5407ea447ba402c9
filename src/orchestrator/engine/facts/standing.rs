//! What stands on the group whatever the request: a split-brain at the sites, and a last move
//! that failed past its point of no return (only its retry, the same way, may continue it).

use super::super::Engine;
use crate::config::GroupConfig;
use crate::domain::{Facts, GroupState, Observed, OperationStatus, SplitBrainFinding, Unfinished};
use crate::orchestrator::Plan;
use crate::orchestrator::discovery;
use crate::sanitize::clean;
use std::collections::BTreeSet;

impl Engine {
    /// The ids of every drill in the journal: their servers are isolated copies, not production.
    pub(crate) async fn drill_operations(&self) -> BTreeSet<String> {
        match self.store.list_operations(10_000, None).await {
            Ok(ops) => ops
                .into_iter()
                .filter(|o| o.operation_type == crate::domain::OperationType::TestFailover)
                .map(|o| o.id)
                .collect(),
            Err(e) => {
                tracing::warn!("listing drills for split-brain detection: {e}");
                BTreeSet::new()
            }
        }
    }

    /// Split-brain as both sites show it now; not checked when one of them does not answer.
    pub(super) async fn split_brain_of(
        &self,
        group: &GroupConfig,
        facts: &Facts,
    ) -> Observed<Vec<SplitBrainFinding>> {
        for (site, error) in [
            (&facts.source, &facts.source_error),
            (&facts.target, &facts.target_error),
        ] {
            if error.is_some() {
                return Observed::NotChecked(format!("{site} does not answer"));
            }
        }
        let drills = self.drill_operations().await;
        match discovery::split_brain(&self.clients, group, &drills).await {
            Ok(found) => Observed::Seen(found),
            Err(e) => Observed::NotChecked(clean(&e.to_string())),
        }
    }

    /// The group's last operation, if it failed after a point of no return of its plan.
    pub(super) async fn unfinished_move(&self, state: &GroupState) -> Option<Unfinished> {
        let id = state.last_operation.as_ref()?;
        let op = match self.store.get_operation(id).await {
            Ok(op) => op?,
            Err(e) => {
                tracing::warn!("reading the last operation of {}: {e}", state.name);
                return None;
            }
        };
        if op.record.status != OperationStatus::Failed {
            return None;
        }
        let plan: Plan = serde_json::from_value(op.plan).ok()?;
        let done = &op.record.steps_completed;
        let past = plan
            .steps
            .iter()
            .any(|s| s.no_rollback && done.iter().any(|d| s.id == d.as_str()));
        past.then(|| Unfinished {
            id: op.record.id.clone(),
            label: op.record.operation_type.label().to_string(),
            direction: op.record.direction(),
        })
    }
}
