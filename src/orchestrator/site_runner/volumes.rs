//! Volumes as the steps look for them: the Cinder volumes this operation managed (by metadata),
//! and removing array volumes by name.

use super::{
    META_ARRAY_VOLUME, META_OPERATION, META_RETIRED_BY, SiteRunner, each, remove_each, step_err,
    was_there,
};
use crate::orchestrator::step::StepError;
use std::collections::BTreeMap;

/// A Cinder volume this operation managed: its id and status, keyed by its array volume's name.
pub(crate) type OwnVolumes = BTreeMap<String, (String, String)>;

impl SiteRunner {
    /// Cinder volumes at `site` that this operation managed, by array volume name.
    pub(crate) async fn own_volumes(&self, site: &str) -> Result<OwnVolumes, StepError> {
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

    /// Destroy and eradicate array volumes by name; how many were there (absent ones are fine).
    pub(crate) async fn eradicate_array_volumes(
        &self,
        site: &str,
        names: Vec<String>,
    ) -> Result<usize, StepError> {
        let array = self.site(site)?.array();
        let array = &array;
        let found = each(names, |name| async move {
            // A volume destroyed earlier but not yet eradicated is still there to eradicate.
            let destroyed = was_there(array.destroy_volume(&name).await)?;
            let eradicated = was_there(array.eradicate_volume(&name).await)?;
            Ok(destroyed || eradicated)
        })
        .await?;
        Ok(found.into_iter().filter(|f| *f).count())
    }

    /// Mark volumes as being retired by this operation, before their servers are deleted.
    pub(crate) async fn mark_retired(&self, site: &str, ids: &[String]) -> Result<(), StepError> {
        let volume = self.site(site)?.volume();
        let (volume, mark) = (
            &volume,
            &BTreeMap::from([(META_RETIRED_BY.to_string(), self.operation_id.clone())]),
        );
        remove_each(ids.to_vec(), |id| async move {
            volume.set_metadata(&id, mark).await
        })
        .await
        .map(|_| ())
    }

    /// Ids of the volumes at `site` this operation marked as retired.
    pub(crate) async fn marked_retired(&self, site: &str) -> Result<Vec<String>, StepError> {
        let all = self
            .site(site)?
            .volume()
            .list_volumes()
            .await
            .map_err(step_err)?;
        Ok(all
            .into_iter()
            .filter(|v| {
                v.metadata.get(META_RETIRED_BY).map(String::as_str) == Some(&self.operation_id)
            })
            .map(|v| v.id)
            .collect())
    }

    /// Unmanage Cinder volumes by id; how many were there.
    pub(crate) async fn unmanage_each(
        &self,
        site: &str,
        ids: Vec<String>,
    ) -> Result<usize, StepError> {
        let volume = self.site(site)?.volume();
        let volume = &volume;
        remove_each(ids, |id| async move { volume.unmanage_volume(&id).await }).await
    }
}
