//! Storage steps: validate the sites, snapshot and replicate the array group, pick the newest
//! arrived snapshot, copy it into array volumes at the target and manage them into Cinder.

use super::{
    META_ARRAY_VOLUME, META_GROUP, META_OPERATION, SiteRunner, each, gone_is_done, step_err,
};
use crate::orchestrator::runner::{StepCtx, StepError};
use crate::orchestrator::step_kind::VolumeCopy;
use crate::providers::volume::ManageVolume;
use chrono::Utc;
use serde_json::{Value, json};
use std::collections::BTreeMap;
use std::sync::atomic::{AtomicU32, Ordering};

impl SiteRunner {
    /// Both sites answer (the source may be skipped when forced).
    pub(crate) async fn validate(
        &self,
        source: &str,
        target: &str,
        force: bool,
    ) -> Result<Value, StepError> {
        let target_probe = self.site(target)?.probe().await;
        if !target_probe.reachable {
            return Err(StepError::transient(format!(
                "target site {target} is unreachable: {}",
                target_probe.error.unwrap_or_default()
            )));
        }
        let mut source_reachable = true;
        if !force {
            let probe = self.site(source)?.probe().await;
            if !probe.reachable {
                return Err(StepError::fatal(format!(
                    "source site {source} is unreachable: {}; for an unplanned failover while it \
                     is down, use --unplanned --force",
                    probe.error.unwrap_or_default()
                )));
            }
        } else {
            source_reachable = self.site(source)?.probe().await.reachable;
        }
        Ok(json!({ "source_reachable": source_reachable }))
    }

    /// Snapshot the group at the source, replicate it now, and wait until it has arrived.
    pub(crate) async fn replicate_now(
        &self,
        source: &str,
        target: &str,
        array_pg: &str,
        ctx: &StepCtx,
    ) -> Result<Value, StepError> {
        let src_array = self.array_name(source)?;
        let src = self.site(source)?.array();
        let snap = src
            .create_pg_snapshot(array_pg, true)
            .await
            .map_err(step_err)?;
        ctx.log(format!(
            "snapshot {} taken at {source}, replicating",
            snap.name
        ));
        let arrived_name = format!("{src_array}:{}", snap.name);
        let replicated_group = format!("{src_array}:{array_pg}");
        let dst = self.site(target)?.array();
        let snap_name = snap.name.clone();
        self.poll_until(ctx, || async {
            let arrived = match dst.pg_snapshots(&replicated_group).await {
                Ok(a) => a,
                Err(e) if e.is_not_found() => Vec::new(),
                Err(e) => return Err(step_err(e)),
            };
            if arrived.iter().any(|s| s.name == arrived_name) {
                return Ok(Some(()));
            }
            if let Ok(transfers) = src.transfers(&[snap_name.as_str()]).await
                && let Some(t) = transfers.first()
            {
                ctx.progress((t.progress * 100.0) as u32, 100);
            }
            Ok(None)
        })
        .await?;
        ctx.log(format!("snapshot {arrived_name} arrived at {target}"));
        Ok(json!({
            "snapshot": arrived_name,
            "created": snap.created.map(|c| c.to_rfc3339()),
            "data_loss_seconds": 0,
        }))
    }

    /// The newest snapshot that has fully arrived at the target, and how much it misses.
    pub(crate) async fn select_snapshot(
        &self,
        source: &str,
        target: &str,
        array_pg: &str,
    ) -> Result<Value, StepError> {
        let src_array = self.array_name(source)?;
        let arrived = self
            .site(target)?
            .array()
            .pg_snapshots(&format!("{src_array}:{array_pg}"))
            .await
            .map_err(step_err)?;
        let newest = arrived.iter().rev().find(|s| !s.destroyed).ok_or_else(|| {
            StepError::fatal(format!(
                "no snapshot of {array_pg} has arrived at {target}: nothing to recover from"
            ))
        })?;
        let created = newest.created.unwrap_or_else(Utc::now);
        let loss = (Utc::now() - created).num_seconds().max(0);
        Ok(json!({
            "snapshot": newest.name,
            "created": created.to_rfc3339(),
            "data_loss_seconds": loss,
        }))
    }

