//! The `StepRunner` that does the real work: each step kind as calls through the providers to the
//! two sites, with an idempotent check (find what an earlier, interrupted run made, by name or by
//! the `drconsole:operation` metadata) and a compensation. One runner serves one operation.

mod cleanup;
mod instances;
mod lookups;
mod poll;
mod replication;
mod storage;

use super::plan::StepSpec;
use super::runner::{StepCtx, StepError, StepRunner};
use super::step_kind::StepKind;
use crate::config::GroupConfig;
use crate::providers::{ProviderError, SiteClient};
use futures_util::future::BoxFuture;
use serde_json::{Value, json};
use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

/// Metadata keys drconsole puts on what it creates, so a resumed step finds its own work.
pub const META_GROUP: &str = "drconsole:group";
pub const META_OPERATION: &str = "drconsole:operation";
pub const META_ARRAY_VOLUME: &str = "drconsole:array_volume";

/// What a runner needs from the journal: the group's state and a finished operation's outputs.
pub trait RunnerState: Send + Sync + 'static {
    /// Make `new_primary` the group's current primary (compare-and-set in the journal).
    fn swap_primary<'a>(
        &'a self,
        group: &'a str,
        new_primary: &'a str,
    ) -> BoxFuture<'a, Result<(), String>>;

    /// The group's current primary as journaled.
    fn current_primary<'a>(&'a self, group: &'a str) -> BoxFuture<'a, Result<String, String>>;

    /// The outputs of every step of an earlier operation that succeeded (what a drill made).
    fn step_outputs<'a>(
        &'a self,
        operation_id: &'a str,
    ) -> BoxFuture<'a, Result<HashMap<String, Value>, String>>;
}

pub struct SiteRunner {
    pub(crate) sites: HashMap<String, SiteClient>,
    pub(crate) group: GroupConfig,
    pub(crate) operation_id: String,
    pub(crate) state: Arc<dyn RunnerState>,
    /// How often a wait polls; never faster than 1 s against real sites.
    pub(crate) poll_interval: Duration,
    pub(crate) lookups: lookups::Lookups,
}

impl SiteRunner {
    pub fn new(
        sites: HashMap<String, SiteClient>,
        group: GroupConfig,
        operation_id: impl Into<String>,
        state: Arc<dyn RunnerState>,
        poll_interval: Duration,
    ) -> Self {
        Self {
            sites,
            group,
            operation_id: operation_id.into(),
            state,
            poll_interval,
            lookups: lookups::Lookups::default(),
        }
    }

    pub(crate) fn site(&self, name: &str) -> Result<&SiteClient, StepError> {
        self.sites
            .get(name)
            .ok_or_else(|| StepError::fatal(format!("no site named {name} in the configuration")))
    }

    /// The array name of a site (`array-a`), which prefixes replicated names on the peer.
    pub(crate) fn array_name(&self, site: &str) -> Result<String, StepError> {
        Ok(self.site(site)?.array_name().to_string())
    }

    async fn dispatch_run(&self, step: &StepSpec, ctx: &StepCtx) -> Result<Value, StepError> {
        match &step.kind {
            StepKind::ValidateSites {
                source,
                target,
                force,
            } => self.validate(source, target, *force).await,
            StepKind::StopServers { site, servers } => self.stop_servers(site, servers, ctx).await,
            StepKind::FinalSync {
                source,
                target,
                array_pg,
            }
            | StepKind::ReplicateNow {
                source,
                target,
                array_pg,
            } => self.replicate_now(source, target, array_pg, ctx).await,
            StepKind::SelectSnapshot {
                source,
                target,
                array_pg,
            } => self.select_snapshot(source, target, array_pg).await,
            StepKind::CreateVolumesFromSnapshot { site, volumes } => {
                self.create_volumes(site, volumes, ctx).await
            }
            StepKind::ManageVolumes { site, volumes } => {
                self.manage_volumes(site, volumes, ctx).await
            }
            StepKind::CreatePorts {
                site,
                server,
                ports,
            } => self.create_ports(site, server, ports).await,
            StepKind::CreateServer { site, server } => self.create_server(site, server, ctx).await,
            StepKind::WaitActive { site, servers, .. } => {
                self.wait_active(site, servers, ctx).await
            }
            StepKind::ReverseReplication {
                new_source,
                new_target,
                array_pg,
            } => {
                self.reverse_replication(new_source, new_target, array_pg)
                    .await
            }
            StepKind::StopReplication { source, array_pg } => {
                self.stop_replication(source, array_pg).await
            }
            StepKind::SwapPrimary { new_primary } => {
                self.state
                    .swap_primary(&self.group.name, new_primary)
                    .await
                    .map_err(StepError::transient)?;
                Ok(json!({ "current_primary": new_primary }))
            }
            StepKind::RetireInstances { site, servers } => {
                self.retire_instances(site, servers, ctx).await
            }
            StepKind::CleanupTestResources {
                site,
                test_operation,
            } => self.cleanup_test(site, test_operation, ctx).await,
            StepKind::Noop { .. } => Ok(Value::Null),
        }
    }

