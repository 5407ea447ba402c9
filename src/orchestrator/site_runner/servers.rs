//! Servers at a site as the steps look for them: the group's members by name, the ones this
//! operation created (by metadata), and deleting one and waiting until it is gone.

use super::{META_OPERATION, SiteRunner, step_err};
use crate::orchestrator::step::{StepCtx, StepError};
use crate::providers::compute::Server;

impl SiteRunner {
    /// The group's servers at `site`, matched by exact name.
    pub(crate) async fn servers_named(
        &self,
        site: &str,
        names: &[String],
    ) -> Result<Vec<Server>, StepError> {
        let all = self
            .site(site)?
            .compute()
            .list_servers()
            .await
            .map_err(step_err)?;
        Ok(all
            .into_iter()
            .filter(|s| names.contains(&s.name))
            .collect())
    }

    /// Every server an operation created at `site` (this one's unless another id is given).
    pub(crate) async fn servers_of_operation(
        &self,
        site: &str,
        operation_id: &str,
    ) -> Result<Vec<Server>, StepError> {
        self.site(site)?
            .compute()
            .find_servers_by_metadata(META_OPERATION, operation_id)
            .await
            .map_err(step_err)
    }

    /// The server this operation created under `name` at `site`, if any.
    pub(crate) async fn find_own_server(
        &self,
        site: &str,
        name: &str,
    ) -> Result<Option<Server>, StepError> {
        let own = self.servers_of_operation(site, &self.operation_id).await?;
        Ok(own.into_iter().find(|s| s.name == name))
    }

    /// Delete a server and wait until it is gone (its volumes and ports are then free). `false`
    /// when it was already gone (a delete of a missing server answers like any other).
    pub(crate) async fn delete_server_and_wait(
        &self,
        site: &str,
        id: &str,
        ctx: &StepCtx,
    ) -> Result<bool, StepError> {
        let compute = self.site(site)?.compute();
        if compute.get_server(id).await.map_err(step_err)?.is_none() {
            return Ok(false);
        }
        compute.delete(id).await.map_err(step_err)?;
        self.poll_until(ctx, || async {
            let s = compute.get_server(id).await.map_err(step_err)?;
            Ok(s.is_none().then_some(()))
        })
        .await?;
        Ok(true)
    }
}
