//! `points GROUP`: the recovery points an unplanned failover or a drill may use, newest first,
//! with the data each loses; `check` prints the same table with the chosen point marked.

use super::status::{engine_err, print_json};
use super::table::render;
use super::{CliError, out};
use crate::domain::{RecoveryPoints, human_seconds};
use crate::orchestrator::engine::Engine;
use crate::sanitize::clean;
use std::sync::Arc;

pub async fn points(engine: &Arc<Engine>, group: &str, json: bool) -> Result<(), CliError> {
    let list = engine.recovery_points(group).await.map_err(engine_err)?;
    if json {
        return print_json(&list);
    }
    if list.points.is_empty() {
        return Err(CliError::failed(format!(
            "no snapshot of {} has arrived at {}: nothing to recover from",
            clean(&list.group),
            clean(&list.target)
        )));
    }
    out::line(table(&list, false));
    Ok(())
}

/// The points as a table, the chosen one marked `▸` when `mark_chosen`, with the moment their
/// data loss is measured at.
pub fn table(list: &RecoveryPoints, mark_chosen: bool) -> String {
    let rows: Vec<Vec<String>> = list
        .points
        .iter()
        .map(|p| {
            let chosen = mark_chosen && list.chosen.as_ref() == Some(&p.name);
            vec![
                if chosen { "▸".into() } else { String::new() },
                clean(&p.name),
                p.created.format("%Y-%m-%d %H:%M:%S").to_string(),
                human_seconds(p.data_loss_seconds),
                if p.latest {
                    "latest".into()
                } else {
                    String::new()
                },
            ]
        })
        .collect();
    format!(
        "Recovery points of {} at {} (newest first; data loss as of {} UTC):\n{}",
        clean(&list.group),
        clean(&list.target),
        list.as_of.format("%H:%M:%S"),
        render(&["", "POINT", "CREATED (UTC)", "DATA LOSS", ""], &rows)
    )
}
