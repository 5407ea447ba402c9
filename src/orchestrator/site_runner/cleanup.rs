//! Test cleanup: remove exactly what a drill created, as its journal recorded it — servers first
//! (so volumes and ports are free), then ports, then managed volumes and their array volumes.

use super::{SiteRunner, each, gone_is_done, step_err, strings_at};
use crate::orchestrator::runner::{StepCtx, StepError};
use serde_json::{Value, json};

impl SiteRunner {
    pub(crate) async fn cleanup_test(
        &self,
        site: &str,
        test_operation: &str,
        ctx: &StepCtx,
    ) -> Result<Value, StepError> {
        if test_operation.is_empty() {
            return Err(StepError::fatal("no test failover to clean up was named"));
        }
        let outputs = self
            .state
            .step_outputs(test_operation)
            .await
            .map_err(StepError::transient)?;
        let of_kind = |prefix: &str| -> Vec<&Value> {
            outputs
                .iter()
                .filter(|(k, _)| k.starts_with(prefix))
                .map(|(_, v)| v)
                .collect()
        };
        let client = self.site(site)?;
        // Servers: what the journal recorded, plus any the drill made but had not recorded.
        let mut servers: Vec<String> = of_kind("create_server:")
            .iter()
            .filter_map(|o| {
                o.get("server_id")
                    .and_then(Value::as_str)
                    .map(str::to_string)
            })
            .collect();
        let tagged = client
            .compute()
            .find_servers_by_metadata(super::META_OPERATION, test_operation)
            .await
            .map_err(step_err)?;
        for s in tagged {
            if !servers.contains(&s.id) {
                servers.push(s.id);
            }
        }
        each(servers.clone(), |id| async move {
            self.delete_server_and_wait(site, &id, ctx).await
        })
        .await?;
        let ports: Vec<String> = of_kind("create_ports:")
            .iter()
            .flat_map(|o| strings_at(o, "ports"))
            .collect();
        let network = client.network();
        each(ports.clone(), |id| {
            let network = &network;
            async move { gone_is_done(network.delete_port(&id).await) }
        })
        .await?;
        let volumes: Vec<String> = of_kind("manage_volumes")
            .iter()
            .filter_map(|o| o.get("volumes").and_then(Value::as_array))
            .flatten()
            .filter_map(|v| v.get("id").and_then(Value::as_str).map(str::to_string))
            .collect();
        let volume = client.volume();
        each(volumes.clone(), |id| {
            let volume = &volume;
            async move { gone_is_done(volume.unmanage_volume(&id).await) }
        })
        .await?;
        let array_volumes: Vec<String> = of_kind("create_volumes_from_snapshot")
            .iter()
            .flat_map(|o| strings_at(o, "volumes"))
            .collect();
        let names: Vec<&str> = array_volumes.iter().map(String::as_str).collect();
        self.eradicate_array_volumes(site, &names).await?;
        ctx.log(format!(
            "removed {} servers, {} ports, {} volumes of drill {test_operation}",
            servers.len(),
            ports.len(),
            volumes.len()
        ));
        Ok(json!({
            "servers_deleted": servers,
            "ports_deleted": ports,
            "volumes_unmanaged": volumes,
            "array_volumes_eradicated": array_volumes,
        }))
    }
}
