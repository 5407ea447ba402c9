//! Starting the console: on the configured sites, or on a lab in this process (`--lab`). The
//! console itself, and its side of the engine, live in `tui`.

use super::{Cli, CliError, data_dir, setup};
use crate::lab::{LabHandle, LabOptions};
use crate::orchestrator::engine::Resumed;
use crate::orchestrator::lab_faults::LabFaults;
use crate::tui::engine_backend::EngineBackend;
use crate::tui::{ConsoleBackend, OperationDetail, ReportWriter};
use std::sync::Arc;

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
    let faults = match lab {
        Some(h) => LabFaults::new(
            h.site_names()
                .into_iter()
                .filter_map(|s| h.site_url(&s).map(|url| (s, url))),
            h.ca_file().as_deref(),
        )
        .map_err(|e| CliError::failed(e.to_string()))?,
        None => LabFaults::none(),
    };
    // Operations a quit, a crash or a dropped session paused continue here, and say so.
    let (mut resumed, mut elsewhere) = (Vec::new(), Vec::new());
    match engine.resume_orphans().await {
        Ok(found) => {
            for r in found {
                match r {
                    Resumed::Here(id) => resumed.push(id),
                    Resumed::Elsewhere { id, who } => elsewhere.push(format!("{id} ({who})")),
                }
            }
            if !resumed.is_empty() {
                tracing::info!("resumed {} operation(s)", resumed.len());
            }
        }
        Err(e) => tracing::warn!("resume at start: {e}"),
    }
    let ui = engine.config().ui.clone();
    let reports = Arc::new(FileReports {
        dir: crate::report::default_dir(),
    });
    let backend: Arc<dyn ConsoleBackend> =
        Arc::new(EngineBackend::new(engine.clone(), faults).with_reports(reports));
    let start = crate::tui::Start {
        theme: cli.theme.clone(),
        lab: cli.lab,
        resumed,
        elsewhere,
    };
    let result = crate::tui::run(backend, ui, start).await;
    // Let running operations journal their step before the process ends; they resume later.
    result.map_err(|e| CliError::failed(e.to_string()))
}

/// The console's reports: Markdown and HTML under `<data dir>/reports`, named by the operation.
struct FileReports {
    dir: std::path::PathBuf,
}

impl ReportWriter for FileReports {
    fn write(
        &self,
        detail: &OperationDetail,
    ) -> Result<Vec<std::path::PathBuf>, Box<dyn std::error::Error + Send + Sync>> {
        Ok(crate::report::write_pair(detail, &self.dir)?.to_vec())
    }
}
