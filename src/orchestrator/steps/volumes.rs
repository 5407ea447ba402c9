//! Storage steps at the target: copy the chosen snapshot into new array volumes, then manage them
//! into Cinder keeping names, types and bootability. Both are found again by name or metadata,
//! and undone by removing exactly what this operation made.

use super::snapshot::chosen_snapshot;
use crate::domain::VolumeInfo;
use crate::orchestrator::site_runner::{
    META_ARRAY_VOLUME, META_GROUP, META_OPERATION, SiteRunner, each, step_err,
};
use crate::orchestrator::step::{
    AlreadyDone, Resource, ResourceKind, Step, StepCtx, StepError, StepId, Undo,
};
use crate::providers::volume::ManageVolume;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::sync::atomic::{AtomicU32, Ordering};

/// A volume to bring up at the target: from which replicated array volume, under which names.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct VolumeCopy {
    /// The server it belongs to.
    pub server: String,
    pub source: VolumeInfo,
    /// The new array volume's name at the target (unique per operation, so a retry finds it).
    pub target_array_volume: String,
}

/// Create array volumes at the target from the chosen snapshot.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CreateVolumesFromSnapshot {
    pub site: String,
    pub volumes: Vec<VolumeCopy>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ArrayVolumes {
    /// The snapshot they were copied from (unknown when an earlier run's output was lost).
    #[serde(default)]
    pub snapshot: Option<String>,
    /// The new array volumes' names.
    pub volumes: Vec<String>,
}

/// Manage those array volumes into Cinder at the target.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ManageVolumes {
    pub site: String,
    pub volumes: Vec<VolumeCopy>,
}

/// The Cinder volumes managed: what each server boots from and attaches.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ManagedVolumes {
    pub volumes: Vec<ManagedVolume>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ManagedVolume {
    pub server: String,
    pub name: String,
    pub array_volume: String,
    /// The Cinder volume's id at the target.
    pub id: String,
}

impl ManagedVolumes {
    /// Ids of the volumes managed for `server`, in the order of `names` (boot volume first).
    pub fn ids_for(&self, server: &str, names: &[String]) -> Vec<String> {
        names
            .iter()
            .filter_map(|n| {
                self.volumes
                    .iter()
                    .find(|v| v.server == server && v.name == *n)
            })
            .map(|v| v.id.clone())
            .collect()
    }

    fn from_own(volumes: &[VolumeCopy], own: &BTreeMap<String, (String, String)>) -> Self {
        let volumes = volumes
            .iter()
            .filter_map(|v| {
                let (id, _) = own.get(&v.target_array_volume)?;
                Some(ManagedVolume {
                    server: v.server.clone(),
                    name: v.source.name.clone(),
                    array_volume: v.target_array_volume.clone(),
                    id: id.clone(),
                })
            })
            .collect();
        Self { volumes }
    }
}

impl StepId {
    pub fn create_volumes_from_snapshot() -> Self {
        Self::single(CreateVolumesFromSnapshot::NAME)
    }

    pub fn manage_volumes() -> Self {
        Self::single(ManageVolumes::NAME)
    }
}

fn target_names(volumes: &[VolumeCopy]) -> Vec<String> {
    volumes
        .iter()
        .map(|v| v.target_array_volume.clone())
        .collect()
}

impl Step for CreateVolumesFromSnapshot {
    type Env = SiteRunner;
    type Output = ArrayVolumes;
    const NAME: &'static str = "create_volumes_from_snapshot";

    async fn run(&self, env: &SiteRunner, ctx: &StepCtx) -> Result<ArrayVolumes, StepError> {
        let snapshot = chosen_snapshot(ctx)?.snapshot;
        let array = env.site(&self.site)?.array();
        let total = self.volumes.len() as u32;
        let done = AtomicU32::new(0);
        let copies: Vec<(String, String)> = self
            .volumes
            .iter()
            .map(|v| {
                let source = format!("{snapshot}.{}", v.source.array_volume);
                (v.target_array_volume.clone(), source)
            })
            .collect();
        let site = self.site.as_str();
        each(copies, |(target, source)| {
            let (array, done) = (&array, &done);
            async move {
                let what = format!("array volume {target} at {site}");
                let create = || async {
                    match array.create_volume_from_snapshot(&target, &source).await {
                        // The name is unique to this operation: an earlier attempt made it.
                        Err(e) if e.is_conflict() => Ok(()),
                        r => r.map(|_| ()),
                    }
                };
                let find = || async {
                    match array.volumes(&[target.as_str()]).await {
                        Ok(found) => Ok(found.iter().any(|v| !v.destroyed).then_some(())),
                        Err(e) if e.is_not_found() => Ok(None),
                        Err(e) => Err(step_err(e)),
                    }
                };
                env.create_once(&what, ctx, create, find).await?;
                ctx.progress(done.fetch_add(1, Ordering::Relaxed) + 1, total);
                Ok(())
            }
        })
        .await?;
        Ok(ArrayVolumes {
            snapshot: Some(snapshot),
            volumes: target_names(&self.volumes),
        })
    }

    /// Found when every volume of the copy exists at the target under its operation-unique name.
    async fn check(
        &self,
        env: &SiteRunner,
        ctx: &StepCtx,
    ) -> Result<AlreadyDone<ArrayVolumes>, StepError> {
        let names = target_names(&self.volumes);
        // Listing by name fails when one is missing: list all and look.
        let found = env
            .site(&self.site)?
            .array()
            .volumes(&[])
            .await
            .map_err(step_err)?;
        let all = names
            .iter()
            .all(|n| found.iter().any(|f| f.name == *n && !f.destroyed));
        let snapshot = chosen_snapshot(ctx).ok().map(|s| s.snapshot);
        Ok(AlreadyDone::found_or_not(all.then_some(ArrayVolumes {
            snapshot,
            volumes: names,
        })))
    }

