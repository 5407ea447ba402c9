//! The one door from the console to the engine: a trait the runtime calls from spawned tasks, and
//! the types it answers with. The console never speaks HTTP or SQL itself.

use crate::domain::preconditions::{Check, CheckReport};
use crate::domain::{EstateView, GroupState, InstanceView, OperationRecord};
use crate::orchestrator::OperationEvent;
use crate::orchestrator::engine::EngineError;
pub use crate::orchestrator::engine::JournalChanges;
use crate::orchestrator::lab_faults::LabFaultError;
use futures_util::future::BoxFuture;
use std::collections::{BTreeMap, HashMap};
use std::path::PathBuf;
use std::sync::Arc;
use thiserror::Error;
use tokio::sync::broadcast;

/// What the operator asked for in a dialog or on the command line: the engine's own request.
pub use crate::orchestrator::engine::OperationRequest;
/// An operation as the operation view shows it: the engine's own detail.
pub use crate::orchestrator::engine::{OperationDetail, StepState, StepView};
/// A lab fault, as the Faults menu injects it.
pub use crate::orchestrator::lab_faults::{Fault, FaultKind};

/// The faults a lab site holds now, or why its control API did not say.
#[derive(Debug, Clone, PartialEq)]
pub struct SiteFaults {
    pub site: String,
    pub faults: Vec<Fault>,
    /// Already sanitised.
    pub error: Option<String>,
}

/// The default network and flavor mappings of a group (from its definition), for the dialog.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Mappings {
    pub network: BTreeMap<String, String>,
    /// The networks a drill uses (the group's test networks), never production's.
    pub test_network: BTreeMap<String, String>,
    pub flavor: BTreeMap<String, String>,
}

/// Why the engine could not answer; its Display is the sentence the operator reads.
#[derive(Debug, Clone, Error)]
pub enum BackendError {
    #[error(transparent)]
    Engine(Arc<EngineError>),
    #[error(transparent)]
    Lab(#[from] LabFaultError),
    #[error(transparent)]
    Report(Arc<dyn std::error::Error + Send + Sync>),
    #[error("this console writes no reports; `drconsole report {0}` writes one")]
    NoReports(String),
}

/// A report as written: the operation it tells (a drill, for its cleanup) and its files.
#[derive(Debug, Clone, PartialEq)]
pub struct WrittenReport {
    pub detail: Box<OperationDetail>,
    pub paths: Vec<PathBuf>,
}

/// Writes an operation's report files (the console cannot: reports are another room); the
/// console asks at the end of every drill and failover and on `R`. The first path is the one
/// announced.
pub trait ReportWriter: Send + Sync + 'static {
    fn write(
        &self,
        detail: &OperationDetail,
    ) -> Result<Vec<PathBuf>, Box<dyn std::error::Error + Send + Sync>>;
}

impl From<EngineError> for BackendError {
    fn from(e: EngineError) -> Self {
        BackendError::Engine(Arc::new(e))
    }
}

pub type BackendFuture<T> = BoxFuture<'static, Result<T, BackendError>>;

/// Everything the console asks of the engine.
pub trait ConsoleBackend: Send + Sync + 'static {
    fn refresh(&self) -> BackendFuture<EstateView>;
    fn instances(&self, group: String) -> BackendFuture<Vec<InstanceView>>;
    /// Each group's RPO history as the journal keeps it: seconds, oldest first, the last `n`.
    fn rpo_history(&self, n: usize) -> BackendFuture<HashMap<String, Vec<i64>>>;
    /// Every group's state as the journal holds it now (no site is asked: fast).
    fn group_states(&self) -> BackendFuture<Vec<GroupState>>;
    /// "The journal changed" (any process on the same journal): what keeps the console fresh.
    fn journal_changes(&self) -> BackendFuture<JournalChanges>;
    /// Recent operations, newest first.
    fn operations(&self) -> BackendFuture<Vec<OperationRecord>>;
    fn operation_detail(&self, id: String) -> BackendFuture<OperationDetail>;
    /// The group's configured mappings, to prefill the dialog.
    fn mappings(&self, group: String) -> BackendFuture<Mappings>;
    /// The precondition checklist; changes nothing.
    fn check(&self, req: OperationRequest) -> BackendFuture<Vec<Check>>;
    /// The checklist with the recovery points it was evaluated on (what the dialog shows);
    /// a backend that lists no points answers with the checklist alone.
    fn check_report(&self, req: OperationRequest) -> BackendFuture<CheckReport> {
        let checks = self.check(req);
        Box::pin(async move { checks.await.map(CheckReport::from) })
    }
    /// Starts the operation; `Ok` is its id, `Err` the rejection reason.
    fn start(&self, req: OperationRequest) -> BackendFuture<String>;
    fn cancel(&self, id: String) -> BackendFuture<()>;
    fn subscribe(&self) -> broadcast::Receiver<OperationEvent>;
    fn is_lab(&self) -> bool;
    fn inject_fault(&self, site: String, fault: Fault) -> BackendFuture<()>;
    /// Write the operation's report files (a cleanup's: its drill's, to the end of the
    /// cleanup); the detail reported and the paths written, the one to announce first.
    fn write_report(&self, id: String) -> BackendFuture<WrittenReport>;
    /// Every lab site's active faults (none outside lab mode).
    fn lab_faults(&self) -> BackendFuture<Vec<SiteFaults>>;
    fn clear_faults(&self, site: String) -> BackendFuture<()>;
}
