//! `points GROUP`: every replicated snapshot of a group that has fully arrived at the side a
//! recovery would run at, newest first, each with the data loss recovering from it means now.

use super::facts::endpoints;
use super::{Engine, EngineError};
use crate::domain::{PointChoice, RecoveryPoints};
use crate::orchestrator::discovery;
use crate::sanitize::clean;
use chrono::Utc;

impl Engine {
    pub async fn recovery_points(&self, group: &str) -> Result<RecoveryPoints, EngineError> {
        let g = self.group_config(group)?.clone();
        let state = self.group_state(group).await?;
        let (source, target) = endpoints(&g, &state);
        let points = discovery::arrived_points(&self.clients, &source, &target, &g.array_pg)
            .await
            .map_err(|e| {
                EngineError::Failed(format!(
                    "cannot list the snapshots of {} that arrived at {target}: {}",
                    g.array_pg,
                    clean(&e.to_string())
                ))
            })?;
        Ok(RecoveryPoints::new(
            (&g.name, &source, &target),
            &points,
            Utc::now(),
            &PointChoice::Latest,
        ))
    }
}
