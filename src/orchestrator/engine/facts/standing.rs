//! What stands at the sites whatever the request: a split-brain (a group's need for attention
//! after a failed operation is journaled state, `GroupState::attention`).

use super::super::Engine;
use crate::config::GroupConfig;
use crate::domain::{Facts, Observed, SplitBrainFinding};
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
}
