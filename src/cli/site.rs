//! `drconsole site-failover --from SITE`: every group that runs at SITE moved to the other site
//! as one operation, in the groups' priority order, followed here to its end; one report with
//! a row per group (each row names its group operation, whose steps `ops show` gives).

use super::args::SiteFailoverArgs;
use super::status::{engine_err, print_json};
use super::{CliError, EXIT_FAILED, confirm, out, table};
use crate::domain::{OperationStatus, OperationType};
use crate::orchestrator::engine::{Engine, SiteRecord, SiteRequest};
use std::sync::Arc;

pub async fn site_failover(engine: &Arc<Engine>, args: &SiteFailoverArgs) -> Result<(), CliError> {
    let op = if args.unplanned {
        OperationType::Failover
    } else {
        OperationType::PlannedFailover
    };
    let what = format!(
        "{} of every protection group that runs at {} now, in priority order{}",
        op.label(),
        args.from,
        if args.force {
            " (forced: goes on without that site if it does not answer)"
        } else {
            ""
        }
    );
    confirm::ask_level(op.confirmation(), &args.from, &what, args.yes)?;
    let req = SiteRequest {
        from: args.from.clone(),
        unplanned: args.unplanned,
        force: args.force,
    };
    if !args.json.json {
        out::note(format!(
            "site failover from {}: following it to its end",
            args.from
        ));
    }
    let record = engine.site_failover(req).await.map_err(engine_err)?;
    if args.json.json {
        print_json(&record)?;
    } else {
        out::line(report(&record));
    }
    if record.status == OperationStatus::Completed {
        return Ok(());
    }
    let failed: Vec<&str> = record
        .groups
        .iter()
        .filter(|g| g.status != Some(OperationStatus::Completed))
        .map(|g| g.group.as_str())
        .collect();
    Err(CliError {
        message: format!(
            "site failover {} from {} to {} did not complete: {} did not move (each row says \
             why; `drconsole ops show ID` gives a group operation's steps)",
            record.id,
            record.from,
            record.to,
            failed.join(", ")
        ),
        code: EXIT_FAILED,
    })
}

/// The record as text: what moved where, and a row per group.
pub fn report(record: &SiteRecord) -> String {
    let rows: Vec<Vec<String>> = record
        .groups
        .iter()
        .map(|g| {
            vec![
                g.group.clone(),
                g.priority.to_string(),
                format!("{:?}", g.phase).to_lowercase(),
                g.status
                    .map(|s| s.as_str().to_string())
                    .unwrap_or("—".into()),
                g.operation_id
                    .get(..8)
                    .unwrap_or(&g.operation_id)
                    .to_string(),
                g.message.clone().unwrap_or_default(),
            ]
        })
        .collect();
    format!(
        "site failover {} ({}) {} → {}: {}\n{}",
        record.id,
        record.operation.label(),
        record.from,
        record.to,
        record.status.as_str(),
        table::render(
            &["GROUP", "PRIORITY", "PHASE", "STATUS", "OPERATION", "NOTE"],
            &rows
        )
    )
}
