//! The replicating storage array (FlashArray REST 2.17 shape): connections, volumes, protection
//! groups with their members and targets, group snapshots, their transfers, volume snapshots.

mod session;
mod types;
mod wire;

use reqwest::Method;
use serde_json::json;

pub use types::*;

pub(crate) use session::{ArrayAuth, ArraySession, PAGE_SIZE};

use super::error::{ErrorKind, ProviderError};

#[derive(Clone)]
pub struct Array {
    session: ArraySession,
}

impl Array {
    pub(crate) fn new(session: ArraySession) -> Self {
        Self { session }
    }

    /// Opens a new session with the API token.
    pub async fn login(&self) -> Result<(), ProviderError> {
        self.session.login().await
    }

    /// Ends the session (the next call logs in again).
    pub async fn logout(&self) -> Result<(), ProviderError> {
        self.session.logout().await
    }

    /// The same array asking for `n` items a list call (lists longer than that come in pages).
    pub fn with_page_size(mut self, n: usize) -> Self {
        self.session.page_size = n.max(1);
        self
    }

    /// The configured name and the replication links (`GET /array-connections`).
    pub async fn state(&self) -> Result<ArrayState, ProviderError> {
        let call = self.session.call(Method::GET, "/array-connections");
        let items: Vec<wire::ConnectionWire> = self.session.items(call).await?;
        let name = Some(self.session.auth.config.name.clone()).filter(|n| !n.is_empty());
        Ok(ArrayState {
            name,
            connections: items.into_iter().map(ArrayConnection::from).collect(),
        })
    }

    pub async fn volumes(&self, names: &[&str]) -> Result<Vec<ArrayVolume>, ProviderError> {
        let call = with_names(self.session.call(Method::GET, "/volumes"), "names", names);
        let items: Vec<wire::VolumeWire> = self.session.items(call).await?;
        Ok(items.into_iter().map(ArrayVolume::from).collect())
    }

    /// Copies a volume snapshot into a new volume; a taken name is a Conflict.
    pub async fn create_volume_from_snapshot(
        &self,
        name: &str,
        source_snapshot: &str,
    ) -> Result<ArrayVolume, ProviderError> {
        let call = self
            .session
            .call(Method::POST, "/volumes")
            .query("names", name)
            .json(json!({ "source": { "name": source_snapshot } }));
        let items: Vec<wire::VolumeWire> =
            self.session.items(call).await.map_err(already_exists)?;
        self.first(items, "POST /api/2.17/volumes")
    }

    /// Destroys a volume (recoverable until eradicated).
    pub async fn destroy_volume(&self, name: &str) -> Result<(), ProviderError> {
        let call = self
            .session
            .call(Method::PATCH, "/volumes")
            .query("names", name)
            .json(json!({ "destroyed": true }));
        self.session.execute(call).await.map(|_| ())
    }

    /// Eradicates a destroyed volume.
    pub async fn eradicate_volume(&self, name: &str) -> Result<(), ProviderError> {
        let call = self
            .session
            .call(Method::DELETE, "/volumes")
            .query("names", name);
        self.session.execute(call).await.map(|_| ())
    }

    pub async fn protection_groups(
        &self,
        names: &[&str],
    ) -> Result<Vec<ProtectionGroup>, ProviderError> {
        let call = with_names(
            self.session.call(Method::GET, "/protection-groups"),
            "names",
            names,
        );
        let items: Vec<wire::PgWire> = self.session.items(call).await?;
        Ok(items.into_iter().map(ProtectionGroup::from).collect())
    }

    /// Creates an empty protection group; one that already exists is a Conflict.
    pub async fn create_protection_group(
        &self,
        name: &str,
    ) -> Result<ProtectionGroup, ProviderError> {
        let call = self
            .session
            .call(Method::POST, "/protection-groups")
            .query("names", name);
        let items: Vec<wire::PgWire> = self.session.items(call).await.map_err(already_exists)?;
        self.first(items, "POST /api/2.17/protection-groups")
    }

    pub async fn add_pg_volumes(&self, group: &str, members: &[&str]) -> Result<(), ProviderError> {
        let call = self
            .session
            .call(Method::POST, "/protection-groups/volumes")
            .query("group_names", group);
        let call = with_names(call, "member_names", members);
        self.session
            .execute(call)
            .await
            .map_err(already_exists)
            .map(|_| ())
    }

