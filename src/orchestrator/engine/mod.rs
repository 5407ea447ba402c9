//! The engine: the one entry point the CLI and the console use. It turns a request into a plan,
//! takes the group's lock, checks the state machine and the preconditions, journals and runs the
//! plan in a task, keeps the group state true to the outcome, and resumes what a crash left.

mod aftermath;
mod cleanup;
mod detail;
mod detail_facts;
mod facts;
mod fence;
mod finish;
mod group_state;
mod keepers;
mod lease;
mod points;
mod request;
mod resume;
mod retry;
mod site;
mod start;
mod tasks;

pub use crate::store::JournalChanges;
pub use cleanup::CleanupReport;
pub use detail::{OperationDetail, StepState, StepView};
pub use request::{EngineError, OperationRequest};
pub use resume::{Resumed, is_orphaned};
pub use site::{GroupPhase, SiteGroup, SiteRecord, SiteRequest};
pub use tasks::{TaskDetail, TaskView};

use super::discovery;
use super::events::EventBus;
use super::executor::RollbackPolicy;
use crate::config::{Config, GroupConfig};
use crate::domain::{Actor, EstateView, GroupState, InstanceView};
use crate::providers::SiteClient;
use crate::store::{RpoSample, Store};
use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::sync::{Notify, watch};

#[derive(Debug, Clone)]
pub struct EngineOptions {
    /// Steps of one operation that may run at once.
    pub max_concurrency: usize,
    /// How long a group lock lasts without renewal; another console may take over after it.
    pub lease: Duration,
    /// How often waits poll the sites (never under 1 s against real sites).
    pub poll_interval: Duration,
    /// Identifies this process in locks: `host:pid:random`.
    pub console_id: String,
    /// Where the last known inventory of each group is kept, for a forced failover.
    pub cache_dir: Option<PathBuf>,
    /// How long a rollback rides out a site that does not answer, and how it backs off.
    pub rollback: RollbackPolicy,
}

impl Default for EngineOptions {
    fn default() -> Self {
        Self {
            // Steps, not calls: `[http] max_calls_per_site` bounds what reaches a site. At 64,
            // a 1,000-server group's one-call steps queued behind each other (measured:
            // wall / critical path 1.12 at 64, 1.08 at 256).
            max_concurrency: 256,
            lease: Duration::from_secs(60),
            poll_interval: Duration::from_secs(1),
            console_id: console_id(),
            cache_dir: None,
            rollback: RollbackPolicy::default(),
        }
    }
}

/// `host:pid:random`, so two consoles on one host never share a lock identity.
pub fn console_id() -> String {
    format!(
        "{}:{}:{:06x}",
        super::actor::local_actor().host,
        std::process::id(),
        rand::random::<u32>() & 0xff_ffff
    )
}

/// The journal keeps one RPO sample a group per this much time…
pub const RPO_SPACING: Duration = Duration::from_secs(10);
/// …for this long.
const RPO_KEPT: chrono::TimeDelta = chrono::TimeDelta::days(7);

/// An operation this process runs: how to cancel it and how to learn it ended.
struct Running {
    cancel: watch::Sender<bool>,
    done: Arc<Notify>,
}

pub struct Engine {
    pub(crate) config: Arc<Config>,
    pub(crate) store: Store,
    pub(crate) clients: HashMap<String, SiteClient>,
    pub(crate) events: EventBus,
    pub(crate) opts: EngineOptions,
    pub(crate) actor: Actor,
    running: Mutex<HashMap<String, Running>>,
}

impl Engine {
    pub fn new(
        config: Arc<Config>,
        store: Store,
        opts: EngineOptions,
    ) -> Result<Arc<Self>, EngineError> {
        let mut clients = HashMap::new();
        for site in &config.sites {
            let client = SiteClient::new(site, config.http)
                .map_err(|e| EngineError::Config(e.to_string()))?;
            clients.insert(site.name.clone(), client);
        }
        Ok(Arc::new(Self {
            config,
            store,
            clients,
            events: EventBus::new(),
            opts,
            actor: super::actor::local_actor(),
            running: Mutex::new(HashMap::new()),
        }))
    }

    pub fn events(&self) -> &EventBus {
        &self.events
    }

    pub fn store(&self) -> &Store {
        &self.store
    }

    pub fn config(&self) -> &Config {
        &self.config
    }

    pub fn group_config(&self, name: &str) -> Result<&GroupConfig, EngineError> {
        self.config
            .groups
            .iter()
            .find(|g| g.name == name)
            .ok_or_else(|| {
                let known: Vec<&str> = self.config.groups.iter().map(|g| g.name.as_str()).collect();
                EngineError::Rejected(format!(
                    "no protection group named {name:?}; the configuration has: {}",
                    known.join(", ")
                ))
            })
    }

