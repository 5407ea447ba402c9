//! Replication steps: make the new primary's array replicate the group to the old one (and the old
//! one stop sending), or stop replication from a source that may be gone.

use crate::orchestrator::site_runner::{META_ARRAY_VOLUME, SiteRunner, step_err};
use crate::orchestrator::step::{AlreadyDone, Resource, Step, StepCtx, StepError, StepId, Undo};
use crate::providers::ProviderError;
use serde::{Deserialize, Serialize};

/// Make the new primary's array replicate the group back to the old one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReverseReplication {
    pub new_source: String,
    pub new_target: String,
    pub array_pg: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Reversed {
    /// The snapshot that starts the new direction, when the array took it.
    pub first_snapshot: Option<String>,
    pub source_array: String,
    pub target_array: String,
    /// The array volumes the group now replicates.
    pub members: Vec<String>,
}

/// Stop replication from the old primary (unplanned failover: the old site may be down).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StopReplication {
    pub source: String,
    pub array_pg: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReplicationStopped {
    pub stopped: bool,
    /// Why it could not be stopped (the source is unreachable).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// The group must be re-synced before anything else runs on it.
    #[serde(default)]
    pub needs_resync: bool,
}

impl StepId {
    pub fn reverse_replication() -> Self {
        Self::single(ReverseReplication::NAME)
    }

    /// Failback: replicate from the running side to the original primary again.
    pub fn resume_replication() -> Self {
        Self::single("resume_replication")
    }

    pub fn stop_replication() -> Self {
        Self::single(StopReplication::NAME)
    }
}

/// `true` when the call changed something; `false` when `benign` says it was already so.
fn changed(
    r: Result<(), ProviderError>,
    benign: fn(&ProviderError) -> bool,
) -> Result<bool, StepError> {
    match r {
        Ok(()) => Ok(true),
        Err(e) if benign(&e) => Ok(false),
        Err(e) => Err(step_err(e)),
    }
}

impl ReverseReplication {
    /// The array volumes behind the group's servers at `site` (what the array group must hold).
    async fn member_array_volumes(&self, env: &SiteRunner) -> Result<Vec<String>, StepError> {
        let client = env.site(&self.new_source)?;
        let servers = client.compute().list_servers().await.map_err(step_err)?;
        let volume_ids: Vec<String> = servers
            .iter()
            .filter(|s| env.group.members.contains(&s.name))
            .flat_map(|s| s.volume_ids.iter().cloned())
            .collect();
        let volumes = client.volume().list_volumes().await.map_err(step_err)?;
        Ok(volumes
            .into_iter()
            .filter(|v| volume_ids.contains(&v.id))
            .map(|v| v.metadata.get(META_ARRAY_VOLUME).cloned().unwrap_or(v.name))
            .collect())
    }

    /// The array group exists at the new source, holds `members`, and replicates to the target.
    async fn ensure_group(
        &self,
        env: &SiteRunner,
        members: &[String],
        target_array: &str,
    ) -> Result<(), StepError> {
        let (src, pg) = (env.site(&self.new_source)?.array(), self.array_pg.as_str());
        changed(
            src.create_protection_group(pg).await.map(|_| ()),
            ProviderError::is_conflict,
        )?;
        let present: Vec<String> = src
            .pg_volumes(pg)
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
            src.add_pg_volumes(pg, &missing).await.map_err(step_err)?;
        }
        let targets = src.pg_targets(pg).await.map_err(step_err)?;
        if !targets.iter().any(|t| t.target == target_array) {
            changed(
                src.add_pg_target(pg, target_array).await,
                ProviderError::is_conflict,
            )?;
        }
        Ok(())
    }
}

impl Step for ReverseReplication {
    type Env = SiteRunner;
    type Output = Reversed;
    const NAME: &'static str = "reverse_replication";

    fn label(&self) -> String {
        format!("{} {} ⇢ {}", Self::NAME, self.new_source, self.new_target)
    }

