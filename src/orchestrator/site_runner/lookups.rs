//! What every instance step of one operation looks up and nothing changes during it — each
//! site's flavors, networks and subnets — fetched once per operation, not once per instance.

use super::{SiteRunner, step_err};
use crate::orchestrator::runner::StepError;
use crate::providers::compute::Flavor;
use crate::providers::network::{Network, Subnet};
use std::collections::HashMap;
use std::sync::Arc;
use tokio::sync::Mutex;

/// A site's networks and their subnets.
type NetworkMap = Arc<(Vec<Network>, Vec<Subnet>)>;

#[derive(Default)]
pub(crate) struct Lookups {
    flavors: Mutex<HashMap<String, Arc<Vec<Flavor>>>>,
    networks: Mutex<HashMap<String, NetworkMap>>,
}

impl SiteRunner {
    pub(crate) async fn flavors(&self, site: &str) -> Result<Arc<Vec<Flavor>>, StepError> {
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

    pub(crate) async fn networks(&self, site: &str) -> Result<NetworkMap, StepError> {
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
