//! The operation commands (`failover`, `failback`, `reprotect`, `test-failover`, `test-cleanup`,
//! `sync`) and `check`: build the request, confirm, start, and follow with `--wait`.

use super::args::{Command, JsonFlag, OpArgs};
use super::follow::{follow_local, print_record};
use super::out;
use super::status::{engine_err, print_json};
use super::{Cli, CliError, EXIT_FAILED, confirm};
use crate::domain::{CheckState, OperationStatus, OperationType};
use crate::orchestrator::engine::{Engine, OperationRequest};
use std::str::FromStr;
use std::sync::Arc;

/// The request and common flags a command stands for, if it is an operation command.
pub fn request_of(cmd: &Command) -> Option<(OperationRequest, OpArgs)> {
    let simple =
        |op: OperationType, a: &OpArgs| Some((OperationRequest::new(op, &a.group), a.clone()));
    match cmd {
        Command::Failover(f) => {
            let op = if f.unplanned {
                OperationType::Failover
            } else {
                OperationType::PlannedFailover
            };
            let mut req = OperationRequest::new(op, &f.common.group);
            req.force = f.force;
            req.stop_servers = !f.no_stop_servers;
            req.network_mapping = f.network_mapping.iter().cloned().collect();
            req.flavor_mapping = f.flavor_mapping.iter().cloned().collect();
            Some((req, f.common.clone()))
        }
        Command::Failback(a) => simple(OperationType::Failback, a),
        Command::Reprotect(a) => simple(OperationType::Reprotect, a),
        Command::TestCleanup(a) => simple(OperationType::TestCleanup, a),
        Command::Sync(a) => simple(OperationType::SyncNow, a),
        Command::TestFailover(t) => {
            let mut req = OperationRequest::new(OperationType::TestFailover, &t.common.group);
            req.network_mapping = t.network_mapping.iter().cloned().collect();
            Some((req, t.common.clone()))
        }
        _ => None,
    }
}

pub async fn operate(
    cli: &Cli,
    engine: &Arc<Engine>,
    req: OperationRequest,
    args: OpArgs,
) -> Result<(), CliError> {
    let state = engine.group_state(&req.group).await.map_err(engine_err)?;
    crate::domain::check_transition(req.operation, &state)
        .map_err(|r| CliError::rejected(r.to_string()))?;
    let what = format!(
        "{} of {} (now {}, primary {})",
        req.operation.label(),
        req.group,
        state.status.as_str(),
        state.current_primary
    );
    confirm::ask(req.operation, &req.group, &what, args.yes)?;
    if args.wait {
        let mut events = engine.events().subscribe();
        let record = engine.start(req).await.map_err(engine_err)?;
        let record = follow_local(engine, &record.id, &mut events, args.json.json).await?;
        print_record(&record, args.json.json)?;
        if record.status == OperationStatus::Completed {
            Ok(())
        } else {
            Err(CliError {
                message: format!(
                    "operation {} {}: {}",
                    record.id,
                    record.status.as_str(),
                    record
                        .error_message
                        .as_deref()
                        .unwrap_or("no reason recorded")
                ),
                code: EXIT_FAILED,
            })
        }
    } else {
        start_in_background(cli, engine, req, args.json.json).await
    }
}

/// Journal the operation and hand it to a detached runner; say how to follow it.
async fn start_in_background(
    cli: &Cli,
    engine: &Arc<Engine>,
    req: OperationRequest,
    json: bool,
) -> Result<(), CliError> {
    let record = engine.start_with(req, false).await.map_err(engine_err)?;
    if let Err(e) = spawn_runner(cli, &record.id) {
        // No background runner: run it here, so the operation is never left behind.
        out::warn(&format!(
            "could not start a background runner ({e}); running here"
        ));
        engine.resume_one(&record.id).await.map_err(engine_err)?;
        engine.wait_local(&record.id).await;
    }
    if json {
        print_json(&serde_json::json!({ "operation": record }))?;
    } else {
        out::line(format!(
            "started {} of {}: operation {}\nfollow it with `drconsole ops watch {}`",
            record.operation_type.label(),
            record.protection_group,
            record.id,
            &record.id[..8.min(record.id.len())]
        ));
    }
    Ok(())
}

/// Run the journaled operation in a detached `drconsole ops resume ID`, so it outlives this
/// command (and an SSH session).
fn spawn_runner(cli: &Cli, id: &str) -> std::io::Result<()> {
    let exe = std::env::current_exe()?;
    let mut cmd = std::process::Command::new(exe);
    if let Some(c) = &cli.config {
        cmd.arg("--config").arg(c);
    }
    if let Some(s) = &cli.store {
        cmd.arg("--store").arg(s);
    }
    cmd.args(["ops", "resume", id])
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null());
    #[cfg(unix)]
    {
        use std::os::unix::process::CommandExt;
        cmd.process_group(0);
    }
    cmd.spawn().map(|_| ())
}

/// `check OPERATION GROUP`: the precondition checklist, changing nothing. Exit 2 if it blocks.
pub async fn check(
    engine: &Arc<Engine>,
    operation: &str,
    group: &str,
    json: JsonFlag,
) -> Result<(), CliError> {
    let op = OperationType::from_str(operation).map_err(CliError::rejected)?;
    let req = OperationRequest::new(op, group);
    let state = engine.group_state(group).await.map_err(engine_err)?;
    let allowed = crate::domain::check_transition(op, &state).map_err(|r| r.to_string());
    let checks = engine.check(&req).await.map_err(engine_err)?;
    if json.json {
        print_json(&serde_json::json!({
            "operation": op.as_str(),
            "group": group,
            "allowed": allowed.is_ok(),
            "rejection": allowed.as_ref().err(),
            "checks": checks,
        }))?;
    } else {
        if let Err(r) = &allowed {
            out::line(format!("✖ state: {r}"));
        }
        for c in &checks {
            out::line(format!("{} {}: {}", c.state.symbol(), c.label, c.reason));
        }
    }
    let blocked = allowed.is_err() || checks.iter().any(|c| c.state == CheckState::Fail);
    if blocked {
        Err(CliError::rejected(format!(
            "{} of {group} would be refused",
            op.label()
        )))
    } else {
        Ok(())
    }
}
