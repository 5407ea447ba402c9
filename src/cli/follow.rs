//! Following an operation: the live progress line (on a terminal) or step lines (when piped),
//! from the in-process event bus for operations run here, or from the journal for ones run by
//! another process (`ops watch`).

use super::status::print_json;
use super::{CliError, out};
use crate::domain::{OperationRecord, Resource, StepMark, Undo};
use crate::orchestrator::engine::{Engine, Resumed, is_orphaned};
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
            EventKind::Progress { percent } => {
                self.percent = *percent;
                None
            }
            kind => line_of(kind),
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

    /// A line for the operator, between step lines.
    pub fn note(&mut self, line: &str) {
        if self.quiet {
            return;
        }
        let mut err = std::io::stderr().lock();
        let _ = writeln!(
            err,
            "{}{}",
            if self.tty { "\r\x1b[2K" } else { "" },
            clean(line)
        );
    }

    pub fn done(&self) {
        if self.tty && !self.quiet {
            let _ = writeln!(std::io::stderr());
        }
    }
}

/// The line an event prints, if any (starts and progress move the progress line instead).
fn line_of(kind: &EventKind) -> Option<String> {
    match kind {
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
        EventKind::StepCompensated { step, undo } => Some(compensated(step, *undo)),
        EventKind::StepLeftBehind {
            step,
            error,
            resources,
        } => Some(left_behind(step, error, resources)),
        EventKind::StepVerified { step } => Some(format!(
            "{} {} verified: still done, not run again",
            StepMark::Verified.symbol(),
            clean(step)
        )),
        EventKind::RollbackWaiting {
            site,
            attempt,
            next_in_ms,
            ..
        } => Some(format!(
            "… waiting for {} (attempt {attempt}, next in {} s)",
            clean(site.as_deref().unwrap_or("the sites")),
            next_in_ms.div_ceil(1000)
        )),
        EventKind::Retried { by } => Some(format!(
            "⟳ retried by {}: continuing from where it stopped",
            clean(by)
        )),
        EventKind::Status { status } => Some(format!("— {}", status.as_str())),
        // Rollback waits are told by their own event.
        EventKind::Log { line } if line.starts_with("waiting for ") => None,
        EventKind::Log { line } => Some(format!("  {}", clean(line))),
        _ => None,
    }
}

/// What rollback made of a step, in the operator's words: never "undone" for a step whose
/// effect stands or that had nothing to undo.
fn compensated(step: &str, undo: Undo) -> String {
    let mark = StepMark::from(undo);
    let step = clean(step);
    match undo {
        Undo::Undone => format!("{} {step} undone", mark.symbol()),
        Undo::NothingToUndo => format!("{} {step}: nothing to undo", mark.symbol()),
        Undo::Irreversible => format!(
            "{} {step} cannot be undone: its effect stands",
            mark.symbol()
        ),
    }
}