    async fn run(&self, env: &SiteRunner, _: &StepCtx) -> Result<Reversed, StepError> {
        let members = self.member_array_volumes(env).await?;
        if members.is_empty() {
            return Err(StepError::fatal(format!(
                "none of {}'s servers at {} has a volume to replicate",
                env.group.name, self.new_source
            )));
        }
        let target_array = env.array_name(&self.new_target)?;
        let source_array = env.array_name(&self.new_source)?;
        self.ensure_group(env, &members, &target_array).await?;
        // The old direction stops: the old source no longer sends to the new one.
        let old = env.site(&self.new_target)?.array();
        let removed = old.remove_pg_target(&self.array_pg, &source_array).await;
        changed(removed, ProviderError::is_not_found)?;
        // Start the new direction now, so RPO is known at once rather than at the next schedule.
        let src = env.site(&self.new_source)?.array();
        let first = match src.create_pg_snapshot(&self.array_pg, true).await {
            Ok(s) => Some(s.name),
            Err(e) => {
                tracing::warn!("first snapshot of reversed {}: {e}", self.array_pg);
                None
            }
        };
        Ok(Reversed {
            first_snapshot: first,
            source_array,
            target_array,
            members,
        })
    }

    /// Every part of the reversal is made idempotent: it is safe to run again.
    async fn check(&self, _: &SiteRunner, _: &StepCtx) -> Result<AlreadyDone<Reversed>, StepError> {
        Ok(AlreadyDone::RepeatSafe)
    }

    /// Stop the new direction and restore the old one.
    async fn undo(
        &self,
        env: &SiteRunner,
        _: Option<&Reversed>,
        _: &StepCtx,
    ) -> Result<Undo, StepError> {
        let target_array = env.array_name(&self.new_target)?;
        let source_array = env.array_name(&self.new_source)?;
        let new = env.site(&self.new_source)?.array();
        let stopped = changed(
            new.remove_pg_target(&self.array_pg, &target_array).await,
            ProviderError::is_not_found,
        )?;
        let old = env.site(&self.new_target)?.array();
        let restored = changed(
            old.add_pg_target(&self.array_pg, &source_array).await,
            |e| e.is_conflict() || e.is_not_found(),
        )?;
        Ok(if stopped || restored {
            Undo::Undone
        } else {
            Undo::NothingToUndo
        })
    }

    fn resources(&self, _: &Reversed) -> Vec<Resource> {
        Vec::new()
    }

    fn intended_resources(&self) -> Vec<Resource> {
        Vec::new()
    }
}

impl Step for StopReplication {
    type Env = SiteRunner;
    type Output = ReplicationStopped;
    const NAME: &'static str = "stop_replication";

    /// When the old source cannot be reached the step still succeeds (the site is gone, and so
    /// is its replication) and says the group needs a re-sync, which the engine records.
    async fn run(&self, env: &SiteRunner, _: &StepCtx) -> Result<ReplicationStopped, StepError> {
        let target_array = env.array_name(env.group.other_site(&self.source))?;
        let source = env.site(&self.source)?.array();
        match source.remove_pg_target(&self.array_pg, &target_array).await {
            Err(e) if e.is_unreachable() => Ok(ReplicationStopped {
                stopped: false,
                reason: Some(e.to_string()),
                needs_resync: true,
            }),
            r => {
                changed(r, ProviderError::is_not_found)?;
                Ok(ReplicationStopped {
                    stopped: true,
                    reason: None,
                    needs_resync: false,
                })
            }
        }
    }

    async fn check(
        &self,
        _: &SiteRunner,
        _: &StepCtx,
    ) -> Result<AlreadyDone<ReplicationStopped>, StepError> {
        Ok(AlreadyDone::RepeatSafe)
    }

    /// Replication from the source starts again (its array sends to the target once more), so
    /// a rolled-back unplanned failover leaves the group protected as it was. Nothing to undo
    /// when the source could not be reached to stop it; a source that does not answer now is
    /// waited for by the rollback, then left behind.
    async fn undo(
        &self,
        env: &SiteRunner,
        output: Option<&ReplicationStopped>,
        _: &StepCtx,
    ) -> Result<Undo, StepError> {
        if output.is_some_and(|o| !o.stopped) {
            return Ok(Undo::NothingToUndo);
        }
        let target_array = env.array_name(env.group.other_site(&self.source))?;
        let source = env.site(&self.source)?.array();
        let targets = source.pg_targets(&self.array_pg).await.map_err(step_err)?;
        if targets.iter().any(|t| t.target == target_array) {
            return Ok(Undo::NothingToUndo);
        }
        let added = changed(
            source.add_pg_target(&self.array_pg, &target_array).await,
            ProviderError::is_conflict,
        )?;
        Ok(if added {
            Undo::Undone
        } else {
            Undo::NothingToUndo
        })
    }

    fn resources(&self, _: &ReplicationStopped) -> Vec<Resource> {
        Vec::new()
    }

    fn intended_resources(&self) -> Vec<Resource> {
        Vec::new()
    }
}
