//! Following an operation: the live progress line (on a terminal) or step lines (when piped),
//! from the in-process event bus for operations run here, or from the journal for ones run by
//! another process (`ops watch`).

use super::CliError;
use super::status::print_json;
use crate::domain::OperationRecord;
use crate::orchestrator::engine::Engine;
use crate::orchestrator::{EventKind, OperationEvent};
use crate::sanitize::clean;
use std::io::{IsTerminal, Write};
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::broadcast;

/// Renders events as an operator reads them: a progress bar line on a TTY, else one line a step.
pub struct Printer {
    tty: bool,
    quiet: bool,
    percent: u8,
    current: String,
}

impl Printer {
    pub fn new(quiet: bool) -> Self {
        Self {
            tty: std::io::stderr().is_terminal(),
            quiet,
            percent: 0,
            current: String::new(),
        }
    }

    pub fn show(&mut self, ev: &OperationEvent) {
        if self.quiet {
            return;
        }
        let line = match &ev.kind {
            EventKind::StepStarted { label, attempt, .. } => {
                self.current = clean(label);
                (*attempt > 1).then(|| format!("⟳ {} (attempt {attempt})", self.current))
            }
            EventKind::StepSucceeded { step, duration_ms } => Some(format!(
                "✔ {} ({:.1} s)",
                clean(step),
                *duration_ms as f64 / 1000.0
            )),
            EventKind::StepFailed {
                step,
                error,
                will_retry,
            } => Some(format!(
                "{} {}: {}",
                if *will_retry { "⚠" } else { "✖" },
                clean(step),
                clean(error)
            )),
            EventKind::StepCompensated { step, .. } => Some(format!("↶ {} undone", clean(step))),
            EventKind::Progress { percent } => {
                self.percent = *percent;
                None
            }
            EventKind::Status { status } => Some(format!("— {}", status.as_str())),
            EventKind::Log { line } => Some(format!("  {}", clean(line))),
            _ => None,
        };
        let mut err = std::io::stderr().lock();
        if self.tty {
            let _ = write!(err, "\r\x1b[2K");
            if let Some(l) = line {
                let _ = writeln!(err, "{l}");
            }
            let filled = (self.percent as usize) / 5;
            let _ = write!(
                err,
                "[{}{}] {:>3}%  {}",
                "█".repeat(filled),
                "·".repeat(20 - filled),
                self.percent,
                self.current
            );
        } else if let Some(l) = line {
            let _ = writeln!(err, "{l}");
        }
        let _ = err.flush();
    }

    pub fn done(&self) {
        if self.tty && !self.quiet {
            let _ = writeln!(std::io::stderr());
        }
    }
}

/// Follow an operation this process runs until it ends; returns its journaled record.
pub async fn follow_local(
    engine: &Arc<Engine>,
    id: &str,
    events: &mut broadcast::Receiver<OperationEvent>,
    quiet: bool,
) -> Result<OperationRecord, CliError> {
    let mut printer = Printer::new(quiet);
    let wait = engine.wait_local(id);
    tokio::pin!(wait);
    loop {
        tokio::select! {
            _ = &mut wait => break,
            ev = events.recv() => match ev {
                Ok(ev) if ev.operation_id == id => printer.show(&ev),
                Ok(_) | Err(broadcast::error::RecvError::Lagged(_)) => {}
                Err(broadcast::error::RecvError::Closed) => break,
            },
        }
    }
    printer.done();
    record(engine, id).await
}

/// How often a watcher looks for a pending fence whose side answers again.
const FENCE_LOOK_EVERY: Duration = Duration::from_secs(10);

/// Follow an operation from the journal (it may run in another process) until it ends. A
/// long-lived watcher also starts the pending fence of a side that answers again.
pub async fn follow_journal(
    engine: &Arc<Engine>,
    id: &str,
    quiet: bool,
) -> Result<OperationRecord, CliError> {
    let mut printer = Printer::new(quiet);
    let mut seq = 0;
    let mut last_fence_look = tokio::time::Instant::now();
    loop {
        if last_fence_look.elapsed() >= FENCE_LOOK_EVERY {
            last_fence_look = tokio::time::Instant::now();
            engine.fence_when_back(None).await;
        }
        let events = engine
            .store()
            .events(id, seq)
            .await
            .map_err(|e| CliError::failed(e.to_string()))?;
        for (s, ev) in events {
            seq = s;
            printer.show(&ev);
        }
        let rec = record(engine, id).await?;
        if rec.status.is_finished() {
            printer.done();
            return Ok(rec);
        }
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
}

pub async fn record(engine: &Arc<Engine>, id: &str) -> Result<OperationRecord, CliError> {
    engine
        .store()
        .find_operation(id)
        .await
        .map_err(|e| CliError::rejected(e.to_string()))?
        .map(|s| s.record)
        .ok_or_else(|| CliError::rejected(format!("no operation {id} in the journal")))
}

/// The seed's operation record as JSON, or a short summary.
pub fn print_record(record: &OperationRecord, json: bool) -> Result<(), CliError> {
    if json {
        return print_json(&serde_json::json!({ "operation": record }));
    }
    println!(
        "{} of {}: {} ({}%)",
        record.operation_type.label(),
        record.protection_group,
        record.status.as_str(),
        record.progress
    );
    println!("  id: {}", record.id);
    println!(
        "  {}; started {}{}",
        record.direction(),
        record
            .started_at
            .map(|t| t.format("%Y-%m-%d %H:%M:%S UTC").to_string())
            .unwrap_or_default(),
        record
            .completed_at
            .map(|t| format!(", ended {}", t.format("%H:%M:%S UTC")))
            .unwrap_or_default()
    );
    let r = &record.result_data;
    println!(
        "  instances created: {}, volumes managed: {}, current primary: {}{}",
        r.instances_created,
        r.volumes_managed,
        r.current_primary_site.as_deref().unwrap_or("?"),
        r.data_loss_seconds
            .map(|s| format!(", data loss: {s} s"))
            .unwrap_or_default()
    );
    if let Some(e) = &record.error_message {
        println!("  error: {e}");
    }
    if !record.steps_failed.is_empty() {
        println!("  failed steps: {}", record.steps_failed.join(", "));
    }
    Ok(())
}
