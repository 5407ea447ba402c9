//! The one door from the console to the engine: a trait the runtime calls from spawned tasks, and
//! the view types it answers with. The console never speaks HTTP or SQL itself.

use crate::domain::preconditions::Check;
use crate::domain::{EstateView, InstanceView, OperationRecord, Phase};
use crate::orchestrator::OperationEvent;
use chrono::{DateTime, Utc};
use futures_util::future::BoxFuture;
use std::collections::BTreeMap;
use tokio::sync::broadcast;

/// What the operator asked for in a dialog or on the command line: the engine's own request.
pub use crate::orchestrator::engine::OperationRequest;

/// The default network and flavor mappings of a group (from its definition), for the dialog.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Mappings {
    pub network: BTreeMap<String, String>,
    /// The networks a drill uses (the group's test networks), never production's.
    pub test_network: BTreeMap<String, String>,
    pub flavor: BTreeMap<String, String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StepStatus {
    Pending,
    Running,
    Succeeded,
    Failed,
    Compensated,
    Skipped,
}

#[derive(Debug, Clone, PartialEq)]
pub struct StepView {
    pub id: String,
    pub label: String,
    pub phase: Phase,
    pub status: StepStatus,
    pub started_at: Option<DateTime<Utc>>,
    pub finished_at: Option<DateTime<Utc>>,
    /// `done/total` of a step that reports progress (e.g. 3 of 5 volumes).
    pub progress: Option<(u32, u32)>,
    pub error: Option<String>,
}

/// One operation with its steps and log, as the operation view shows it.
#[derive(Debug, Clone, PartialEq)]
pub struct OperationDetail {
    pub record: OperationRecord,
    pub steps: Vec<StepView>,
    pub log: Vec<String>,
    /// Where the full log lives, for the "what to do next" hint.
    pub log_path: Option<String>,
}

/// A lab fault, as `/lab/v1/faults` takes it.
#[derive(Debug, Clone, PartialEq)]
pub struct FaultSpec {
    /// `site_down`, `error_rate`, `latency`, `replication_stalled` or `boot_failure`.
    pub kind: String,
    pub service: Option<String>,
    pub rate: Option<f64>,
    pub latency_ms: Option<u64>,
    pub server: Option<String>,
}

impl FaultSpec {
    pub fn kind(kind: &str) -> Self {
        Self {
            kind: kind.to_string(),
            service: None,
            rate: None,
            latency_ms: None,
            server: None,
        }
    }
}

pub type BackendFuture<T> = BoxFuture<'static, Result<T, String>>;

/// Everything the console asks of the engine. Errors are operator-readable sentences.
pub trait ConsoleBackend: Send + Sync + 'static {
    fn refresh(&self) -> BackendFuture<EstateView>;
    fn instances(&self, group: String) -> BackendFuture<Vec<InstanceView>>;
    /// Recent operations, newest first.
    fn operations(&self) -> BackendFuture<Vec<OperationRecord>>;
    fn operation_detail(&self, id: String) -> BackendFuture<OperationDetail>;
    /// The group's configured mappings, to prefill the dialog. Defaults to none.
    fn mappings(&self, _group: String) -> BackendFuture<Mappings> {
        Box::pin(async { Ok(Mappings::default()) })
    }
    /// The precondition checklist; changes nothing.
    fn check(&self, req: OperationRequest) -> BackendFuture<Vec<Check>>;
    /// Starts the operation; `Ok` is its id, `Err` the rejection reason.
    fn start(&self, req: OperationRequest) -> BackendFuture<String>;
    fn cancel(&self, id: String) -> BackendFuture<()>;
    fn subscribe(&self) -> broadcast::Receiver<OperationEvent>;
    fn is_lab(&self) -> bool {
        false
    }
    fn inject_fault(&self, site: String, fault: FaultSpec) -> BackendFuture<()>;
    fn clear_faults(&self, site: String) -> BackendFuture<()>;
}
