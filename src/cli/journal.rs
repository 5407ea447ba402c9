//! `journal check` and `journal copy`: the journal itself, not what is in it. Both talk to the
//! store on a blocking thread (PostgreSQL or disk), never on the runtime.

use super::args::JournalCommand;
use super::out;
use super::setup::{journal_url, store_config};
use super::status::print_json;
use super::table::render;
use super::{Cli, CliError, load_config};
use crate::config::StoreConfig;
use crate::sanitize::clean;
use crate::store::check::{JournalReport, check};
use crate::store::{Store, dump};

pub async fn run(cli: &Cli, cmd: &JournalCommand) -> Result<(), CliError> {
    match cmd {
        JournalCommand::Check { json } => {
            let config = configured_store(cli)?;
            let report = blocking(move || check(&config))
                .await?
                .map_err(|e| CliError::rejected(format!("the journal cannot be used: {e}")))?;
            if json.json {
                print_json(&report)
            } else {
                print_report(&report);
                Ok(())
            }
        }
        JournalCommand::Copy { from, to, replace } => {
            let (from, to, replace) = (
                journal_url(from, "--from")?,
                journal_url(to, "--to")?,
                *replace,
            );
            let copied = blocking(move || {
                let source = Store::open(&from)?;
                let target = Store::open(&to)?;
                let counts = dump::copy(source.blocking(), target.blocking(), replace)?;
                Ok::<_, crate::store::StoreError>((
                    counts,
                    source.blocking().describe(),
                    target.blocking().describe(),
                ))
            })
            .await?
            .map_err(|e| CliError::rejected(e.to_string()))?;
            let (counts, source, target) = copied;
            out::line(format!("copied {source} into {target}"));
            out::line(format!("  {counts}; the counts of both journals agree"));
            Ok(())
        }
    }
}

/// `--store`, else the configuration's journal (a configuration is needed only then).
fn configured_store(cli: &Cli) -> Result<StoreConfig, CliError> {
    if cli.store.is_some() {
        return store_config(cli, &StoreConfig::Sqlite(None));
    }
    let loaded = load_config(cli)?;
    Ok(loaded.config.store)
}

async fn blocking<T: Send + 'static>(
    f: impl FnOnce() -> T + Send + 'static,
) -> Result<T, CliError> {
    tokio::task::spawn_blocking(f)
        .await
        .map_err(|e| CliError::failed(format!("the journal task did not finish: {e}")))
}

fn print_report(r: &JournalReport) {
    out::line(format!("journal: {}", clean(&r.journal)));
    let s = &r.schema;
    if s.pending.is_empty() {
        out::line(format!("schema: version {} (up to date)", s.version));
    } else {
        out::line(format!(
            "schema: version {} of {}; the next console to open it applies:",
            s.version, s.latest
        ));
        for (v, what) in &s.pending {
            out::line(format!("  {v}: {what}"));
        }
    }
    if let Some(c) = &r.counts {
        out::line(format!("rows: {c}"));
    }
    if r.locks.is_empty() {
        out::line("locks: none (no operation runs)");
        return;
    }
    let rows: Vec<Vec<String>> = r
        .locks
        .iter()
        .map(|l| {
            let h = &l.lock.holder;
            vec![
                clean(&l.lock.group),
                clean(&h.operation_id.chars().take(8).collect::<String>()),
                h.operation_type.as_str().to_string(),
                clean(&h.console_id),
                clean(&h.actor.to_string()),
                l.lock.acquired_at.format("%Y-%m-%d %H:%M:%S").to_string(),
                format!(
                    "{}{}",
                    l.lock.expires_at.format("%H:%M:%S"),
                    if l.live { "" } else { " (expired)" }
                ),
            ]
        })
        .collect();
    let header = [
        "GROUP",
        "OPERATION",
        "TYPE",
        "CONSOLE",
        "BY",
        "SINCE (UTC)",
        "LEASE UNTIL",
    ];
    out::line(format!("locks:\n{}", render(&header, &rows)));
}
