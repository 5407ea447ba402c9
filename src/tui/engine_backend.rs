//! `ConsoleBackend` over the engine: every answer the console gets comes from an engine function
//! (the journal and the sites stay behind it); lab faults go through the engine's lab switch.

use super::backend::{
    BackendError, BackendFuture, ConsoleBackend, Fault, Mappings, OperationDetail, OperationRequest,
};
use crate::domain::{Check, CheckReport, EstateView, InstanceView, OperationRecord};
use crate::orchestrator::OperationEvent;
use crate::orchestrator::engine::Engine;
use crate::orchestrator::lab_faults::LabFaults;
use std::future::Future;
use std::sync::Arc;
use tokio::sync::broadcast;

/// Operations the Operations pane lists.
const RECENT_OPERATIONS: usize = 200;
/// Log lines the operation view keeps.
const LOG_TAIL: usize = 200;

pub struct EngineBackend {
    engine: Arc<Engine>,
    lab: LabFaults,
}

impl EngineBackend {
    /// `lab`: the lab's fault switch, or `LabFaults::none()` on real sites.
    pub fn new(engine: Arc<Engine>, lab: LabFaults) -> Self {
        Self { engine, lab }
    }

    /// Run `f` on the engine in a boxed future, its error made the console's.
    fn ask<T, E, F, Fut>(&self, f: F) -> BackendFuture<T>
    where
        F: FnOnce(Arc<Engine>) -> Fut,
        Fut: Future<Output = Result<T, E>> + Send + 'static,
        E: Into<BackendError>,
        T: Send + 'static,
    {
        let fut = f(self.engine.clone());
        Box::pin(async move { fut.await.map_err(Into::into) })
    }
}

impl ConsoleBackend for EngineBackend {
    /// The console is long-lived: its refresh also starts a pending fence whose side answers
    /// again.
    fn refresh(&self) -> BackendFuture<EstateView> {
        self.ask(|e| async move { e.refresh().await })
    }

    fn instances(&self, group: String) -> BackendFuture<Vec<InstanceView>> {
        self.ask(|e| async move { e.instances(&group).await })
    }

    fn operations(&self) -> BackendFuture<Vec<OperationRecord>> {
        self.ask(|e| async move { e.recent_operations(RECENT_OPERATIONS).await })
    }

    fn operation_detail(&self, id: String) -> BackendFuture<OperationDetail> {
        self.ask(|e| async move {
            let mut d = e.operation_detail(&id, LOG_TAIL).await?;
            d.log_path = crate::logging::log_path().map(|p| p.display().to_string());
            Ok::<_, BackendError>(d)
        })
    }

    fn mappings(&self, group: String) -> BackendFuture<Mappings> {
        self.ask(|e| async move {
            let g = e.group_config(&group)?;
            Ok::<_, BackendError>(Mappings {
                network: g.network_mapping.clone(),
                test_network: g.test_network_mapping.clone(),
                flavor: g.flavor_mapping.clone(),
            })
        })
    }

    fn check(&self, req: OperationRequest) -> BackendFuture<Vec<Check>> {
        self.ask(|e| async move { e.check(&req).await })
    }

    fn check_report(&self, req: OperationRequest) -> BackendFuture<CheckReport> {
        self.ask(|e| async move { e.check_report(&req).await })
    }

    fn start(&self, req: OperationRequest) -> BackendFuture<String> {
        self.ask(|e| async move { e.start(req).await.map(|r| r.id) })
    }

    fn cancel(&self, id: String) -> BackendFuture<()> {
        self.ask(|e| async move { e.request_cancel(&id).await })
    }

    fn subscribe(&self) -> broadcast::Receiver<OperationEvent> {
        self.engine.events().subscribe()
    }

    fn is_lab(&self) -> bool {
        self.lab.is_lab()
    }

    fn inject_fault(&self, site: String, fault: Fault) -> BackendFuture<()> {
        let lab = self.lab.clone();
        Box::pin(async move { Ok(lab.inject(&site, &fault).await?) })
    }

    fn clear_faults(&self, site: String) -> BackendFuture<()> {
        let lab = self.lab.clone();
        Box::pin(async move { Ok(lab.clear(&site).await?) })
    }
}
