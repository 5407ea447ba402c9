//! The console's side of the engine: `ConsoleBackend` over the orchestrator and the journal, and
//! starting the console on the configured sites or on an in-process lab (`--lab`).

use super::{Cli, CliError, data_dir, setup};
use crate::lab::{LabHandle, LabOptions};
use crate::orchestrator::Plan;
use crate::orchestrator::engine::Engine;
use crate::orchestrator::{EventKind, OperationEvent};
use crate::providers::lab_control::{FaultRequest, LabControl};
use crate::store::StepStatus as Journaled;
use crate::tui::backend::{
    BackendFuture, ConsoleBackend, FaultSpec, Mappings, OperationDetail, OperationRequest,
    StepStatus, StepView,
};
use std::collections::HashMap;
use std::sync::Arc;
use tokio::sync::broadcast;

pub struct EngineBackend {
    engine: Arc<Engine>,
    /// Lab site name → its control API (lab mode only).
    lab: HashMap<String, LabControl>,
}

impl EngineBackend {
    pub fn new(engine: Arc<Engine>, lab: HashMap<String, LabControl>) -> Self {
        Self { engine, lab }
    }
}

/// Log lines the operation view keeps.
const LOG_TAIL: usize = 200;

async fn detail(engine: Arc<Engine>, id: String) -> Result<OperationDetail, String> {
    let store = engine.store();
    let op = store
        .find_operation(&id)
        .await
        .map_err(|e| e.to_string())?
        .ok_or_else(|| format!("no operation {id} in the journal"))?;
    let plan: Plan = serde_json::from_value(op.plan.clone()).unwrap_or_default();
    let steps = store
        .steps(&op.record.id)
        .await
        .map_err(|e| e.to_string())?;
    let by_id: HashMap<&str, _> = steps.iter().map(|s| (s.step_id.as_str(), s)).collect();
    let views = plan
        .steps
        .iter()
        .map(|spec| {
            let rec = by_id.get(spec.id.as_str());
            StepView {
                id: spec.id.to_string(),
                label: spec.label(),
                phase: spec.phase,
                status: match rec.map(|r| r.status) {
                    None => StepStatus::Pending,
                    Some(Journaled::Started) => {
                        if op.record.status.is_finished() {
                            StepStatus::Failed
                        } else {
                            StepStatus::Running
                        }
                    }
                    Some(Journaled::Succeeded) => StepStatus::Succeeded,
                    Some(Journaled::Failed) => StepStatus::Failed,
                    Some(Journaled::Compensated) => StepStatus::Compensated,
                },
                started_at: rec.map(|r| r.started_at),
                finished_at: rec.and_then(|r| r.finished_at),
                progress: None,
                error: rec.and_then(|r| r.error.clone()),
            }
        })
        .collect();
    // Only the tail the view shows, not every event of a long operation on each reload.
    let log: Vec<String> = store
        .log_tail(&op.record.id, LOG_TAIL)
        .await
        .map_err(|e| e.to_string())?
        .iter()
        .filter_map(|e| match &e.kind {
            EventKind::Log { line } => Some(format!(
                "{} {}",
                e.at.format("%H:%M:%S"),
                crate::sanitize::clean(line)
            )),
            _ => None,
        })
        .collect();
    Ok(OperationDetail {
        record: op.record,
        steps: views,
        log,
        log_path: crate::logging::log_path().map(|p| p.display().to_string()),
    })
}

impl ConsoleBackend for EngineBackend {
    fn refresh(&self) -> BackendFuture<crate::domain::EstateView> {
        let e = self.engine.clone();
        // The console is long-lived: its refresh also starts a pending fence whose side
        // answers again.
        Box::pin(async move { e.refresh().await.map_err(|e| e.to_string()) })
    }

    fn instances(&self, group: String) -> BackendFuture<Vec<crate::domain::InstanceView>> {
        let e = self.engine.clone();
        Box::pin(async move { e.instances(&group).await.map_err(|e| e.to_string()) })
    }

    fn operations(&self) -> BackendFuture<Vec<crate::domain::OperationRecord>> {
        let e = self.engine.clone();
        Box::pin(async move {
            e.store()
                .list_operations(200, None)
                .await
                .map_err(|e| e.to_string())
        })
    }

    fn operation_detail(&self, id: String) -> BackendFuture<OperationDetail> {
        Box::pin(detail(self.engine.clone(), id))
    }