    /// Every group's journaled state (initial state for groups never operated).
    pub async fn group_states(&self) -> Result<HashMap<String, GroupState>, EngineError> {
        let stored = self.store.all_group_states().await?;
        Ok(self
            .config
            .groups
            .iter()
            .map(|g| {
                let s = stored
                    .iter()
                    .find(|s| s.name == g.name)
                    .cloned()
                    .unwrap_or_else(|| GroupState::initial(&g.name, &g.primary_site));
                (g.name.clone(), s)
            })
            .collect())
    }

    /// `status`: both sites probed at once, every group with its RPO now (kept in the
    /// journal's RPO history, at most one sample a group per `RPO_SPACING`).
    pub async fn estate(&self) -> Result<EstateView, EngineError> {
        let states = self.group_states().await?;
        let drills = self.drill_operations().await;
        let view = discovery::estate(&self.config, &self.clients, &states, &drills).await;
        self.keep_rpo(&view).await;
        Ok(view)
    }

    async fn keep_rpo(&self, view: &EstateView) {
        for g in &view.protection_groups {
            let Some(rpo_seconds) = g.rpo_seconds else {
                continue;
            };
            let sample = RpoSample {
                group: g.name.clone(),
                at: view.refreshed_at,
                rpo_seconds,
            };
            if let Err(e) = self.store.record_rpo(&sample, RPO_SPACING).await {
                tracing::warn!("keeping the RPO of {}: {e}", g.name);
            }
        }
        let old = view.refreshed_at - RPO_KEPT;
        if let Err(e) = self.store.prune_rpo(old).await {
            tracing::warn!("pruning the RPO history: {e}");
        }
    }

    /// Each group's RPO history from the journal (seconds, oldest first), the last `samples`.
    pub async fn rpo_histories(
        &self,
        samples: usize,
    ) -> Result<HashMap<String, Vec<i64>>, EngineError> {
        let since = chrono::Utc::now() - RPO_KEPT;
        let mut out = HashMap::new();
        for g in &self.config.groups {
            let h = self.store.rpo_history(&g.name, since, samples).await?;
            out.insert(
                g.name.clone(),
                h.into_iter().map(|s| s.rpo_seconds).collect(),
            );
        }
        Ok(out)
    }

    /// "The journal changed", whichever process wrote: what consoles follow other consoles by.
    pub async fn journal_changes(&self) -> Result<JournalChanges, EngineError> {
        Ok(self.store.changes().await?)
    }

    /// `instances GROUP`.
    pub async fn instances(&self, group: &str) -> Result<Vec<InstanceView>, EngineError> {
        let g = self.group_config(group)?.clone();
        let state = self.group_state(group).await?;
        let drills = self.drill_operations().await;
        Ok(discovery::instances(&self.config, &self.clients, &g, &state, &drills).await)
    }

    /// Ask an operation this process runs to stop; it rolls back.
    pub fn cancel_local(&self, id: &str) -> bool {
        let running = self.running.lock().unwrap_or_else(|p| p.into_inner());
        match running.iter().find(|(k, _)| k.starts_with(id)) {
            Some((_, r)) => {
                let _ = r.cancel.send(true);
                true
            }
            None => false,
        }
    }

    /// Ask an operation to stop and roll back, wherever it runs: at once when this process runs
    /// it, else through the journal, which the engine running it watches.
    pub async fn request_cancel(&self, id: &str) -> Result<(), EngineError> {
        if self.cancel_local(id) {
            return Ok(());
        }
        let ev = super::OperationEvent {
            operation_id: id.to_string(),
            at: chrono::Utc::now(),
            kind: super::EventKind::CancelRequested {
                by: self.actor.to_string(),
            },
        };
        self.store.append_event(&ev).await?;
        Ok(())
    }

    /// Operations this process runs now.
    pub fn running_ids(&self) -> Vec<String> {
        let running = self.running.lock().unwrap_or_else(|p| p.into_inner());
        running.keys().cloned().collect()
    }

    /// Wait until an operation this process runs has finished (returns at once if it is not ours).
    pub async fn wait_local(&self, id: &str) {
        let done = {
            let running = self.running.lock().unwrap_or_else(|p| p.into_inner());
            running.get(id).map(|r| r.done.clone())
        };
        if let Some(done) = done {
            let notified = done.notified();
            // The operation may have ended between the lookup and now.
            if !self.is_running_local(id) {
                return;
            }
            notified.await;
        }
    }

    fn is_running_local(&self, id: &str) -> bool {
        let running = self.running.lock().unwrap_or_else(|p| p.into_inner());
        running.contains_key(id)
    }

    pub(crate) fn register(&self, id: &str, cancel: watch::Sender<bool>) -> Arc<Notify> {
        let done = Arc::new(Notify::new());
        let mut running = self.running.lock().unwrap_or_else(|p| p.into_inner());
        running.insert(
            id.to_string(),
            Running {
                cancel,
                done: done.clone(),
            },
        );
        done
    }

    pub(crate) fn unregister(&self, id: &str) {
        let mut running = self.running.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(r) = running.remove(id) {
            r.done.notify_waiters();
        }
    }
}
