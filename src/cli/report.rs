//! `drconsole report OPERATION [--format md|html|json] [--output FILE]` and `report --drills
//! --since DATE`: reports built from the journal by the same function the console uses.

use super::CliError;
use crate::domain::{OperationDetail, OperationType};
use crate::orchestrator::engine::Engine;
use crate::report::{self, Format, ReportError};
use clap::Args;
use std::sync::Arc;

#[derive(Debug, Args, Clone)]
pub struct ReportArgs {
    /// The operation's id, or an unambiguous start of it.
    #[arg(required_unless_present = "drills", conflicts_with = "drills")]
    pub operation: Option<String>,
    /// md (Markdown, the default), html (one self-contained file) or json.
    #[arg(long, default_value = "md")]
    pub format: String,
    /// Write the report to FILE instead of standard output.
    #[arg(long, short, value_name = "FILE")]
    pub output: Option<std::path::PathBuf>,
    /// Summarise every drill (test failover) since --since, for an audit.
    #[arg(long, requires = "since")]
    pub drills: bool,
    /// With --drills: the first day, YYYY-MM-DD (UTC).
    #[arg(long, value_name = "DATE")]
    pub since: Option<String>,
}

/// Log lines a report reads (it shows none, but the detail carries them).
const LOG_LINES: usize = 0;
/// Operations looked through for drills since a date.
const AUDIT_LIMIT: usize = 10_000;

impl From<ReportError> for CliError {
    fn from(e: ReportError) -> Self {
        match e {
            ReportError::Write { .. } | ReportError::Json(_) => CliError::failed(e.to_string()),
            _ => CliError::rejected(e.to_string()),
        }
    }
}

pub async fn run(engine: &Arc<Engine>, a: &ReportArgs) -> Result<(), CliError> {
    let format = Format::parse(&a.format)?;
    let text = match (&a.operation, a.drills) {
        (_, true) => drills(engine, a.since.as_deref().unwrap_or_default(), format).await?,
        (Some(id), false) => {
            let d = detail(engine, id).await?;
            report::render(&d, format)?
        }
        (None, false) => return Err(CliError::rejected("name an operation, or use --drills")),
    };
    match &a.output {
        Some(path) => {
            report::write_file(path, &text)?;
            eprintln!("report written to {}", path.display());
            Ok(())
        }
        None => {
            print!("{text}");
            Ok(())
        }
    }
}

async fn detail(engine: &Arc<Engine>, id: &str) -> Result<OperationDetail, CliError> {
    engine
        .operation_detail(id, LOG_LINES)
        .await
        .map_err(|e| CliError::rejected(e.to_string()))
}

async fn drills(engine: &Arc<Engine>, since: &str, format: Format) -> Result<String, CliError> {
    let since = report::parse_since(since)?;
    if format == Format::Html {
        return Err(CliError::rejected(
            "the drill summary is Markdown or JSON; use --format md or --format json",
        ));
    }
    let ops = engine
        .store()
        .list_operations(AUDIT_LIMIT, None)
        .await
        .map_err(|e| CliError::failed(format!("cannot list operations: {e}")))?;
    let mut details = Vec::new();
    for op in ops.iter().filter(|o| {
        o.operation_type == OperationType::TestFailover && o.started_at.is_some_and(|s| s >= since)
    }) {
        details.push(detail(engine, &op.id).await?);
    }
    Ok(report::drills_summary(
        &details,
        since,
        format == Format::Json,
    )?)
}