    pub async fn pg_volumes(&self, group: &str) -> Result<Vec<PgMember>, ProviderError> {
        let call = self
            .session
            .call(Method::GET, "/protection-groups/volumes")
            .query("group_names", group);
        let items: Vec<wire::MemberWire> = self.session.items(call).await?;
        Ok(items.into_iter().map(PgMember::from).collect())
    }

    pub async fn pg_targets(&self, group: &str) -> Result<Vec<PgTarget>, ProviderError> {
        let call = self
            .session
            .call(Method::GET, "/protection-groups/targets")
            .query("group_names", group);
        let items: Vec<wire::MemberWire> = self.session.items(call).await?;
        Ok(items.into_iter().map(PgTarget::from).collect())
    }

    pub async fn add_pg_target(&self, group: &str, target: &str) -> Result<(), ProviderError> {
        self.pg_target(Method::POST, group, target).await
    }

    pub async fn remove_pg_target(&self, group: &str, target: &str) -> Result<(), ProviderError> {
        self.pg_target(Method::DELETE, group, target).await
    }

    /// Takes a group snapshot, optionally replicating it now.
    pub async fn create_pg_snapshot(
        &self,
        group: &str,
        replicate_now: bool,
    ) -> Result<PgSnapshot, ProviderError> {
        let call = self
            .session
            .call(Method::POST, "/protection-group-snapshots")
            .query("source_names", group)
            .query("replicate_now", replicate_now.to_string());
        let items: Vec<wire::PgSnapshotWire> = self.session.items(call).await?;
        self.first(items, "POST /api/2.17/protection-group-snapshots")
    }

    /// The group's snapshots present on this array, oldest first (the array sorts them).
    pub async fn pg_snapshots(&self, source_name: &str) -> Result<Vec<PgSnapshot>, ProviderError> {
        let call = self
            .session
            .call(Method::GET, "/protection-group-snapshots")
            .query("source_names", source_name)
            .query("sort", "created");
        let items: Vec<wire::PgSnapshotWire> = self.session.items(call).await?;
        Ok(items.into_iter().map(PgSnapshot::from).collect())
    }

    pub async fn transfers(&self, names: &[&str]) -> Result<Vec<Transfer>, ProviderError> {
        let call = self
            .session
            .call(Method::GET, "/protection-group-snapshots/transfer");
        let call = with_names(call, "names", names);
        let items: Vec<wire::TransferWire> = self.session.items(call).await?;
        Ok(items.into_iter().map(Transfer::from).collect())
    }

    pub async fn volume_snapshots(
        &self,
        source_names: &[&str],
    ) -> Result<Vec<VolumeSnapshot>, ProviderError> {
        let call = self.session.call(Method::GET, "/volume-snapshots");
        let call = with_names(call, "source_names", source_names);
        let items: Vec<wire::VolumeSnapshotWire> = self.session.items(call).await?;
        Ok(items.into_iter().map(VolumeSnapshot::from).collect())
    }

    async fn pg_target(
        &self,
        method: Method,
        group: &str,
        target: &str,
    ) -> Result<(), ProviderError> {
        let call = self
            .session
            .call(method, "/protection-groups/targets")
            .query("group_names", group)
            .query("member_names", target);
        self.session.execute(call).await.map(|_| ())
    }

    fn first<W, T: From<W>>(&self, items: Vec<W>, call: &str) -> Result<T, ProviderError> {
        items.into_iter().next().map(T::from).ok_or_else(|| {
            let site = &self.session.http.site;
            ProviderError::decode(site, super::error::Service::Array, call, "empty items")
        })
    }
}

/// `names=a,b` (omitted when empty: the array then lists everything).
fn with_names(call: super::http::Call, key: &str, names: &[&str]) -> super::http::Call {
    if names.is_empty() {
        call
    } else {
        call.query(key, names.join(","))
    }
}

/// The array answers 400 when a name is taken: make that a Conflict.
fn already_exists(mut e: ProviderError) -> ProviderError {
    let m = e.message.to_lowercase();
    let taken = m.contains("already")
        || m.contains("in use")
        || m.contains("taken")
        || (m.contains("exists") && !m.contains("not exist"));
    if e.kind == ErrorKind::BadRequest && taken {
        e.kind = ErrorKind::Conflict;
    }
    e
}
