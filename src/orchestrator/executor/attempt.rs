//! One step from start to end: re-checked first when it had started before a crash (or, on a
//! retry, when an earlier run finished it), then tried up to its retry policy's attempts, each
//! under its timeout and journaled before it acts.

use crate::domain::EventKind;
use crate::orchestrator::plan::StepSpec;
use crate::orchestrator::runner::{
    AlreadyDone, ExecJournal, JournalEntry, StepCtx, StepError, StepRunner,
};
use serde_json::Value;
use std::time::Duration;
use tokio::time::Instant;

/// How a step begins.
#[derive(Debug, Clone, PartialEq)]
pub(super) enum Start {
    /// It never started: run it.
    Fresh,
    /// It may have acted before a restart (or was undone and runs again): look first.
    Resumed,
    /// An earlier run finished it with this output (a retry): keep it if it still holds.
    Verify(Value),
}

/// Run `step` to success or to its last failure.
pub(super) async fn attempt_step(
    runner: &dyn StepRunner,
    journal: &dyn ExecJournal,
    step: &StepSpec,
    ctx: &StepCtx,
    how: Start,
) -> Result<Value, StepError> {
    let started = Instant::now();
    match how {
        Start::Fresh => {}
        Start::Resumed => {
            if let AlreadyDone::Found(output) = runner.check(step, ctx).await? {
                ctx.log(format!("{}: already done before the restart", step.label()));
                return succeed(journal, ctx, step, output, started).await;
            }
        }
        Start::Verify(earlier) => {
            if let Some(kept) = verify(runner, journal, step, ctx, earlier).await? {
                return Ok(kept);
            }
        }
    }
    let attempts = step.retry.attempts.max(1);
    let mut attempt = 1;
    loop {
        match run_once(runner, journal, step, ctx, attempt).await {
            Ok(output) => return succeed(journal, ctx, step, output, started).await,
            Err(e) => {
                let will_retry = e.retryable && attempt < attempts && !ctx.is_cancelled();
                ctx.events.publish(
                    &ctx.operation_id,
                    EventKind::StepFailed {
                        step: step.id.to_string(),
                        error: e.message.clone(),
                        will_retry,
                    },
                );
                if !will_retry {
                    record_failure(journal, ctx, step, &e).await;
                    return Err(e);
                }
                let backoff = step.retry.backoff_ms << (attempt - 1).min(6);
                tokio::time::sleep(Duration::from_millis(backoff)).await;
                attempt += 1;
            }
        }
    }
}

/// A step an earlier run finished, on a retry: still done (its check finds it) → verified and
/// kept; a step whose check cannot tell → kept as the journal has it; gone → `None`, run again.
async fn verify(
    runner: &dyn StepRunner,
    journal: &dyn ExecJournal,
    step: &StepSpec,
    ctx: &StepCtx,
    earlier: Value,
) -> Result<Option<Value>, StepError> {
    let (op, id) = (&*ctx.operation_id, step.id.to_string());
    match runner.check(step, ctx).await? {
        AlreadyDone::Found(output) => {
            let entry = JournalEntry::StepVerified {
                step: id.clone(),
                output: output.clone(),
            };
            journal.record(op, entry).await.map_err(|e| {
                StepError::fatal(format!("cannot journal that {id} still holds: {e}"))
            })?;
            ctx.events.publish(op, EventKind::StepVerified { step: id });
            Ok(Some(output))
        }
        AlreadyDone::RepeatSafe => {
            ctx.log(format!(
                "{}: kept as the earlier run finished it",
                step.label()
            ));
            Ok(Some(earlier))
        }
        AlreadyDone::NotDone => {
            ctx.log(format!(
                "{}: no longer holds; running it again",
                step.label()
            ));
            Ok(None)
        }
    }
}

/// One attempt: journaled as started (or not run at all), then run under the step's timeout.
async fn run_once(
    runner: &dyn StepRunner,
    journal: &dyn ExecJournal,
    step: &StepSpec,
    ctx: &StepCtx,
    attempt: u32,
) -> Result<Value, StepError> {
    let (op, id) = (&*ctx.operation_id, step.id.to_string());
    let entry = JournalEntry::StepStarted {
        step: id.clone(),
        attempt,
    };
    journal
        .record(op, entry)
        .await
        .map_err(|e| StepError::fatal(format!("cannot journal the start of {}: {e}", step.id)))?;
    let label = step.label();
    let started = EventKind::StepStarted {
        step: id,
        label,
        attempt,
    };
    ctx.events.publish(op, started);
    let limit = Duration::from_millis(step.timeout_ms);
    match tokio::time::timeout(limit, runner.run(step, ctx)).await {
        Ok(r) => r,
        Err(_) => Err(StepError::transient(format!(
            "timed out after {}",
            humanize(limit)
        ))),
    }
}

/// The failure is the step's outcome whether or not the journal has it: a missed entry is
/// logged, and a resume re-checks the step (it stays "started" in the journal).
async fn record_failure(journal: &dyn ExecJournal, ctx: &StepCtx, step: &StepSpec, e: &StepError) {
    let entry = JournalEntry::StepFailed {
        step: step.id.to_string(),
        error: e.message.clone(),
    };
    if let Err(journal_err) = journal.record(&ctx.operation_id, entry).await {
        tracing::error!(
            "operation {}: the journal did not record that {} failed: {journal_err}",
            ctx.operation_id,
            step.id
        );
    }
}

async fn succeed(
    journal: &dyn ExecJournal,
    ctx: &StepCtx,
    step: &StepSpec,
    output: Value,
    started: Instant,
) -> Result<Value, StepError> {
    let op = &*ctx.operation_id;
    let duration_ms = started.elapsed().as_millis() as u64;
    let entry = JournalEntry::StepSucceeded {
        step: step.id.to_string(),
        output: output.clone(),
        duration_ms,
    };
    journal
        .record(op, entry)
        .await
        .map_err(|e| StepError::fatal(format!("cannot journal the end of {}: {e}", step.id)))?;
    ctx.events.publish(
        op,
        EventKind::StepSucceeded {
            step: step.id.to_string(),
            duration_ms,
        },
    );
    Ok(output)
}

fn humanize(d: Duration) -> String {
    if d.as_secs() >= 1 {
        format!("{} s", d.as_secs())
    } else {
        format!("{} ms", d.as_millis())
    }
}
