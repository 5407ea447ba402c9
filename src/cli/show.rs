//! `ops show`: an operation's record and its task view — every step of its plan from the start
//! with its upstream steps, its own mark (succeeded, verified, failed, undone, nothing to undo,
//! irreversible, left behind, never run, running), attempts of its limit, timeout and point of no
//! return — and what to do next when it did not complete.

use super::out;
use super::status::{engine_err, print_json};
use super::table::render;
use super::{CliError, follow::print_record};
use crate::domain::{OperationRecord, OperationStatus, StepMark, human_seconds};
use crate::orchestrator::engine::{Engine, StepView, TaskView};
use crate::sanitize::clean;
use std::sync::Arc;

/// Log lines `ops show --json` includes.
const SHOW_LOG_LINES: usize = 50;

pub async fn show(engine: &Arc<Engine>, id: &str, json: bool) -> Result<(), CliError> {
    let d = engine
        .task_view(id, SHOW_LOG_LINES)
        .await
        .map_err(engine_err)?;
    if json {
        return print_json(
            &serde_json::json!({ "operation": d.record, "direction": d.record.direction(),
                "steps": d.tasks, "log": d.log }),
        );
    }
    print_record(&d.record, false)?;
    print_tasks(&d.tasks);
    let left_behind = d.tasks.iter().any(|t| t.mark == StepMark::LeftBehind);
    next_step(&d.record, left_behind);
    Ok(())
}

/// The task view: every step of the plan from the start, what it waits for, how it stands,
/// its attempts of its limit, its timeout, whether it is a point of no return (⚑), when it ran,
/// and why it failed.
pub fn print_tasks(tasks: &[TaskView]) {
    let time = |t: Option<chrono::DateTime<chrono::Utc>>| {
        t.map(|t| t.format("%H:%M:%S").to_string())
            .unwrap_or_default()
    };
    let rows: Vec<Vec<String>> = tasks
        .iter()
        .map(|t| {
            vec![
                t.step_id.clone(),
                t.label.clone(),
                t.phase.label().to_string(),
                t.upstream.join(" "),
                t.status.as_str().to_string(),
                format!("{} {}", t.mark.symbol(), t.mark),
                match t.attempt_limit {
                    Some(limit) => format!("{}/{limit}", t.attempt),
                    None => t.attempt.to_string(),
                },
                t.timeout_ms
                    .map(|ms| human_seconds((ms / 1000) as i64))
                    .unwrap_or_else(|| "?".into()),
                if t.point_of_no_return { "⚑" } else { "" }.to_string(),
                time(t.started_at),
                time(t.finished_at),
                why(&t.undo_error, &t.error),
            ]
        })
        .collect();
    let header = [
        "ID", "STEP", "PHASE", "AFTER", "STATUS", "MARK", "TRIES", "TIMEOUT", "PONR", "STARTED",
        "FINISHED", "WHY",
    ];
    out::line(render(&header, &rows));
}

/// A step's failure, or why its undo failed.
fn why(undo_error: &Option<String>, error: &Option<String>) -> String {
    match (undo_error, error) {
        (Some(u), _) => format!("undo: {u}"),
        (None, Some(e)) => e.clone(),
        (None, None) => String::new(),
    }
}

/// The steps table: step, mark, attempt, time taken, timeout, and why (its failure, or why its
/// undo failed).
pub fn print_steps(steps: &[StepView]) {
    let rows: Vec<Vec<String>> = steps
        .iter()
        .map(|s| {
            let why = why(&s.undo_error, &s.error);
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
    next_step(rec, steps.iter().any(|s| s.mark == StepMark::LeftBehind));
}

/// The way out, knowing whether a step left something behind.
fn next_step(rec: &OperationRecord, left: bool) {
    let id = &rec.id[..8.min(rec.id.len())];
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