    fn chosen_snapshot(ctx: &StepCtx) -> Result<String, StepError> {
        ["final_sync", "select_snapshot"]
            .iter()
            .filter_map(|id| ctx.output_of(id))
            .find_map(|o| o.get("snapshot").and_then(Value::as_str))
            .map(str::to_string)
            .ok_or_else(|| StepError::fatal("no snapshot was chosen before creating volumes"))
    }

    /// Array volumes at the target, copied from the snapshot's volume snapshots.
    pub(crate) async fn create_volumes(
        &self,
        site: &str,
        volumes: &[VolumeCopy],
        ctx: &StepCtx,
    ) -> Result<Value, StepError> {
        let snapshot = Self::chosen_snapshot(ctx)?;
        let array = self.site(site)?.array();
        let total = volumes.len() as u32;
        let done = AtomicU32::new(0);
        let copies: Vec<(String, String)> = volumes
            .iter()
            .map(|v| {
                let source = format!("{snapshot}.{}", v.source.array_volume);
                (v.target_array_volume.clone(), source)
            })
            .collect();
        each(copies, |(target, source)| {
            let (array, done) = (&array, &done);
            async move {
                match array.create_volume_from_snapshot(&target, &source).await {
                    // The name is unique to this operation: an earlier attempt made it.
                    Err(e) if !e.is_conflict() => return Err(step_err(e)),
                    _ => {}
                }
                ctx.progress(done.fetch_add(1, Ordering::Relaxed) + 1, total);
                Ok(())
            }
        })
        .await?;
        let names: Vec<&str> = volumes
            .iter()
            .map(|v| v.target_array_volume.as_str())
            .collect();
        Ok(json!({ "snapshot": snapshot, "volumes": names }))
    }

    pub(crate) async fn check_volumes(
        &self,
        site: &str,
        volumes: &[VolumeCopy],
    ) -> Result<Option<Value>, StepError> {
        let names: Vec<&str> = volumes
            .iter()
            .map(|v| v.target_array_volume.as_str())
            .collect();
        // Listing by name fails when one is missing: list all and look.
        let found = self
            .site(site)?
            .array()
            .volumes(&[])
            .await
            .map_err(step_err)?;
        let all = names
            .iter()
            .all(|n| found.iter().any(|f| f.name == *n && !f.destroyed));
        Ok(all.then(|| json!({ "volumes": names })))
    }

    /// Destroy and eradicate the array volumes this operation made (absent ones are fine).
    pub(crate) async fn remove_array_volumes(
        &self,
        site: &str,
        volumes: &[VolumeCopy],
    ) -> Result<(), StepError> {
        let names: Vec<&str> = volumes
            .iter()
            .map(|v| v.target_array_volume.as_str())
            .collect();
        self.eradicate_array_volumes(site, &names).await
    }

    pub(crate) async fn eradicate_array_volumes(
        &self,
        site: &str,
        names: &[&str],
    ) -> Result<(), StepError> {
        let array = self.site(site)?.array();
        let names: Vec<String> = names.iter().map(|n| n.to_string()).collect();
        each(names, |name| {
            let array = &array;
            async move {
                gone_is_done(array.destroy_volume(&name).await)?;
                gone_is_done(array.eradicate_volume(&name).await)
            }
        })
        .await
        .map(|_| ())
    }

    /// Cinder volumes at `site` that this operation managed, by array volume name.
    async fn own_volumes(
        &self,
        site: &str,
    ) -> Result<BTreeMap<String, (String, String)>, StepError> {
        let all = self
            .site(site)?
            .volume()
            .list_volumes()
            .await
            .map_err(step_err)?;
        Ok(all
            .into_iter()
            .filter(|v| {
                v.metadata.get(META_OPERATION).map(String::as_str) == Some(&self.operation_id)
            })
            .filter_map(|v| {
                let array = v.metadata.get(META_ARRAY_VOLUME)?.clone();
                Some((array, (v.id, v.status)))
            })
            .collect())
    }

