//! Removing a resource an operation left behind, by its id, and asking whether it is still
//! there: what `ops cleanup` does with the list a failed rollback journaled.

use super::{SiteRunner, step_err, was_there};
use crate::domain::{Resource, ResourceKind};
use crate::orchestrator::step::{StepCtx, StepError};
use crate::providers::network::{FloatingIpFilter, PortFilter};

impl SiteRunner {
    /// Remove `r` (a server is deleted and waited for, a port or a floating IP deleted, a Cinder
    /// volume unmanaged, an array volume destroyed and eradicated); `true` when it was there.
    pub(crate) async fn remove(&self, r: &Resource, ctx: &StepCtx) -> Result<bool, StepError> {
        let id = known_id(r)?;
        let site = self.site(&r.site)?;
        match r.kind {
            ResourceKind::Server => self.delete_server_and_wait(&r.site, id, ctx).await,
            ResourceKind::Port => was_there(site.network().delete_port(id).await),
            ResourceKind::Volume => was_there(site.volume().unmanage_volume(id).await),
            ResourceKind::ArrayVolume => {
                let gone = self
                    .eradicate_array_volumes(&r.site, vec![id.to_string()])
                    .await?;
                Ok(gone > 0)
            }
            ResourceKind::FloatingIp => was_there(site.network().delete_floating_ip(id).await),
        }
    }

    /// Is `r` still at its site?
    pub(crate) async fn exists(&self, r: &Resource) -> Result<bool, StepError> {
        let id = known_id(r)?;
        let site = self.site(&r.site)?;
        match r.kind {
            ResourceKind::Server => Ok(site
                .compute()
                .get_server(id)
                .await
                .map_err(step_err)?
                .is_some()),
            ResourceKind::Port => {
                let filter = PortFilter {
                    name: Some(r.name.clone()),
                    ..PortFilter::default()
                };
                let ports = site.network().list_ports(&filter).await;
                Ok(ports.map_err(step_err)?.iter().any(|p| p.id == id))
            }
            ResourceKind::Volume => Ok(site
                .volume()
                .get_volume(id)
                .await
                .map_err(step_err)?
                .is_some()),
            // Listing by name fails when one is missing: list all and look.
            ResourceKind::ArrayVolume => {
                let all = site.array().volumes(&[]).await.map_err(step_err)?;
                Ok(all.iter().any(|v| v.name == id && !v.destroyed))
            }
            // A floating IP is named by its address.
            ResourceKind::FloatingIp => {
                let filter = FloatingIpFilter {
                    address: Some(r.name.clone()),
                    ..FloatingIpFilter::default()
                };
                let fips = site.network().list_floating_ips(&filter).await;
                Ok(fips.map_err(step_err)?.iter().any(|f| f.id == id))
            }
        }
    }
}

fn known_id(r: &Resource) -> Result<&str, StepError> {
    r.id.as_deref().ok_or_else(|| {
        StepError::fatal(format!(
            "{r}: its id is not known, so it is looked for by the step that made it"
        ))
    })
}
