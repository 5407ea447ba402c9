//! The group's journaled state: read it, change it with compare-and-set (several consoles may
//! share one journal), and the `RunnerState` the site runner uses to swap the current primary.

use super::{Engine, EngineError};
use crate::domain::GroupState;
use crate::orchestrator::site_runner::{Recorded, RunnerState, StateError};
use crate::store::{Store, StoreError};
use futures_util::future::BoxFuture;

impl Engine {
    pub async fn group_state(&self, name: &str) -> Result<GroupState, EngineError> {
        let g = self.group_config(name)?;
        Ok(self
            .store
            .group_state(name)
            .await?
            .unwrap_or_else(|| GroupState::initial(&g.name, &g.primary_site)))
    }

    /// Apply `change` to the group's state, retrying when another console changed it meanwhile.
    pub(crate) async fn update_group(
        &self,
        name: &str,
        change: impl Fn(&mut GroupState),
    ) -> Result<GroupState, EngineError> {
        let g = self.group_config(name)?.clone();
        Ok(update_group_state(&self.store, name, &g.primary_site, change).await?)
    }
}

pub(crate) async fn update_group_state(
    store: &Store,
    name: &str,
    primary_site: &str,
    change: impl Fn(&mut GroupState),
) -> Result<GroupState, StateError> {
    for _ in 0..10 {
        let current = store.group_state(name).await?;
        let expected = current.as_ref().map(|s| s.metadata_version);
        let mut next = current.unwrap_or_else(|| GroupState::initial(name, primary_site));
        change(&mut next);
        match store.put_group_state(&next, expected).await {
            Ok(()) => {
                if let Some(v) = expected {
                    next.metadata_version = v + 1;
                }
                return Ok(next);
            }
            Err(StoreError::Conflict { .. }) => continue,
            Err(e) => return Err(e.into()),
        }
    }
    Err(StateError::Contended {
        group: name.to_string(),
    })
}

/// The journal as the site runner sees it.
pub(crate) struct JournalState {
    pub store: Store,
    pub primary_site: String,
}

impl RunnerState for JournalState {
    fn swap_primary<'a>(
        &'a self,
        group: &'a str,
        new_primary: &'a str,
    ) -> BoxFuture<'a, Result<(), StateError>> {
        Box::pin(async move {
            update_group_state(&self.store, group, &self.primary_site, |s| {
                if s.current_primary != new_primary {
                    s.current_primary = new_primary.to_string();
                    s.failover_count += 1;
                }
            })
            .await
            .map(|_| ())
        })
    }

    fn current_primary<'a>(&'a self, group: &'a str) -> BoxFuture<'a, Result<String, StateError>> {
        Box::pin(async move {
            let s = self.store.group_state(group).await?;
            Ok(s.map(|s| s.current_primary)
                .unwrap_or_else(|| self.primary_site.clone()))
        })
    }

    fn recorded<'a>(
        &'a self,
        operation_id: &'a str,
    ) -> BoxFuture<'a, Result<Recorded, StateError>> {
        Box::pin(async move {
            let op = self
                .store
                .get_operation(operation_id)
                .await?
                .ok_or_else(|| StateError::UnknownOperation(operation_id.to_string()))?;
            let steps = self.store.steps(operation_id).await?;
            let outputs = steps
                .into_iter()
                .filter_map(|s| s.output.map(|o| (s.step_id, o)))
                .collect();
            Ok(Recorded {
                plan: op.plan,
                outputs,
            })
        })
    }
}
