//! The pending fence of a forced failover runs by itself: every long-lived process (the console
//! at each refresh, `ops watch`, a runner) looks whether the unfenced side answers again and, if
//! it does, starts the group's fence (`drconsole fence GROUP` by hand does the same).

use super::{Engine, EngineError, OperationRequest};
use crate::domain::{EstateView, GroupState, OperationType};
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::watch;

/// How often a process running an operation looks for a pending fence whose side answers again.
const FENCE_LOOK_EVERY: Duration = Duration::from_secs(10);

impl Engine {
    /// `status` as the console refreshes it: the estate, and the pending fences of sides that
    /// answer again started in this process.
    pub async fn refresh(self: &Arc<Self>) -> Result<EstateView, EngineError> {
        let estate = self.estate().await?;
        self.fence_when_back(Some(&estate)).await;
        Ok(estate)
    }

    /// Start the fence of every group whose unfenced side answers again (as `known` shows it,
    /// or as a probe now finds it). The ids of the fences started here.
    pub async fn fence_when_back(self: &Arc<Self>, known: Option<&EstateView>) -> Vec<String> {
        let states = match self.group_states().await {
            Ok(s) => s,
            Err(e) => {
                tracing::warn!("looking for pending fences: {e}");
                return Vec::new();
            }
        };
        let mut started = Vec::new();
        for state in states.values() {
            if let Some(id) = self.fence_if_back(state, known).await {
                started.push(id);
            }
        }
        started
    }

    async fn fence_if_back(
        self: &Arc<Self>,
        state: &GroupState,
        known: Option<&EstateView>,
    ) -> Option<String> {
        let pending = state.fence_pending.as_ref()?;
        if state.status.is_transient() {
            return None;
        }
        let reachable = match known.and_then(|e| e.site(&pending.site)) {
            Some(site) => site.reachable,
            None => self.clients.get(&pending.site)?.probe().await.reachable,
        };
        if !reachable {
            return None;
        }
        let req = OperationRequest::new(OperationType::Fence, &state.name);
        match self.start(req).await {
            Ok(rec) => {
                let detail = format!(
                    "{} answers again: fencing it (pending since operation {})",
                    pending.site, pending.operation_id
                );
                self.audit("fence.auto", Some(&state.name), Some(&rec.id), detail)
                    .await;
                Some(rec.id)
            }
            // Another process may be fencing it now (the lock says so), or a check refused.
            Err(e) => {
                tracing::info!("pending fence of {} not started here: {e}", state.name);
                None
            }
        }
    }

    /// While an operation runs here (a runner is a long-lived process too), look for pending
    /// fences every few seconds, beside the lease keeper so a slow look never delays a renewal.
    pub(super) fn spawn_fence_watcher(
        self: &Arc<Self>,
        mut stop: watch::Receiver<bool>,
    ) -> tokio::task::JoinHandle<()> {
        let engine = self.clone();
        tokio::spawn(async move {
            loop {
                tokio::select! {
                    _ = tokio::time::sleep(FENCE_LOOK_EVERY) => {}
                    _ = stop.changed() => return,
                }
                engine.fence_when_back(None).await;
            }
        })
    }

    /// Wait until every operation this process runs has ended (a runner does not exit under a
    /// fence it started).
    pub async fn wait_all_local(&self) {
        loop {
            let ids = self.running_ids();
            if ids.is_empty() {
                return;
            }
            for id in ids {
                self.wait_local(&id).await;
            }
        }
    }
}
