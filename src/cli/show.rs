//! `ops show`: an operation's record and every step of its plan with its own mark (succeeded,
//! verified, failed, undone, nothing to undo, irreversible, left behind, never run, running), and
//! what to do next when it did not complete.

use super::out;
use super::status::{engine_err, print_json};
use super::table::render;
use super::{CliError, follow::print_record};
use crate::domain::{OperationRecord, OperationStatus, StepMark, human_seconds};
use crate::orchestrator::engine::{Engine, StepView};
use crate::sanitize::clean;
use std::sync::Arc;

/// Log lines `ops show --json` includes.
const SHOW_LOG_LINES: usize = 50;

pub async fn show(engine: &Arc<Engine>, id: &str, json: bool) -> Result<(), CliError> {
    let d = engine
        .operation_detail(id, SHOW_LOG_LINES)
        .await
        .map_err(engine_err)?;
    if json {
        return print_json(
            &serde_json::json!({ "operation": d.record, "direction": d.record.direction(),
                "steps": d.steps, "log": d.log }),
        );
    }
    print_record(&d.record, false)?;
    print_steps(&d.steps);
    print_next(&d.record, &d.steps);
    Ok(())
}

/// The steps table: step, mark, attempt, time taken, timeout, and why (its failure, or why its
/// undo failed).
pub fn print_steps(steps: &[StepView]) {
    let rows: Vec<Vec<String>> = steps
        .iter()
        .map(|s| {
            let why = match (&s.undo_error, &s.error) {
                (Some(u), _) => format!("undo: {u}"),
                (None, Some(e)) => e.clone(),
                (None, None) => String::new(),
            };
            vec![
                s.label.clone(),
                format!("{} {}", s.mark.symbol(), s.mark),
                if s.attempt == 0 {
                    String::new()
                } else {
                    s.attempt.to_string()
                },
                s.duration_ms
                    .map(|d| format!("{:.1} s", d as f64 / 1000.0))
                    .unwrap_or_default(),
                s.timeout_ms
                    .map(|t| human_seconds((t / 1000) as i64))
                    .unwrap_or_else(|| "?".into()),
                why,
            ]
        })
        .collect();
    out::line(render(
        &["STEP", "MARK", "ATTEMPT", "TOOK", "TIMEOUT", "WHY"],
        &rows,
    ));
}

/// The way out of an operation that did not complete.
pub fn print_next(rec: &OperationRecord, steps: &[StepView]) {
    let id = &rec.id[..8.min(rec.id.len())];
    let left = steps.iter().any(|s| s.mark == StepMark::LeftBehind);
    let dir = format!("{} → {}", rec.source_site_id, rec.target_site_id);
    let next = match rec.status {
        _ if left => format!(
            "next: `drconsole ops cleanup {id}` removes what is left behind (`drconsole ops \
             rollback {id}` tries its undo again); then `drconsole ops retry {id}` continues it \
             ({dir})"
        ),
        OperationStatus::Failed | OperationStatus::Cancelled => {
            format!("next: `drconsole ops retry {id}` continues it from where it stopped ({dir})")
        }
        OperationStatus::RollbackFailed => format!(
            "next: nothing is left behind any more; `drconsole ops retry {id}` continues it \
             ({dir})"
        ),
        _ => return,
    };
    out::line(clean(&next));
}
