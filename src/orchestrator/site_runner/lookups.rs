//! What every instance step of one operation looks up and nothing changes during it — each
//! site's flavors, networks and subnets — fetched once per operation, not once per instance; and
//! upstream outputs many steps read (manage_volumes' for every create_server), decoded once.

use super::{SiteRunner, step_err};
use crate::orchestrator::step::{Step, StepCtx, StepError, StepId};
use crate::providers::compute::Flavor;
use crate::providers::network::{Network, Subnet};
use serde_json::Value;
use std::any::Any;
use std::collections::HashMap;
use std::sync::Arc;
use tokio::sync::Mutex;

/// A site's networks and their subnets.
type NetworkMap = Arc<(Vec<Network>, Vec<Subnet>)>;

/// An upstream output as decoded, with the journaled value it was decoded from.
struct Decoded {
    raw: Arc<Value>,
    value: Arc<dyn Any + Send + Sync>,
}

#[derive(Default)]
pub(crate) struct Lookups {
    flavors: Mutex<HashMap<String, Arc<Vec<Flavor>>>>,
    networks: Mutex<HashMap<String, NetworkMap>>,
    decoded: std::sync::Mutex<HashMap<StepId, Decoded>>,
}

impl SiteRunner {
    /// The id of the flavor named `name` at `site`.
    pub(crate) async fn flavor_id(&self, site: &str, name: &str) -> Result<String, StepError> {
        let flavors = self.flavors(site).await?;
        flavors
            .iter()
            .find(|f| f.name == name)
            .map(|f| f.id.clone())
            .ok_or_else(|| missing("flavor", name, site))
    }

    /// The id of the network named `name` at `site`, and its subnets' CIDRs.
    pub(crate) async fn network_named(
        &self,
        site: &str,
        name: &str,
    ) -> Result<(String, Vec<String>), StepError> {
        let known = self.networks(site).await?;
        let (networks, subnets) = (&known.0, &known.1);
        let net = networks
            .iter()
            .find(|n| n.name == name)
            .ok_or_else(|| missing("network", name, site))?;
        let cidrs = subnets
            .iter()
            .filter(|s| s.network_id == net.id)
            .map(|s| s.cidr.clone())
            .collect();
        Ok((net.id.clone(), cidrs))
    }

    /// The output of upstream step `id` (of kind `S`) as `build` shapes it, decoded once per
    /// operation and shared: decoded per reader, a 1,000-server manage_volumes output cost every
    /// create_server a pass over all 3,000 volumes. Decoded again when the step's output
    /// changed (a step run again after a rollback).
    pub(crate) fn decoded<S: Step, T: Send + Sync + 'static>(
        &self,
        ctx: &StepCtx,
        id: &StepId,
        build: impl FnOnce(S::Output) -> T,
    ) -> Result<Arc<T>, StepError> {
        let raw = ctx.outputs.get(id).cloned();
        // Held while decoding (no await under it): the readers that arrive meanwhile wait for
        // this decode instead of each doing their own.
        let mut cache = self
            .lookups
            .decoded
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if let Some(raw) = &raw
            && let Some(d) = cache.get(id)
            && Arc::ptr_eq(&d.raw, raw)
            && let Ok(value) = d.value.clone().downcast::<T>()
        {
            return Ok(value);
        }
        let value = Arc::new(build(ctx.output::<S>(id)?));
        if let Some(raw) = raw {
            let shared: Arc<dyn Any + Send + Sync> = value.clone();
            cache.insert(id.clone(), Decoded { raw, value: shared });
        }
        Ok(value)
    }

    async fn flavors(&self, site: &str) -> Result<Arc<Vec<Flavor>>, StepError> {
        let mut cache = self.lookups.flavors.lock().await;
        if let Some(f) = cache.get(site) {
            return Ok(f.clone());
        }
        let list = Arc::new(
            self.site(site)?
                .compute()
                .list_flavors()
                .await
                .map_err(step_err)?,
        );
        cache.insert(site.to_string(), list.clone());
        Ok(list)
    }

    async fn networks(&self, site: &str) -> Result<NetworkMap, StepError> {
        let mut cache = self.lookups.networks.lock().await;
        if let Some(n) = cache.get(site) {
            return Ok(n.clone());
        }
        let net = self.site(site)?.network();
        let (networks, subnets) =
            tokio::try_join!(net.list_networks(), net.list_subnets()).map_err(step_err)?;
        let both = Arc::new((networks, subnets));
        cache.insert(site.to_string(), both.clone());
        Ok(both)
    }
}

/// A name the target lacks: what to map it with.
fn missing(kind: &str, name: &str, site: &str) -> StepError {
    StepError::fatal(format!(
        "{kind} {name} does not exist at {site}; map it with --{kind}-mapping"
    ))
}