    async fn dispatch_check(
        &self,
        step: &StepSpec,
        ctx: &StepCtx,
    ) -> Result<Option<Value>, StepError> {
        match &step.kind {
            StepKind::CreateVolumesFromSnapshot { site, volumes } => {
                self.check_volumes(site, volumes).await
            }
            StepKind::ManageVolumes { site, volumes } => self.check_managed(site, volumes).await,
            StepKind::CreatePorts {
                site,
                server,
                ports,
            } => self.check_ports(site, server, ports).await,
            StepKind::CreateServer { site, server } => Ok(self
                .find_own_server(site, &server.name)
                .await?
                .map(|s| json!({ "server_id": s.id }))),
            StepKind::WaitActive { site, servers, .. } => {
                self.check_active(site, servers, ctx).await
            }
            StepKind::SwapPrimary { new_primary } => {
                let now = self
                    .state
                    .current_primary(&self.group.name)
                    .await
                    .map_err(StepError::transient)?;
                Ok((now == *new_primary).then(|| json!({ "current_primary": new_primary })))
            }
            // Everything else is safe to do again (validation, snapshots, waits, stops, deletes).
            _ => Ok(None),
        }
    }

    async fn dispatch_compensate(
        &self,
        step: &StepSpec,
        output: &Value,
        ctx: &StepCtx,
    ) -> Result<(), StepError> {
        match &step.kind {
            StepKind::StopServers { site, servers } => {
                self.restart_servers(site, servers, output).await
            }
            StepKind::CreateVolumesFromSnapshot { site, volumes } => {
                self.remove_array_volumes(site, volumes).await
            }
            StepKind::ManageVolumes { site, volumes } => {
                self.unmanage_volumes(site, volumes, output).await
            }
            StepKind::CreatePorts {
                site,
                server,
                ports,
            } => self.remove_ports(site, server, ports, output).await,
            StepKind::CreateServer { site, server } => {
                self.remove_server(site, &server.name, output, ctx).await
            }
            StepKind::ReverseReplication {
                new_source,
                new_target,
                array_pg,
            } => {
                self.undo_reverse_replication(new_source, new_target, array_pg)
                    .await
            }
            _ => Ok(()),
        }
    }
}

impl StepRunner for SiteRunner {
    fn run<'a>(
        &'a self,
        step: &'a StepSpec,
        ctx: &'a StepCtx,
    ) -> BoxFuture<'a, Result<Value, StepError>> {
        Box::pin(self.dispatch_run(step, ctx))
    }

    fn check<'a>(
        &'a self,
        step: &'a StepSpec,
        ctx: &'a StepCtx,
    ) -> BoxFuture<'a, Result<Option<Value>, StepError>> {
        Box::pin(self.dispatch_check(step, ctx))
    }

    fn compensate<'a>(
        &'a self,
        step: &'a StepSpec,
        output: &'a Value,
        ctx: &'a StepCtx,
    ) -> BoxFuture<'a, Result<(), StepError>> {
        Box::pin(self.dispatch_compensate(step, output, ctx))
    }
}

/// A provider failure as a step error: transport faults and 5xx may be retried, the rest not.
pub(crate) fn step_err(e: ProviderError) -> StepError {
    if e.is_transient() {
        StepError::transient(e.to_string())
    } else {
        StepError::fatal(e.to_string())
    }
}

/// Read a list of strings from a step output (`{"key": ["a", "b"]}`).
pub(crate) fn strings_at(output: &Value, key: &str) -> Vec<String> {
    output
        .get(key)
        .and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .filter_map(|v| v.as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default()
}

/// Calls a step makes to one site at once (stops, deletes, volume copies): enough to keep a
/// large group's step near the latency of one call, few enough to be polite to the API.
pub(crate) const PARALLEL_CALLS: usize = 16;

/// Run `f` on every item, `PARALLEL_CALLS` at a time; the first error ends the step.
pub(crate) async fn each<T, R, F, Fut>(items: Vec<T>, f: F) -> Result<Vec<R>, StepError>
where
    F: Fn(T) -> Fut,
    Fut: std::future::Future<Output = Result<R, StepError>>,
{
    use futures_util::stream::{self, StreamExt, TryStreamExt};
    stream::iter(items)
        .map(f)
        .buffer_unordered(PARALLEL_CALLS)
        .try_collect()
        .await
}

/// A delete or undo whose target is already gone has done its job.
pub(crate) fn gone_is_done(r: Result<(), ProviderError>) -> Result<(), StepError> {
    match r {
        Err(e) if !e.is_not_found() => Err(step_err(e)),
        _ => Ok(()),
    }
}
