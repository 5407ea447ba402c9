//! Watching an operation another process runs (`--wait`, `ops watch`, a second `ops resume`):
//! follow the journal until it ends. A signal ends the watching, never the operation: SIGHUP or
//! SIGTERM leave with how to watch and cancel it; Ctrl-C asks first.

use super::follow::follow_journal;
use super::signals::{Signal, Signals, stop_watching};
use super::{CliError, EXIT_WATCHING_STOPPED, out};
use crate::domain::OperationRecord;
use crate::orchestrator::engine::Engine;
use std::sync::Arc;

/// Follow operation `id` (a full id) until it ends (with `take_over`, running it here if its
/// console stops); `Err` with `EXIT_WATCHING_STOPPED` when a signal ended the watching first
/// (the operation goes on; how to watch and cancel it is said).
pub async fn watch(
    engine: &Arc<Engine>,
    id: &str,
    quiet: bool,
    take_over: bool,
) -> Result<OperationRecord, CliError> {
    let mut signals = Signals::new();
    let follow = follow_journal(engine, id, quiet, take_over);
    tokio::pin!(follow);
    loop {
        tokio::select! {
            ended = &mut follow => return ended,
            s = signals.next() => {
                if s == Signal::Interrupt && !stop_watching(short(id)).await {
                    continue;
                }
                return Err(left(id, s));
            }
        }
    }
}

/// What a watcher says when it stops watching: the operation goes on, and how to reach it.
fn left(id: &str, s: Signal) -> CliError {
    let id = short(id);
    tracing::info!("{} received: stopped watching operation {id}", s.name());
    out::note(format!(
        "\n{}: stopped watching. Operation {id} goes on in its runner: watch it with `drconsole \
         ops watch {id}`, stop it with `drconsole ops cancel {id}`",
        s.name()
    ));
    CliError {
        message: String::new(),
        code: EXIT_WATCHING_STOPPED,
    }
}

fn short(id: &str) -> &str {
    id.get(..8).unwrap_or(id)
}
