//! `ConsoleBackend` over the engine: every answer the console gets comes from an engine function
//! (the journal and the sites stay behind it); lab faults go through the engine's lab switch.

use super::backend::{
    BackendError, BackendFuture, ConsoleBackend, Fault, JournalChanges, Mappings, OperationDetail,
    OperationRequest, ReportWriter, SiteFaults, WrittenReport,
};
use crate::domain::{Check, CheckReport, EstateView, GroupState, InstanceView, OperationRecord};
use crate::orchestrator::OperationEvent;
use crate::orchestrator::engine::Engine;
use crate::orchestrator::lab_faults::LabFaults;
use std::collections::HashMap;
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
    reports: Option<Arc<dyn ReportWriter>>,
}

impl EngineBackend {
    /// `lab`: the lab's fault switch, or `LabFaults::none()` on real sites.
    pub fn new(engine: Arc<Engine>, lab: LabFaults) -> Self {
        Self {
            engine,
            lab,
            reports: None,
        }
    }

    /// Reports are written by `writer`.
    pub fn with_reports(mut self, writer: Arc<dyn ReportWriter>) -> Self {
        self.reports = Some(writer);
        self
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

    fn rpo_history(&self, n: usize) -> BackendFuture<HashMap<String, Vec<i64>>> {
        self.ask(move |e| async move { e.rpo_histories(n).await })
    }

    fn group_states(&self) -> BackendFuture<Vec<GroupState>> {
        self.ask(|e| async move { e.group_states().await.map(|m| m.into_values().collect()) })
    }

    fn journal_changes(&self) -> BackendFuture<JournalChanges> {
        self.ask(|e| async move { e.journal_changes().await })
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

    fn write_report(&self, id: String) -> BackendFuture<WrittenReport> {
        let engine = self.engine.clone();
        let writer = self.reports.clone();
        Box::pin(async move {
            let writer = writer.ok_or_else(|| BackendError::NoReports(id.clone()))?;
            // A cleanup completes its drill's report (the drill's span to its cleanup).
            let of = engine.drill_of_cleanup(&id).await?.unwrap_or(id);
            let detail = Box::new(engine.operation_detail(&of, 0).await?);
            let (detail, paths) = tokio::task::spawn_blocking(move || {
                let paths = writer.write(&detail);
                (detail, paths)
            })
            .await
            .map_err(|e| BackendError::Report(Arc::new(e)))?;
            let paths = paths.map_err(|e| BackendError::Report(Arc::from(e)))?;
            Ok(WrittenReport { detail, paths })
        })
    }

    fn lab_faults(&self) -> BackendFuture<Vec<SiteFaults>> {
        let lab = self.lab.clone();
        Box::pin(async move {
            Ok(lab
                .active()
                .await
                .into_iter()
                .map(|(site, listed)| match listed {
                    Ok(faults) => SiteFaults {
                        site,
                        faults,
                        error: None,
                    },
                    Err(e) => SiteFaults {
                        site,
                        faults: Vec::new(),
                        error: Some(crate::sanitize::clean(&e.to_string())),
                    },
                })
                .collect())
        })
    }

    fn clear_faults(&self, site: String) -> BackendFuture<()> {
        let lab = self.lab.clone();
        Box::pin(async move { Ok(lab.clear(&site).await?) })
    }
}