fn left_behind(step: &str, error: &str, resources: &[Resource]) -> String {
    let mut line = format!(
        "{} {} left behind: {}",
        StepMark::LeftBehind.symbol(),
        clean(step),
        clean(error)
    );
    for r in resources {
        line.push_str(&format!("\n    {}", clean(&r.to_string())));
    }
    line
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

/// Follow an operation from the journal (it may run in another console) until it ends. The
/// journal's change feed wakes it (LISTEN/NOTIFY on PostgreSQL, the data version on SQLite): each
/// wake reads only the events after the last one shown and the operation's row. When the console
/// running it stops renewing its lease, `take_over` resumes it here; without it, the operator is
/// told once how to. A long-lived watcher also starts the pending fence of a side that answers
/// again.
pub async fn follow_journal(
    engine: &Arc<Engine>,
    id: &str,
    quiet: bool,
    take_over: bool,
) -> Result<OperationRecord, CliError> {
    let store = engine.store();
    let failed = |e: crate::store::StoreError| CliError::failed(e.to_string());
    let mut changes = store.changes().await.map_err(failed)?;
    let mut printer = Printer::new(quiet);
    let (mut seq, mut told) = (0, false);
    let mut fence_look = tokio::time::interval(FENCE_LOOK_EVERY);
    fence_look.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    fence_look.tick().await;
    loop {
        changes.mark_seen();
        for (s, ev) in store.events(id, seq).await.map_err(failed)? {
            seq = s;
            printer.show(&ev);
        }
        let op = store
            .get_operation(id)
            .await
            .map_err(failed)?
            .ok_or_else(|| CliError::rejected(format!("no operation {id} in the journal")))?;
        if op.record.status.is_finished() {
            printer.done();
            return Ok(op.record);
        }
        let mut wake = None;
        if !is_orphaned(&op) {
            wake = lease_end(engine, &op.record.protection_group).await;
        } else if take_over {
            match try_take_over(engine, id).await {
                Some(mut events) => {
                    printer.done();
                    return follow_local(engine, id, &mut events, quiet).await;
                }
                None => wake = Some(tokio::time::Instant::now() + Duration::from_secs(1)),
            }
        } else if !told {
            told = true;
            printer.note(&format!(
                "no console runs operation {id} now (its lease expired or its console is gone): \
                 `drconsole ops resume {}` takes it over",
                &id[..8.min(id.len())]
            ));
        }
        tokio::select! {
            r = changes.changed() => { r.map_err(failed)?; }
            _ = sleep_until(wake), if wake.is_some() => {}
            _ = fence_look.tick() => { engine.fence_when_back(None).await; }
        }
    }
}

/// Run the orphaned operation `id` here: the event feed to follow it by, or `None` when another
/// console was quicker (it is then followed) or the journal was busy (look again).
async fn try_take_over(
    engine: &Arc<Engine>,
    id: &str,
) -> Option<tokio::sync::broadcast::Receiver<crate::orchestrator::OperationEvent>> {
    let events = engine.events().subscribe();
    match engine.resume_one(id).await {
        Ok(Resumed::Here(_)) => Some(events),
        Ok(Resumed::Elsewhere { .. }) => None,
        Err(e) => {
            tracing::info!("taking over {id}: {e}");
            None
        }
    }
}

/// When the lease on `group` runs out, on this host's clock (at least a moment from now, so a
/// clock behind the journal's cannot spin).
async fn lease_end(engine: &Arc<Engine>, group: &str) -> Option<tokio::time::Instant> {
    let lock = engine.store().get_lock(group).await.ok()??;
    let left = (lock.expires_at - chrono::Utc::now())
        .to_std()
        .unwrap_or_default()
        .max(Duration::from_millis(250));
    Some(tokio::time::Instant::now() + left + Duration::from_millis(50))
}

async fn sleep_until(at: Option<tokio::time::Instant>) {
    match at {
        Some(at) => tokio::time::sleep_until(at).await,
        None => std::future::pending().await,
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

/// The seed's operation record as JSON, or a short summary (with what it left behind).
pub fn print_record(record: &OperationRecord, json: bool) -> Result<(), CliError> {
    if json {
        return print_json(&serde_json::json!({ "operation": record }));
    }
    out::line(format!(
        "{} of {}: {} ({}%)",
        record.operation_type.label(),
        record.protection_group,
        record.status.as_str(),
        record.progress
    ));
    out::line(format!("  id: {}", record.id));
    let started = record
        .started_at
        .map(|t| t.format("%Y-%m-%d %H:%M:%S UTC").to_string())
        .unwrap_or_default();
    let ended = record
        .completed_at
        .map(|t| format!(", ended {}", t.format("%H:%M:%S UTC")))
        .unwrap_or_default();
    out::line(format!(
        "  {}; started {started}{ended}",
        record.direction()
    ));
    let r = &record.result_data;
    out::line(format!(
        "  instances created: {}, volumes managed: {}, current primary: {}{}",
        r.instances_created,
        r.volumes_managed,
        r.current_primary_site.as_deref().unwrap_or("?"),
        r.data_loss_seconds
            .map(|s| format!(", data loss: {s} s"))
            .unwrap_or_default()
    ));
    if let Some(p) = &r.recovery_point {
        out::line(format!(
            "  recovery point: {}{}",
            clean(&p.name),
            p.created
                .map(|t| format!(" of {}", t.format("%Y-%m-%d %H:%M:%S UTC")))
                .unwrap_or_default()
        ));
    }
    if let Some(e) = &record.error_message {
        out::line(format!("  error: {e}"));
    }
    if !record.steps_failed.is_empty() {
        out::line(format!(
            "  failed steps: {}",
            record.steps_failed.join(", ")
        ));
    }
    if !r.leftovers.is_empty() {
        out::line(format!("  left behind ({}):", r.leftovers.len()));
        for l in &r.leftovers {
            out::line(format!("    {}", clean(&l.to_string())));
        }
    }
    Ok(())
}
