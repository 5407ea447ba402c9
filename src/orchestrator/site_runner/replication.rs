//! Replication steps: make the new primary's array replicate the group to the old one (and the old
//! one stop), undo that, or stop replication from a source that may be gone.

use super::{META_ARRAY_VOLUME, SiteRunner, step_err};
use crate::orchestrator::runner::StepError;
use serde_json::{Value, json};

impl SiteRunner {
    /// The array volumes behind the group's servers at `site` (what the array group must hold).
    async fn member_array_volumes(&self, site: &str) -> Result<Vec<String>, StepError> {
        let client = self.site(site)?;
        let servers = client.compute().list_servers().await.map_err(step_err)?;
        let volume_ids: Vec<String> = servers
            .iter()
            .filter(|s| self.group.members.contains(&s.name))
            .flat_map(|s| s.volume_ids.iter().cloned())
            .collect();
        let volumes = client.volume().list_volumes().await.map_err(step_err)?;
        Ok(volumes
            .into_iter()
            .filter(|v| volume_ids.contains(&v.id))
            .map(|v| v.metadata.get(META_ARRAY_VOLUME).cloned().unwrap_or(v.name))
            .collect())
    }

    pub(crate) async fn reverse_replication(
        &self,
        new_source: &str,
        new_target: &str,
        array_pg: &str,
    ) -> Result<Value, StepError> {
        let members = self.member_array_volumes(new_source).await?;
        if members.is_empty() {
            return Err(StepError::fatal(format!(
                "none of {}'s servers at {new_source} has a volume to replicate",
                self.group.name
            )));
        }
        let src = self.site(new_source)?.array();
        let target_array = self.array_name(new_target)?;
        let source_array = self.array_name(new_source)?;
        match src.create_protection_group(array_pg).await {
            Ok(_) => {}
            Err(e) if e.is_conflict() => {}
            Err(e) => return Err(step_err(e)),
        }
        let present: Vec<String> = src
            .pg_volumes(array_pg)
            .await
            .map_err(step_err)?
            .into_iter()
            .map(|m| m.member)
            .collect();
        let missing: Vec<&str> = members
            .iter()
            .filter(|m| !present.contains(m))
            .map(String::as_str)
            .collect();
        if !missing.is_empty() {
            src.add_pg_volumes(array_pg, &missing)
                .await
                .map_err(step_err)?;
        }
        let targets = src.pg_targets(array_pg).await.map_err(step_err)?;
        if !targets.iter().any(|t| t.target == target_array) {
            match src.add_pg_target(array_pg, &target_array).await {
                Ok(()) => {}
                Err(e) if e.is_conflict() => {}
                Err(e) => return Err(step_err(e)),
            }
        }
        // The old direction stops: the old source no longer sends to the new one.
        let old = self.site(new_target)?.array();
        match old.remove_pg_target(array_pg, &source_array).await {
            Ok(()) => {}
            Err(e) if e.is_not_found() => {}
            Err(e) => return Err(step_err(e)),
        }
        // Start the new direction now, so RPO is known at once rather than at the next schedule.
        let first = match src.create_pg_snapshot(array_pg, true).await {
            Ok(s) => Some(s.name),
            Err(e) => {
                tracing::warn!("first snapshot of reversed {array_pg}: {e}");
                None
            }
        };
        Ok(json!({
            "first_snapshot": first,
            "source_array": source_array,
            "target_array": target_array,
            "members": members,
        }))
    }

    pub(crate) async fn undo_reverse_replication(
        &self,
        new_source: &str,
        new_target: &str,
        array_pg: &str,
    ) -> Result<(), StepError> {
        let target_array = self.array_name(new_target)?;
        let source_array = self.array_name(new_source)?;
        match self
            .site(new_source)?
            .array()
            .remove_pg_target(array_pg, &target_array)
            .await
        {
            Ok(()) => {}
            Err(e) if e.is_not_found() => {}
            Err(e) => return Err(step_err(e)),
        }
        match self
            .site(new_target)?
            .array()
            .add_pg_target(array_pg, &source_array)
            .await
        {
            Ok(()) => Ok(()),
            Err(e) if e.is_conflict() || e.is_not_found() => Ok(()),
            Err(e) => Err(step_err(e)),
        }
    }

    /// Stop the old source sending; when it cannot be reached the group is marked for re-sync by
    /// the engine, and the step still succeeds (the site is gone, and so is its replication).
    pub(crate) async fn stop_replication(
        &self,
        source: &str,
        array_pg: &str,
    ) -> Result<Value, StepError> {
        let target_array = self.array_name(self.group.other_site(source))?;
        match self
            .site(source)?
            .array()
            .remove_pg_target(array_pg, &target_array)
            .await
        {
            Ok(()) => Ok(json!({ "stopped": true })),
            Err(e) if e.is_not_found() => Ok(json!({ "stopped": true })),
            Err(e) if e.is_unreachable() => Ok(json!({
                "stopped": false,
                "reason": e.to_string(),
                "needs_resync": true,
            })),
            Err(e) => Err(step_err(e)),
        }
    }
}