    fn mappings(&self, group: String) -> BackendFuture<Mappings> {
        let e = self.engine.clone();
        Box::pin(async move {
            let g = e.group_config(&group).map_err(|e| e.to_string())?;
            Ok(Mappings {
                network: g.network_mapping.clone(),
                test_network: g.test_network_mapping.clone(),
                flavor: g.flavor_mapping.clone(),
            })
        })
    }

    fn check(&self, req: OperationRequest) -> BackendFuture<Vec<crate::domain::Check>> {
        let e = self.engine.clone();
        Box::pin(async move { e.check(&req).await.map_err(|e| e.to_string()) })
    }

    fn start(&self, req: OperationRequest) -> BackendFuture<String> {
        let e = self.engine.clone();
        Box::pin(async move { e.start(req).await.map(|r| r.id).map_err(|e| e.to_string()) })
    }

    fn cancel(&self, id: String) -> BackendFuture<()> {
        let e = self.engine.clone();
        Box::pin(async move { e.request_cancel(&id).await.map_err(|e| e.to_string()) })
    }

    fn subscribe(&self) -> broadcast::Receiver<OperationEvent> {
        self.engine.events().subscribe()
    }

    fn is_lab(&self) -> bool {
        !self.lab.is_empty()
    }

    fn inject_fault(&self, site: String, fault: FaultSpec) -> BackendFuture<()> {
        let control = self.lab.get(&site).cloned();
        Box::pin(async move {
            let control = control.ok_or_else(|| format!("{site} is not a lab site"))?;
            control
                .add_fault(&FaultRequest {
                    kind: fault.kind,
                    service: fault.service,
                    rate: fault.rate,
                    latency_ms: fault.latency_ms,
                    server: fault.server,
                })
                .await
                .map_err(|e| e.to_string())
        })
    }

    fn clear_faults(&self, site: String) -> BackendFuture<()> {
        let control = self.lab.get(&site).cloned();
        Box::pin(async move {
            control
                .ok_or_else(|| format!("{site} is not a lab site"))?
                .clear_faults()
                .await
                .map_err(|e| e.to_string())
        })
    }
}

/// `drconsole` with no subcommand: the console on the configured sites, or on a lab in this
/// process with `--lab`.
pub async fn run(cli: &Cli) -> Result<(), CliError> {
    let mut lab_handle: Option<LabHandle> = None;
    let mut cli_cfg = cli.config.clone();
    if cli.lab {
        let dir = data_dir().join("lab");
        let handle = LabHandle::start(LabOptions::new(&dir)).await.map_err(|e| {
            CliError::failed(format!("cannot start the lab in {}: {e}", dir.display()))
        })?;
        let files = handle
            .write_client_files()
            .map_err(|e| CliError::failed(format!("cannot write the lab's client files: {e}")))?;
        cli_cfg = Some(files.config);
        lab_handle = Some(handle);
    } else if cli.config.is_none()
        && std::env::var_os("DRCONSOLE_CONFIG").is_none()
        && crate::config::locate(None).is_err()
    {
        return Err(CliError::rejected(
            "no configuration found: write drconsole.toml (see README) or pass --config FILE;\n\
             or try it on the built-in two-site lab: drconsole --lab",
        ));
    }
    let local = Cli {
        config: cli_cfg,
        lab: cli.lab,
        theme: cli.theme.clone(),
        store: cli.store.clone(),
        command: None,
    };
    let result = console(&local, lab_handle.as_ref()).await;
    if let Some(h) = lab_handle {
        let _ = h.shutdown().await;
    }
    result
}

async fn console(cli: &Cli, lab: Option<&LabHandle>) -> Result<(), CliError> {
    let engine = setup::engine(cli)?;
    let mut controls = HashMap::new();
    if let Some(h) = lab {
        for site in h.site_names() {
            if let Some(url) = h.site_url(&site) {
                let c = LabControl::new(&url).map_err(|e| CliError::failed(e.to_string()))?;
                controls.insert(site, c);
            }
        }
    }
    // Operations a crash or a dropped session left behind continue here.
    match engine.resume_orphans().await {
        Ok(ids) if !ids.is_empty() => tracing::info!("resumed {} operation(s)", ids.len()),
        Ok(_) => {}
        Err(e) => tracing::warn!("resume at start: {e}"),
    }
    let ui = engine.config().ui.clone();
    let backend: Arc<dyn ConsoleBackend> = Arc::new(EngineBackend::new(engine.clone(), controls));
    let result = crate::tui::run(backend, ui, cli.theme.clone(), cli.lab).await;
    // Let running operations journal their step before the process ends; they resume later.
    result.map_err(|e| CliError::failed(e.to_string()))
}
