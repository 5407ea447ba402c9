//! The operation commands (`failover`, `failback`, `reprotect`, `test-failover`, `test-cleanup`,
//! `sync`) and `check`: build the request, confirm, start, and follow with `--wait`.

use super::args::{CheckArgs, Command, MappingFlags, OpArgs};
use super::follow::{follow_local, print_record};
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
            f.mappings.apply(&mut req);
            req.to = f.to.clone();
            req.recovery_point = f.recovery_point.clone();
            Some((req, f.common.clone()))
        }
        Command::Failback(f) => {
            let mut req = OperationRequest::new(OperationType::Failback, &f.common.group);
            req.to = f.to.clone();
            f.mappings.apply(&mut req);
            req.reverse_replication = f.reverse_replication;
            Some((req, f.common.clone()))
        }
        Command::Fence(a) => simple(OperationType::Fence, a),
        Command::Reprotect(a) => simple(OperationType::Reprotect, a),
        Command::TestCleanup(a) => simple(OperationType::TestCleanup, a),
        Command::Sync(a) => simple(OperationType::SyncNow, a),
        Command::TestFailover(t) => {
            let mut req = OperationRequest::new(OperationType::TestFailover, &t.common.group);
            t.mappings.apply(&mut req);
            req.allow_production_network = t.allow_production_network;
            req.retain_primary = t.retain_primary;
            req.to = t.to.clone();
            req.recovery_point = t.recovery_point.clone();
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
    req.validate_options().map_err(engine_err)?;
    let way = way_of(engine, &req, &state)?;
    let (source, target) = sides(engine, &req, &state)?;
    let options: String = req
        .describe_options(&source, &target)
        .iter()
        .map(|o| format!("\n  · {o}"))
        .collect();
    let what = format!(
        "{} of {}: {way} (group now {}){options}",
        req.operation.label(),
        req.group,
        state.status.as_str(),
    );
    confirm::ask(req.operation, &req.group, &what, args.yes)?;
    if args.wait {
        run_and_wait(engine, req, args.json.json).await
    } else {
        let record = engine.start_with(req, false).await.map_err(engine_err)?;
        if let Err(e) = spawn_runner(cli, &record.id) {
            // No background runner: run it here, so the operation is never left behind.
            eprintln!("could not start a background runner ({e}); running here");
            engine.resume_one(&record.id).await.map_err(engine_err)?;
            engine.wait_local(&record.id).await;
        }
        if args.json.json {
            print_json(&serde_json::json!({ "operation": record }))?;
        } else {
            println!(
                "started {} of {} ({}): operation {}\nfollow it with `drconsole ops watch {}`",
                record.operation_type.label(),
                record.protection_group,
                record.direction(),
                record.id,
                &record.id[..8.min(record.id.len())]
            );
        }
        Ok(())
    }
}

/// `--wait`: run it here and follow it to its end; exit 1 unless it completed.
async fn run_and_wait(
    engine: &Arc<Engine>,
    req: OperationRequest,
    json: bool,
) -> Result<(), CliError> {
    let mut events = engine.events().subscribe();
    let record = engine.start(req).await.map_err(engine_err)?;
    let record = follow_local(engine, &record.id, &mut events, json).await?;
    print_record(&record, json)?;
    if record.status == OperationStatus::Completed {
        return Ok(());
    }
    Err(CliError {
        message: format!(
            "operation {} ({}) {}: {}",
            record.id,
            record.direction(),
            record.status.as_str(),
            record
                .error_message
                .as_deref()
                .unwrap_or("no reason recorded")
        ),
        code: EXIT_FAILED,
    })
}

/// Which way the request goes from the group's state now: `site-a → site-b`.
fn way_of(
    engine: &Arc<Engine>,
    req: &OperationRequest,
    state: &crate::domain::GroupState,
) -> Result<String, CliError> {
    let (source, target) = sides(engine, req, state)?;
    Ok(crate::domain::direction(req.operation, &source, &target))
}

/// The site the request leaves and the one it goes to, from the group's state now.
fn sides(
    engine: &Arc<Engine>,
    req: &OperationRequest,
    state: &crate::domain::GroupState,
) -> Result<(String, String), CliError> {
    let group = engine.group_config(&req.group).map_err(engine_err)?;
    let source = state.current_primary.clone();
    let target = group.other_site(&source).to_string();
    Ok((source, target))
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

impl MappingFlags {
    pub fn apply(&self, req: &mut OperationRequest) {
        req.network_mapping = self.network_mapping.iter().cloned().collect();
        req.flavor_mapping = self.flavor_mapping.iter().cloned().collect();
    }
}

impl CheckArgs {
    /// The request the checked operation would start with these options.
    fn request(&self) -> Result<OperationRequest, CliError> {
        let op = OperationType::from_str(&self.operation).map_err(CliError::rejected)?;
        let mut req = OperationRequest::new(op, &self.group);
        req.force = self.force;
        req.stop_servers = !self.no_stop_servers;
        self.mappings.apply(&mut req);
        req.to = self.to.clone();
        req.recovery_point = self.recovery_point.clone();
        req.retain_primary = self.retain_primary;
        req.reverse_replication = self.reverse_replication;
        req.allow_production_network = self.allow_production_network;
        Ok(req)
    }
}

/// `check OPERATION GROUP`: the precondition checklist, changing nothing. Exit 2 if it blocks.
pub async fn check(engine: &Arc<Engine>, args: &CheckArgs) -> Result<(), CliError> {
    let req = args.request()?;
    let (op, group, json) = (req.operation, args.group.as_str(), args.json);
    let state = engine.group_state(group).await.map_err(engine_err)?;
    let allowed = crate::domain::check_transition(op, &state).map_err(|r| r.to_string());
    let report = engine.check_report(&req).await.map_err(engine_err)?;
    let checks = &report.checks;
    let way = way_of(engine, &req, &state)?;
    if json.json {
        let chosen = report
            .recovery_points
            .as_ref()
            .and_then(|p| p.chosen_point());
        print_json(&serde_json::json!({
            "operation": op.as_str(),
            "group": group,
            "direction": way,
            "allowed": allowed.is_ok(),
            "rejection": allowed.as_ref().err(),
            "checks": checks,
            "recovery_points": report.recovery_points,
            "recovery_point": chosen.map(|p| &p.name),
            "data_loss_seconds": chosen.map(|p| p.data_loss_seconds),
        }))?;
    } else {
        println!("{} of {group}: {way}", op.label());
        if let Err(r) = &allowed {
            println!("✖ state: {r}");
        }
        for c in checks {
            println!("{} {}: {}", c.state.symbol(), c.label, c.reason);
        }
        if let Some(points) = report
            .recovery_points
            .as_ref()
            .filter(|p| !p.points.is_empty())
        {
            println!("\n{}", super::points::table(points, true));
        }
    }
    let blocked = allowed.is_err() || checks.iter().any(|c| c.state == CheckState::Fail);
    if blocked {
        Err(CliError::rejected(format!(
            "{} of {group} ({way}) would be refused",
            op.label()
        )))
    } else {
        Ok(())
    }
}
