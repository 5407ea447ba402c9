//! What real steps act through: the two sites (through the providers) and the journal's view of
//! the group, for one operation. The lookups and waits the step kinds share live here; the kinds
//! themselves (what each step does, checks and undoes) live in `orchestrator::steps`.

mod create;
mod lookups;
mod poll;
mod ports;
mod remove;
mod servers;
mod volumes;

pub(crate) use ports::{ip_in_cidr, port_name};
pub(crate) use servers::is_off;

use super::step::StepError;
use crate::config::GroupConfig;
use crate::providers::{ProviderError, SiteClient};
use crate::store::StoreError;
use futures_util::future::BoxFuture;
use serde_json::Value;
use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

/// Metadata keys drconsole puts on what it creates, so a resumed step finds its own work.
pub const META_GROUP: &str = "drconsole:group";
pub const META_OPERATION: &str = "drconsole:operation";
pub const META_ARRAY_VOLUME: &str = "drconsole:array_volume";
/// Set on a volume whose server an operation is about to delete: the operation unmanages it even
/// when its run is cut short after the delete (the server no longer says which volumes were its).
pub const META_RETIRED_BY: &str = "drconsole:retired_by";

/// Why the journal's view of a group could not be read or changed.
#[derive(Debug, thiserror::Error)]
pub enum StateError {
    #[error("journal: {0}")]
    Journal(#[from] StoreError),
    #[error("the state of group {group} kept changing under us; try again")]
    Contended { group: String },
    #[error("operation {0} is not in the journal")]
    UnknownOperation(String),
}

/// What an earlier operation left in the journal: its plan as journaled, and the output of every
/// step of it that succeeded, by step id.
#[derive(Debug, Clone, Default)]
pub struct Recorded {
    pub plan: Value,
    pub outputs: HashMap<String, Value>,
}

/// What a runner needs from the journal: the group's state and a finished operation's record.
pub trait RunnerState: Send + Sync + 'static {
    /// Make `new_primary` the group's current primary (compare-and-set in the journal).
    fn swap_primary<'a>(
        &'a self,
        group: &'a str,
        new_primary: &'a str,
    ) -> BoxFuture<'a, Result<(), StateError>>;

    /// The group's current primary as journaled.
    fn current_primary<'a>(&'a self, group: &'a str) -> BoxFuture<'a, Result<String, StateError>>;

    /// The plan and step outputs of an earlier operation (what a drill made).
    fn recorded<'a>(&'a self, operation_id: &'a str)
    -> BoxFuture<'a, Result<Recorded, StateError>>;
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
}

/// A provider failure as a step error: transport faults and 5xx may be retried, the rest not.
pub(crate) fn step_err(e: ProviderError) -> StepError {
    let err = if e.is_transient() {
        StepError::transient(e.to_string())
    } else {
        StepError::fatal(e.to_string())
    };
    err.at(e.site)
}

/// The journal could not answer: worth another attempt.
pub(crate) fn state_err(e: StateError) -> StepError {
    StepError::transient(e.to_string())
}

/// Calls a step makes to one site at once (stops, deletes, volume copies): enough to keep a
/// large group's step near the latency of one call, few enough to be polite to the API.
pub(crate) const PARALLEL_CALLS: usize = 16;

/// Run `f` on every item, `PARALLEL_CALLS` at a time; the first error ends the step: no call
/// starts after it, but the calls under way end first. A call dropped half-way may have happened
/// unseen (a create made, a delete done), and the step's next run must find the sites as its calls
/// left them.
pub(crate) async fn each<T, R, F, Fut>(items: Vec<T>, f: F) -> Result<Vec<R>, StepError>
where
    F: Fn(T) -> Fut,
    Fut: std::future::Future<Output = Result<R, StepError>>,
{
    use futures_util::stream::{self, StreamExt};
    use std::sync::atomic::{AtomicBool, Ordering};
    let failed = AtomicBool::new(false);
    let (f, failed) = (&f, &failed);
    let results: Vec<Option<Result<R, StepError>>> = stream::iter(items)
        .map(|item| async move {
            if failed.load(Ordering::Relaxed) {
                return None;
            }
            let r = f(item).await;
            if r.is_err() {
                failed.store(true, Ordering::Relaxed);
            }
            Some(r)
        })
        .buffer_unordered(PARALLEL_CALLS)
        .collect()
        .await;
    let mut out = Vec::with_capacity(results.len());
    let mut first_error = None;
    for r in results.into_iter().flatten() {
        match r {
            Ok(v) => out.push(v),
            Err(e) => {
                first_error.get_or_insert(e);
            }
        }
    }
    first_error.map_or(Ok(out), Err)
}

/// Run a delete or an undo on every item; how many of them were there to remove (an item
/// already gone has had its job done, and counts as nothing removed).
pub(crate) async fn remove_each<T, F, Fut>(items: Vec<T>, f: F) -> Result<usize, StepError>
where
    F: Fn(T) -> Fut,
    Fut: std::future::Future<Output = Result<(), ProviderError>>,
{
    let removed = each(items, |item| {
        let call = f(item);
        async move { was_there(call.await) }
    })
    .await?;
    Ok(removed.into_iter().filter(|r| *r).count())
}

/// A delete or undo: `true` when it removed something, `false` when its target was already gone.
pub(crate) fn was_there(r: Result<(), ProviderError>) -> Result<bool, StepError> {
    match r {
        Ok(()) => Ok(true),
        Err(e) if e.is_not_found() => Ok(false),
        Err(e) => Err(step_err(e)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicUsize, Ordering};

    /// One call fails at once while the others are under way: they end (nothing is dropped
    /// half-sent), and the step fails with that error.
    #[tokio::test]
    async fn the_first_error_waits_for_the_calls_under_way() {
        let ended = AtomicUsize::new(0);
        let ended = &ended;
        let r: Result<Vec<u32>, StepError> = each(vec![0u32, 1, 2], |i| async move {
            if i == 0 {
                // Fails once the others have started.
                tokio::task::yield_now().await;
                return Err(StepError::transient("site-b answered 500"));
            }
            for _ in 0..5 {
                tokio::task::yield_now().await;
            }
            ended.fetch_add(1, Ordering::SeqCst);
            Ok(i)
        })
        .await;
        assert!(r.is_err_and(|e| e.message.contains("500")));
        assert_eq!(ended.load(Ordering::SeqCst), 2, "the calls under way ended");
    }
}
