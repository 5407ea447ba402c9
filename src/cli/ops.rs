//! `ops list | show | watch | resume | cancel | retry | rollback | cleanup`: the journal's
//! operations, across processes.

use super::args::OpsCommand;
use super::follow::{follow_local, print_record, record};
use super::operate::finish_waiting;
use super::show::show;
use super::signals::keep_running;
use super::status::engine_err;
use super::watch::watch;
use super::{Cli, CliError, EXIT_FAILED, out, recover};
use crate::domain::OperationStatus;
use crate::orchestrator::engine::{Engine, Resumed};
use std::sync::Arc;

pub async fn run(cli: &Cli, engine: &Arc<Engine>, cmd: &OpsCommand) -> Result<(), CliError> {
    match cmd {
        OpsCommand::List(args) => super::list::list(engine, args).await,
        OpsCommand::Show { id, json } => show(engine, id, json.json).await,
        OpsCommand::Watch { id, take_over } => {
            let rec = record(engine, id).await?;
            let rec = watch(engine, &rec.id, false, *take_over).await?;
            // A pending fence this watcher started runs to its end before the process does.
            engine.wait_all_local().await;
            finish_waiting(engine, &rec, false).await
        }
        OpsCommand::Resume { id, json } => resume(engine, id.as_deref(), json.json).await,
        OpsCommand::Cancel { id } => cancel(engine, id).await,
        OpsCommand::Retry { id, flags } => recover::retry(cli, engine, id, *flags).await,
        OpsCommand::Rollback { id, flags } => recover::rollback(cli, engine, id, *flags).await,
        OpsCommand::Cleanup { id, yes, json } => {
            recover::cleanup(engine, id, *yes, json.json).await
        }
    }
}

fn exit_for(status: &OperationStatus, id: &str) -> Result<(), CliError> {
    if *status == OperationStatus::Completed {
        Ok(())
    } else {
        Err(CliError {
            message: format!("operation {id} {}", status.as_str()),
            code: EXIT_FAILED,
        })
    }
}

/// Run what a crash or a dropped session left unfinished (all of it, or the one named) in this
/// process, which then goes on whatever signal comes; what another live console runs is
/// watched instead, after saying who runs it.
async fn resume(engine: &Arc<Engine>, id: Option<&str>, json: bool) -> Result<(), CliError> {
    let found = match id {
        Some(id) => vec![engine.resume_one(id).await.map_err(engine_err)?],
        None => engine.resume_orphans().await.map_err(engine_err)?,
    };
    if found.is_empty() {
        if !json {
            out::line("nothing to resume: no operation was left unfinished");
        }
        return Ok(());
    }
    let here: Vec<String> = found
        .iter()
        .filter_map(|r| match r {
            Resumed::Here(id) => Some(id.clone()),
            Resumed::Elsewhere { .. } => None,
        })
        .collect();
    if !here.is_empty() {
        keep_running(here);
    }
    let mut worst = Ok(());
    for r in found {
        let rec = match r {
            Resumed::Here(id) => {
                let mut events = engine.events().subscribe();
                follow_local(engine, &id, &mut events, json).await?
            }
            Resumed::Elsewhere { id, who } => {
                out::note(who);
                watch(engine, &id, json, false).await?
            }
        };
        print_record(&rec, json)?;
        if worst.is_ok() {
            worst = exit_for(&rec.status, &rec.id);
        }
    }
    // A runner does not exit under a pending fence it started while it ran.
    engine.wait_all_local().await;
    worst
}

async fn cancel(engine: &Arc<Engine>, id: &str) -> Result<(), CliError> {
    let rec = record(engine, id).await?;
    if rec.status.is_finished() {
        return Err(CliError::rejected(format!(
            "operation {} is already {}",
            rec.id,
            rec.status.as_str()
        )));
    }
    engine.request_cancel(&rec.id).await.map_err(engine_err)?;
    out::line(format!(
        "asked operation {} to stop; it rolls back. Follow it with `drconsole ops watch {}`",
        rec.id,
        &rec.id[..8.min(rec.id.len())]
    ));
    Ok(())
}
