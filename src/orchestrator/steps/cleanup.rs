//! `cleanup_test_resources`: remove exactly what a drill created, as its journal recorded it —
//! servers first (so volumes and ports are free), then ports, then managed volumes and their
//! array volumes. What the drill made is found by walking its plan's steps by kind.

use super::OfKind;
use super::instances::{CreatePorts, CreateServer};
use super::volumes::{CreateVolumesFromSnapshot, ManageVolumes};
use crate::orchestrator::plan::Plan;
use crate::orchestrator::site_runner::{Recorded, SiteRunner, each, state_err};
use crate::orchestrator::step::{AlreadyDone, Resource, Step, StepCtx, StepError, StepId, Undo};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CleanupTestResources {
    pub site: String,
    /// The drill whose resources to remove.
    pub test_operation: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Removed {
    pub servers_deleted: Vec<String>,
    pub ports_deleted: Vec<String>,
    pub volumes_unmanaged: Vec<String>,
    pub array_volumes_eradicated: Vec<String>,
}

impl StepId {
    pub fn cleanup_test_resources() -> Self {
        Self::single(CleanupTestResources::NAME)
    }
}

/// The outputs of the drill's steps of kind `S` that succeeded.
fn outputs_of<S: OfKind>(
    plan: &Plan,
    drill: &Recorded,
    operation: &str,
) -> Result<Vec<S::Output>, StepError> {
    plan.steps_of::<S>()
        .filter_map(|(spec, _)| drill.outputs.get(spec.id.as_str()))
        .map(|v| {
            S::Output::deserialize(v).map_err(|e| {
                StepError::fatal(format!(
                    "the journaled output of a {} step of drill {operation} is unreadable: {e}",
                    S::NAME
                ))
            })
        })
        .collect()
}

impl CleanupTestResources {
    /// What the drill recorded making: servers, ports, Cinder volumes, array volumes.
    async fn made_by_drill(&self, env: &SiteRunner) -> Result<Removed, StepError> {
        let op = self.test_operation.as_str();
        let drill = env.state.recorded(op).await.map_err(state_err)?;
        let plan: Plan = serde_json::from_value(drill.plan.clone()).map_err(|e| {
            StepError::fatal(format!(
                "the journaled plan of drill {op} is unreadable: {e}"
            ))
        })?;
        let servers = outputs_of::<CreateServer>(&plan, &drill, op)?;
        let ports = outputs_of::<CreatePorts>(&plan, &drill, op)?;
        let managed = outputs_of::<ManageVolumes>(&plan, &drill, op)?;
        let arrays = outputs_of::<CreateVolumesFromSnapshot>(&plan, &drill, op)?;
        Ok(Removed {
            servers_deleted: servers.into_iter().map(|s| s.server_id).collect(),
            ports_deleted: ports.into_iter().flat_map(|p| p.ports).collect(),
            volumes_unmanaged: managed
                .into_iter()
                .flat_map(|m| m.volumes.into_iter().map(|v| v.id))
                .collect(),
            array_volumes_eradicated: arrays.into_iter().flat_map(|a| a.volumes).collect(),
        })
    }
}

impl Step for CleanupTestResources {
    type Env = SiteRunner;
    type Output = Removed;
    const NAME: &'static str = "cleanup_test_resources";

    async fn run(&self, env: &SiteRunner, ctx: &StepCtx) -> Result<Removed, StepError> {
        let (site, op) = (self.site.as_str(), self.test_operation.as_str());
        if op.is_empty() {
            return Err(StepError::fatal("no test failover to clean up was named"));
        }
        let mut made = self.made_by_drill(env).await?;
        // Servers the drill made but had not recorded carry its metadata.
        for s in env.servers_of_operation(site, op).await? {
            if !made.servers_deleted.contains(&s.id) {
                made.servers_deleted.push(s.id);
            }
        }
        each(made.servers_deleted.clone(), |id| async move {
            env.delete_server_and_wait(site, &id, ctx).await
        })
        .await?;
        env.delete_ports(site, made.ports_deleted.clone()).await?;
        env.unmanage_each(site, made.volumes_unmanaged.clone())
            .await?;
        env.eradicate_array_volumes(site, made.array_volumes_eradicated.clone())
            .await?;
        ctx.log(format!(
            "removed {} servers, {} ports, {} volumes of drill {op}",
            made.servers_deleted.len(),
            made.ports_deleted.len(),
            made.volumes_unmanaged.len()
        ));
        Ok(made)
    }

    /// Deleting what is already gone is harmless: the cleanup is safe to run again.
    async fn check(&self, _: &SiteRunner, _: &StepCtx) -> Result<AlreadyDone<Removed>, StepError> {
        Ok(AlreadyDone::RepeatSafe)
    }

    /// What the drill made is deleted for good.
    async fn undo(
        &self,
        _: &SiteRunner,
        _: Option<&Removed>,
        _: &StepCtx,
    ) -> Result<Undo, StepError> {
        Ok(Undo::Irreversible)
    }

    fn resources(&self, _: &Removed) -> Vec<Resource> {
        Vec::new()
    }

    fn intended_resources(&self) -> Vec<Resource> {
        Vec::new()
    }
}