    /// Destroy and eradicate the array volumes this operation made (absent ones are fine).
    async fn undo(
        &self,
        env: &SiteRunner,
        _: Option<&ArrayVolumes>,
        _: &StepCtx,
    ) -> Result<Undo, StepError> {
        let removed = env
            .eradicate_array_volumes(&self.site, target_names(&self.volumes))
            .await?;
        Ok(removed_any(removed))
    }

    fn resources(&self, output: &ArrayVolumes) -> Vec<Resource> {
        array_volumes(&self.site, &output.volumes)
    }

    fn intended_resources(&self) -> Vec<Resource> {
        array_volumes(&self.site, &target_names(&self.volumes))
    }
}

fn array_volumes(site: &str, names: &[String]) -> Vec<Resource> {
    names
        .iter()
        .map(|n| Resource::array_volume(site, n))
        .collect()
}

impl ManageVolumes {
    fn request(&self, env: &SiteRunner, host: &str, v: &VolumeCopy) -> ManageVolume {
        let metadata = BTreeMap::from([
            (META_OPERATION.to_string(), env.operation_id.clone()),
            (META_GROUP.to_string(), env.group.name.clone()),
            (META_ARRAY_VOLUME.to_string(), v.target_array_volume.clone()),
        ]);
        ManageVolume {
            host: host.to_string(),
            source_name: v.target_array_volume.clone(),
            name: v.source.name.clone(),
            volume_type: Some(v.source.volume_type.clone()).filter(|t| !t.is_empty()),
            bootable: v.source.bootable,
            metadata,
        }
    }

    /// Poll until every volume is available; one Cinder could not manage fails the step.
    async fn wait_available(
        &self,
        env: &SiteRunner,
        ctx: &StepCtx,
    ) -> Result<ManagedVolumes, StepError> {
        let (site, total) = (self.site.as_str(), self.volumes.len() as u32);
        let managed = env
            .poll_until(ctx, || async {
                let own = env.own_volumes(site).await?;
                if let Some((name, _)) = own.iter().find(|(_, (_, s))| s.starts_with("error")) {
                    return Err(StepError::fatal(format!(
                        "Cinder at {site} could not manage array volume {name}"
                    )));
                }
                let ready = own.values().filter(|(_, s)| s == "available").count() as u32;
                ctx.progress(ready, total);
                Ok((ready >= total).then_some(own))
            })
            .await?;
        Ok(ManagedVolumes::from_own(&self.volumes, &managed))
    }
}

impl Step for ManageVolumes {
    type Env = SiteRunner;
    type Output = ManagedVolumes;
    const NAME: &'static str = "manage_volumes";

    async fn run(&self, env: &SiteRunner, ctx: &StepCtx) -> Result<ManagedVolumes, StepError> {
        let client = env.site(&self.site)?;
        let host = client.cinder_host().to_string();
        let existing = env.own_volumes(&self.site).await?;
        let requests: Vec<ManageVolume> = self
            .volumes
            .iter()
            .filter(|v| !existing.contains_key(&v.target_array_volume))
            .map(|v| self.request(env, &host, v))
            .collect();
        let volume = client.volume();
        let site = self.site.as_str();
        each(requests, |req| {
            let volume = &volume;
            async move {
                let what = format!("manage {} at {site}", req.source_name);
                env.create_once(
                    &what,
                    ctx,
                    || async { volume.manage_volume(&req).await.map(|_| ()) },
                    || async {
                        let own = env.own_volumes(site).await?;
                        Ok(own.contains_key(&req.source_name).then_some(()))
                    },
                )
                .await
            }
        })
        .await?;
        self.wait_available(env, ctx).await
    }

    /// Found when every volume is managed by this operation and usable.
    async fn check(
        &self,
        env: &SiteRunner,
        _: &StepCtx,
    ) -> Result<AlreadyDone<ManagedVolumes>, StepError> {
        let own = env.own_volumes(&self.site).await?;
        let all = self.volumes.iter().all(|v| {
            own.get(&v.target_array_volume)
                .is_some_and(|(_, s)| s == "available" || s == "in-use")
        });
        Ok(AlreadyDone::found_or_not(
            all.then(|| ManagedVolumes::from_own(&self.volumes, &own)),
        ))
    }

    /// Unmanage what this operation managed; the array volumes go with the step before.
    async fn undo(
        &self,
        env: &SiteRunner,
        _: Option<&ManagedVolumes>,
        _: &StepCtx,
    ) -> Result<Undo, StepError> {
        let own = env.own_volumes(&self.site).await?;
        let ids: Vec<String> = own.into_values().map(|(id, _)| id).collect();
        Ok(removed_any(env.unmanage_each(&self.site, ids).await?))
    }

    fn resources(&self, output: &ManagedVolumes) -> Vec<Resource> {
        output
            .volumes
            .iter()
            .map(|v| Resource::new(&self.site, ResourceKind::Volume, &v.id, &v.name))
            .collect()
    }

    fn intended_resources(&self) -> Vec<Resource> {
        self.volumes
            .iter()
            .map(|v| Resource::named(&self.site, ResourceKind::Volume, &v.source.name))
            .collect()
    }
}

/// `Undone` when anything was removed, else there was nothing to undo.
pub(crate) fn removed_any(count: usize) -> Undo {
    if count > 0 {
        Undo::Undone
    } else {
        Undo::NothingToUndo
    }
}
