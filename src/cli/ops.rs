//! `ops list | show | watch | resume | cancel`: the journal's operations, across processes.

use super::args::OpsCommand;
use super::follow::{follow_journal, follow_local, print_record, record};
use super::status::{engine_err, print_json};
use super::table::render;
use super::{CliError, EXIT_FAILED};
use crate::domain::OperationStatus;
use crate::orchestrator::engine::Engine;
use std::sync::Arc;

/// Log lines `ops show --json` includes.
const SHOW_LOG_LINES: usize = 50;

pub async fn run(engine: &Arc<Engine>, cmd: &OpsCommand) -> Result<(), CliError> {
    match cmd {
        OpsCommand::List { json } => list(engine, json.json).await,
        OpsCommand::Show { id, json } => show(engine, id, json.json).await,
        OpsCommand::Watch { id, take_over } => {
            let rec = record(engine, id).await?;
            let rec = follow_journal(engine, &rec.id, false, *take_over).await?;
            print_record(&rec, false)?;
            exit_for(&rec.status, &rec.id)
        }
        OpsCommand::Resume { id, json } => resume(engine, id.as_deref(), json.json).await,
        OpsCommand::Cancel { id } => cancel(engine, id).await,
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

async fn list(engine: &Arc<Engine>, json: bool) -> Result<(), CliError> {
    let ops = engine
        .store()
        .list_operations(50, None)
        .await
        .map_err(|e| CliError::failed(e.to_string()))?;
    if json {
        return print_json(&serde_json::json!({ "operations": ops }));
    }
    let rows: Vec<Vec<String>> = ops
        .iter()
        .map(|o| {
            vec![
                o.id[..8.min(o.id.len())].to_string(),
                o.operation_type.as_str().to_string(),
                o.protection_group.clone(),
                o.status.as_str().to_string(),
                format!("{}%", o.progress),
                o.started_at
                    .map(|t| t.format("%Y-%m-%d %H:%M:%S").to_string())
                    .unwrap_or_default(),
                o.actor.to_string(),
            ]
        })
        .collect();
    println!(
        "{}",
        render(
            &[
                "ID",
                "OPERATION",
                "GROUP",
                "STATUS",
                "PROGRESS",
                "STARTED (UTC)",
                "BY"
            ],
            &rows
        )
    );
    Ok(())
}

/// `ops show`: the operation's record and every step of its plan, from the engine's detail (the
/// console's operation view reads the same).
async fn show(engine: &Arc<Engine>, id: &str, json: bool) -> Result<(), CliError> {
    let d = engine
        .operation_detail(id, SHOW_LOG_LINES)
        .await
        .map_err(engine_err)?;
    if json {
        return print_json(
            &serde_json::json!({ "operation": d.record, "steps": d.steps, "log": d.log }),
        );
    }
    print_record(&d.record, false)?;
    let rows: Vec<Vec<String>> = d
        .steps
        .iter()
        .map(|s| {
            vec![
                s.id.clone(),
                s.status.as_str().to_string(),
                if s.attempt == 0 {
                    String::new()
                } else {
                    s.attempt.to_string()
                },
                s.duration_ms
                    .map(|d| format!("{:.1} s", d as f64 / 1000.0))
                    .unwrap_or_default(),
                s.error.clone().unwrap_or_default(),
            ]
        })
        .collect();
    println!(
        "{}",
        render(&["STEP", "STATUS", "ATTEMPT", "TOOK", "ERROR"], &rows)
    );
    Ok(())
}

async fn resume(engine: &Arc<Engine>, id: Option<&str>, json: bool) -> Result<(), CliError> {
    let ids = match id {
        Some(id) => vec![engine.resume_one(id).await.map_err(engine_err)?],
        None => engine.resume_orphans().await.map_err(engine_err)?,
    };
    if ids.is_empty() {
        if !json {
            println!("nothing to resume: no operation was left unfinished");
        }
        return Ok(());
    }
    let mut worst = Ok(());
    for id in ids {
        let mut events = engine.events().subscribe();
        let rec = follow_local(engine, &id, &mut events, json).await?;
        print_record(&rec, json)?;
        if worst.is_ok() {
            worst = exit_for(&rec.status, &rec.id);
        }
    }
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
    println!(
        "asked operation {} to stop; it rolls back. Follow it with `drconsole ops watch {}`",
        rec.id,
        &rec.id[..8.min(rec.id.len())]
    );
    Ok(())
}
