//! `ops retry | rollback | cleanup`: the ways out of an operation that did not complete. Retry
//! and rollback are journaled and handed to a detached runner like any operation (`--wait`
//! follows it); cleanup removes what a failed rollback left behind, here and now.

use super::args::RecoverFlags;
use super::operate::run_detached;
use super::status::{engine_err, print_json};
use super::{Cli, CliError, EXIT_FAILED, confirm, out};
use crate::domain::{Confirmation, OperationRecord, StepMark};
use crate::orchestrator::engine::{CleanupReport, Engine};
use crate::sanitize::clean;
use std::sync::Arc;

fn short(id: &str) -> &str {
    id.get(..8).unwrap_or(id)
}

/// "Planned Failover of web-app, operation 1a2b3c4d (site-a → site-b)".
fn describe(rec: &OperationRecord) -> String {
    format!(
        "{} of {}, operation {} ({} → {})",
        rec.operation_type.label(),
        rec.protection_group,
        short(&rec.id),
        rec.source_site_id,
        rec.target_site_id
    )
}

pub async fn retry(
    cli: &Cli,
    engine: &Arc<Engine>,
    id: &str,
    flags: RecoverFlags,
) -> Result<(), CliError> {
    let rec = engine
        .operation_detail(id, 0)
        .await
        .map_err(engine_err)?
        .record;
    let what = format!(
        "Retry the {}: it continues from where it stopped, in the same direction",
        describe(&rec)
    );
    confirm::ask(rec.operation_type, &rec.protection_group, &what, flags.yes)?;
    let record = engine.retry(&rec.id, false).await.map_err(engine_err)?;
    run_detached(cli, engine, record, flags.wait, flags.json.json).await
}

pub async fn rollback(
    cli: &Cli,
    engine: &Arc<Engine>,
    id: &str,
    flags: RecoverFlags,
) -> Result<(), CliError> {
    let d = engine.operation_detail(id, 0).await.map_err(engine_err)?;
    let (rec, steps) = (d.record, d.steps);
    let standing = steps.iter().filter(|s| s.mark.stands()).count();
    let what = format!(
        "Roll back the {}: undo what stands of it ({standing} steps)",
        describe(&rec)
    );
    confirm::ask(rec.operation_type, &rec.protection_group, &what, flags.yes)?;
    let record = engine
        .rollback_operation(&rec.id, false)
        .await
        .map_err(engine_err)?;
    run_detached(cli, engine, record, flags.wait, flags.json.json).await
}

pub async fn cleanup(
    engine: &Arc<Engine>,
    id: &str,
    yes: bool,
    json: bool,
) -> Result<(), CliError> {
    let d = engine.operation_detail(id, 0).await.map_err(engine_err)?;
    let (rec, steps) = (d.record, d.steps);
    let left: Vec<_> = steps
        .iter()
        .filter(|s| s.mark == StepMark::LeftBehind)
        .collect();
    if !left.is_empty() {
        let listed: usize = left.iter().map(|s| s.left_behind.len()).sum();
        let what = format!(
            "Remove what the {} left behind: {listed} resources of {} steps",
            describe(&rec),
            left.len()
        );
        confirm::ask_level(Confirmation::YesNo, &rec.protection_group, &what, yes)?;
    }
    let report = engine.cleanup(&rec.id).await.map_err(engine_err)?;
    if json {
        print_json(&serde_json::json!({ "cleanup": report }))?;
    } else {
        print_report(&report);
    }
    if report.remaining.is_empty() && report.failures.is_empty() {
        return Ok(());
    }
    Err(CliError {
        message: format!(
            "operation {} still leaves {} resources behind; run `drconsole ops cleanup {}` again \
             once the site answers",
            short(&rec.id),
            report.remaining.len(),
            short(&rec.id)
        ),
        code: EXIT_FAILED,
    })
}

fn print_report(r: &CleanupReport) {
    let id = short(&r.operation_id);
    for res in &r.removed {
        out::line(format!("✔ removed {}", clean(&res.to_string())));
    }
    for (step, undo) in &r.undone_steps {
        let mark = StepMark::from(*undo);
        out::line(format!(
            "{} {}: {}",
            mark.symbol(),
            clean(step),
            undo.describe()
        ));
    }
    for (step, why) in &r.failures {
        out::line(format!(
            "⚠ {} still left behind: {}",
            clean(step),
            clean(why)
        ));
    }
    if r.remaining.is_empty() && r.failures.is_empty() {
        out::line(format!(
            "nothing of operation {id} is left behind; its group no longer needs attention. \
             `drconsole ops retry {id}` continues it, or start a new operation"
        ));
        return;
    }
    out::line(format!("still left behind ({}):", r.remaining.len()));
    for res in &r.remaining {
        out::line(format!("    {}", clean(&res.to_string())));
    }
}
