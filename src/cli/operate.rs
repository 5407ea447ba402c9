//! The operation commands (`failover`, `failback`, `reprotect`, `test-failover`, `test-cleanup`,
//! `sync`) and `check`: build the request, confirm, start, and follow with `--wait`.

use super::args::{CheckArgs, Command, MappingFlags, OpArgs};
use super::follow::{follow_local, print_record};
use super::refusal::Refusal;
use super::show::{print_next, print_steps};
use super::status::{engine_err, print_json};
use super::watch::watch;
use super::{Cli, CliError, EXIT_FAILED, confirm, out};
use crate::domain::{CheckState, OperationRecord, OperationStatus, OperationType};
use crate::orchestrator::engine::{Engine, OperationRequest, Resumed};
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
    let json = args.json.json;
    let refuse = |r: Refusal| -> CliError {
        if json && let Err(e) = r.print(req.operation, state.status) {
            return e;
        }
        CliError::rejected(r.message)
    };
    crate::domain::check_transition(req.operation, &state)
        .map_err(|r| refuse(Refusal::of_rejection(&r)))?;
    req.validate_options()
        .map_err(|e| refuse(Refusal::new("invalid_option", e.to_string())))?;
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
    confirm::ask(req.operation, &req.group, &what, args.yes)
        .map_err(|e| refuse(Refusal::new("not_confirmed", e.message)))?;
    let (op, status) = (req.operation, state.status);
    let record = match engine.start_with(req, false).await {
        Ok(r) => r,
        Err(e) => {
            return Err(match Refusal::of_start(&e) {
                Some(r) if json => {
                    r.print(op, status)?;
                    CliError::rejected(r.message)
                }
                _ => engine_err(e),
            });
        }
    };
    run_detached(cli, engine, record, args.wait, json).await
}

/// Hand a journaled operation to a detached runner (`drconsole ops resume ID` in a process group
/// of its own), so it outlives this command, its terminal and its signals; with `wait`, follow
/// it through the journal. When no runner can be started, run it in this process instead, which
/// then goes on whatever signal comes.
pub async fn run_detached(
    cli: &Cli,
    engine: &Arc<Engine>,
    record: OperationRecord,
    wait: bool,
    json: bool,
) -> Result<(), CliError> {
    let id = record.id.clone();
    match spawn_runner(cli, &id) {
        Ok(pid) => {
            tracing::info!("operation {id} handed to runner pid {pid}");
            if wait {
                let rec = watch(engine, &id, json, false).await?;
                // A pending fence this watcher started runs to its end before it exits.
                engine.wait_all_local().await;
                return finish_waiting(engine, &rec, json).await;
            }
            print_started(&record, pid, json)
        }
        Err(e) => {
            out::note(format!(
                "could not start a background runner ({e}); running it in this process"
            ));
            super::signals::keep_running(vec![id.clone()]);
            let mut events = engine.events().subscribe();
            if let Resumed::Elsewhere { who, .. } =
                engine.resume_one(&id).await.map_err(engine_err)?
            {
                return Err(CliError::rejected(who));
            }
            let rec = follow_local(engine, &id, &mut events, json).await?;
            finish_waiting(engine, &rec, json).await
        }
    }
}

fn print_started(record: &OperationRecord, pid: u32, json: bool) -> Result<(), CliError> {
    if json {
        return print_json(&serde_json::json!({ "operation": record }));
    }
    let short = &record.id[..8.min(record.id.len())];
    out::line(format!(
        "started {} of {} ({}): operation {} (runner pid {pid})\nfollow it with \
         `drconsole ops watch {short}`; stop it with `drconsole ops cancel {short}`",
        record.operation_type.label(),
        record.protection_group,
        record.direction(),
        record.id,
    ));
    Ok(())
}

/// The end of a followed operation: its record, and when it did not complete, every step's
/// mark and the way out; exit 0 only when it completed.
pub async fn finish_waiting(
    engine: &Arc<Engine>,
    record: &OperationRecord,
    json: bool,
) -> Result<(), CliError> {
    print_record(record, json)?;
    if record.status == OperationStatus::Completed {
        return Ok(());
    }
    if !json && let Ok(d) = engine.operation_detail(&record.id, 0).await {
        print_steps(&d.steps);
        print_next(&d.record, &d.steps);
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

/// Run the journaled operation in a detached `drconsole ops resume ID`, in a process group of its
/// own so the terminal's signals do not reach it; its pid.
fn spawn_runner(cli: &Cli, id: &str) -> std::io::Result<u32> {
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
    cmd.spawn().map(|child| child.id())
}

impl MappingFlags {
    pub fn apply(&self, req: &mut OperationRequest) {
        req.network_mapping = self.network_mapping.iter().cloned().collect();
        req.flavor_mapping = self.flavor_mapping.iter().cloned().collect();
        req.floating_ip_mapping = self.floating_ip_mapping.iter().cloned().collect();
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
    // A group that needs attention says so in the checklist's first line already.
    let allowed_line = allowed.is_err() && state.attention.is_none();
    let way = way_of(engine, &req, &state)?;
    let per_site = engine.config().http.max_calls_per_site;
    if json.json {
        let chosen = report
            .recovery_points
            .as_ref()
            .and_then(|p| p.chosen_point());
        print_json(&serde_json::json!({
            "operation": op.wire_name(),
            "planned": op.planned(),
            "group": group,
            "direction": way,
            "allowed": allowed.is_ok(),
            "rejection": allowed.as_ref().err(),
            "checks": checks,
            "recovery_points": report.recovery_points,
            "recovery_point": chosen.map(|p| &p.name),
            "data_loss_seconds": chosen.map(|p| p.data_loss_seconds),
            "max_calls_per_site": per_site,
        }))?;
    } else {
        out::line(format!("{} of {group}: {way}", op.label()));
        if let (Err(r), true) = (&allowed, allowed_line) {
            out::line(format!("✖ state: {r}"));
        }
        for c in checks {
            out::line(format!("{} {}: {}", c.state.symbol(), c.label, c.reason));
        }
        out::line(format!(
            "  at most {per_site} calls at once to each site ([http] max_calls_per_site)"
        ));
        if let Some(points) = report
            .recovery_points
            .as_ref()
            .filter(|p| !p.points.is_empty())
        {
            out::line(format!("\n{}", super::points::table(points, true)));
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
