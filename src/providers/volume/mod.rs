//! Cinder v3 at microversion 3.59: volumes, volume types (is replication enabled?), and managing
//! and unmanaging backend volumes, which is how a replica becomes a Cinder volume at the DR site.

mod types;
mod wire;

use reqwest::Method;
use serde_json::json;

pub use types::*;

use super::error::ProviderError;
use super::session::Session;

#[derive(Clone)]
pub struct BlockStorage {
    session: Session,
}

impl BlockStorage {
    pub(crate) fn new(session: Session) -> Self {
        Self { session }
    }

    pub async fn list_volumes(&self) -> Result<Vec<Volume>, ProviderError> {
        let list: wire::VolumeList = self.session.get("/volumes/detail").await?;
        Ok(list.volumes.into_iter().map(Volume::from).collect())
    }

    pub async fn get_volume(&self, id: &str) -> Result<Option<Volume>, ProviderError> {
        let one: Option<wire::VolumeOne> = self.session.get_opt(&format!("/volumes/{id}")).await?;
        Ok(one.map(|o| o.volume.into()))
    }

    pub async fn list_volume_types(&self) -> Result<Vec<VolumeType>, ProviderError> {
        let list: wire::TypeList = self.session.get("/types").await?;
        Ok(list
            .volume_types
            .into_iter()
            .map(VolumeType::from)
            .collect())
    }

    /// Backend volumes at `host` (`cinder@array#array`) that Cinder could manage.
    pub async fn list_manageable_volumes(
        &self,
        host: &str,
    ) -> Result<Vec<ManageableVolume>, ProviderError> {
        let call = self
            .session
            .call(Method::GET, "/manageable_volumes")
            .await?
            .query("host", host);
        let list: wire::ManageableList = self.session.execute_json(call).await?;
        Ok(list
            .volumes
            .into_iter()
            .map(ManageableVolume::from)
            .collect())
    }

    /// Starts managing a backend volume; the answer is the new volume, usually `creating`.
    pub async fn manage_volume(&self, req: &ManageVolume) -> Result<Volume, ProviderError> {
        let mut volume = json!({ "host": req.host, "ref": { "source-name": req.source_name },
            "name": req.name, "bootable": req.bootable, "metadata": req.metadata });
        if let Some(t) = &req.volume_type {
            volume["volume_type"] = json!(t);
        }
        let call = self
            .session
            .call(Method::POST, "/manageable_volumes")
            .await?
            .json(json!({ "volume": volume }));
        let one: wire::VolumeOne = self.session.execute_json(call).await?;
        Ok(one.volume.into())
    }

    /// Cinder forgets the volume; the array keeps it. Sent again on a 5xx or a lost answer like
    /// a GET: a repeat of one that happened finds no volume (404), which callers count as gone.
    pub async fn unmanage_volume(&self, id: &str) -> Result<(), ProviderError> {
        let path = format!("/volumes/{id}/action");
        let call = self
            .session
            .call(Method::POST, &path)
            .await?
            .json(json!({ "os-unmanage": {} }))
            .idempotent(true);
        self.session.execute(call).await.map(|_| ())
    }

    /// Sets metadata keys on a volume (others are kept); setting them again changes nothing, so
    /// it is sent again like a PUT.
    pub async fn set_metadata(
        &self,
        id: &str,
        metadata: &std::collections::BTreeMap<String, String>,
    ) -> Result<(), ProviderError> {
        let path = format!("/volumes/{id}/metadata");
        let call = self
            .session
            .call(Method::POST, &path)
            .await?
            .json(json!({ "metadata": metadata }))
            .idempotent(true);
        self.session.execute(call).await.map(|_| ())
    }

    /// Deletes the volume (and its backend volume); one already gone is not an error.
    pub async fn delete_volume(&self, id: &str) -> Result<(), ProviderError> {
        self.session.delete(&format!("/volumes/{id}")).await
    }
}