    /// Manage the new array volumes into Cinder, keeping names, types and bootability.
    pub(crate) async fn manage_volumes(
        &self,
        site: &str,
        volumes: &[VolumeCopy],
        ctx: &StepCtx,
    ) -> Result<Value, StepError> {
        let client = self.site(site)?;
        let host = client.cinder_host().to_string();
        let existing = self.own_volumes(site).await?;
        let mut requests = Vec::new();
        for v in volumes {
            if existing.contains_key(&v.target_array_volume) {
                continue;
            }
            let mut metadata = BTreeMap::new();
            metadata.insert(META_OPERATION.to_string(), self.operation_id.clone());
            metadata.insert(META_GROUP.to_string(), self.group.name.clone());
            metadata.insert(META_ARRAY_VOLUME.to_string(), v.target_array_volume.clone());
            let req = ManageVolume {
                host: host.clone(),
                source_name: v.target_array_volume.clone(),
                name: v.source.name.clone(),
                volume_type: Some(v.source.volume_type.clone()).filter(|t| !t.is_empty()),
                bootable: v.source.bootable,
                metadata,
            };
            requests.push(req);
        }
        let volume = client.volume();
        each(requests, |req| {
            let volume = &volume;
            async move {
                volume
                    .manage_volume(&req)
                    .await
                    .map(|_| ())
                    .map_err(step_err)
            }
        })
        .await?;
        let total = volumes.len() as u32;
        let managed = self
            .poll_until(ctx, || async {
                let own = self.own_volumes(site).await?;
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
        Ok(managed_output(volumes, &managed))
    }

    pub(crate) async fn check_managed(
        &self,
        site: &str,
        volumes: &[VolumeCopy],
    ) -> Result<Option<Value>, StepError> {
        let own = self.own_volumes(site).await?;
        let all = volumes.iter().all(|v| {
            own.get(&v.target_array_volume)
                .is_some_and(|(_, s)| s == "available" || s == "in-use")
        });
        Ok(all.then(|| managed_output(volumes, &own)))
    }

    /// Unmanage what this operation managed; the array volumes go with the step before.
    pub(crate) async fn unmanage_volumes(
        &self,
        site: &str,
        _volumes: &[VolumeCopy],
        _output: &Value,
    ) -> Result<(), StepError> {
        let own = self.own_volumes(site).await?;
        let volume = self.site(site)?.volume();
        let ids: Vec<String> = own.into_values().map(|(id, _)| id).collect();
        each(ids, |id| {
            let volume = &volume;
            async move { gone_is_done(volume.unmanage_volume(&id).await) }
        })
        .await
        .map(|_| ())
    }
}

/// `{"volumes": [{"server", "name", "array_volume", "id"}]}`: what create_server attaches.
fn managed_output(volumes: &[VolumeCopy], own: &BTreeMap<String, (String, String)>) -> Value {
    let list: Vec<Value> = volumes
        .iter()
        .filter_map(|v| {
            let (id, _) = own.get(&v.target_array_volume)?;
            Some(json!({
                "server": v.server,
                "name": v.source.name,
                "array_volume": v.target_array_volume,
                "id": id,
            }))
        })
        .collect();
    json!({ "volumes": list })
}

/// Ids of the volumes managed for `server`, in the order of `names` (boot volume first).
pub(crate) fn volume_ids_for(
    output: Option<&Value>,
    server: &str,
    names: &[String],
) -> Vec<String> {
    let Some(list) = output
        .and_then(|o| o.get("volumes"))
        .and_then(Value::as_array)
    else {
        return Vec::new();
    };
    names
        .iter()
        .filter_map(|n| {
            list.iter().find(|v| {
                v.get("server").and_then(Value::as_str) == Some(server)
                    && v.get("name").and_then(Value::as_str) == Some(n.as_str())
            })
        })
        .filter_map(|v| v.get("id").and_then(Value::as_str).map(str::to_string))
        .collect()
}
