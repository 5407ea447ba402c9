//! `journal check` and `journal copy`: the journal itself, not what is in it. Both talk to the
//! store on a blocking thread (PostgreSQL or disk), never on the runtime.

use super::args::JournalCommand;
use super::setup::store_config;
use super::status::print_json;
use super::table::render;
use super::{Cli, CliError, load_config};
use crate::config::StoreConfig;
use crate::config::parse_store_url;
use crate::sanitize::clean;
use crate::store::check::{JournalReport, check};
use crate::store::{Store, dump};
use std::path::Path;

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
            let (from, to, replace) = (url(from, "--from")?, url(to, "--to")?, *replace);
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
            println!("copied {source} into {target}");
            println!("  {counts}; the counts of both journals agree");
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

/// A journal URL from the command line; a bare path means a SQLite file.
fn url(s: &str, flag: &str) -> Result<StoreConfig, CliError> {
    let with_scheme = if s.contains("://") {
        s.to_string()
    } else {
        format!("sqlite://{s}")
    };
    parse_store_url(&with_scheme, Path::new(""))
        .map_err(|e| CliError::rejected(format!("{flag}: {e}")))
}

async fn blocking<T: Send + 'static>(
    f: impl FnOnce() -> T + Send + 'static,
) -> Result<T, CliError> {
    tokio::task::spawn_blocking(f)
        .await
        .map_err(|e| CliError::failed(format!("the journal task did not finish: {e}")))
}

fn print_report(r: &JournalReport) {
    println!("journal: {}", clean(&r.journal));
    let s = &r.schema;
    if s.pending.is_empty() {
        println!("schema: version {} (up to date)", s.version);
    } else {
        println!(
            "schema: version {} of {}; the next console to open it applies:",
            s.version, s.latest
        );
        for (v, what) in &s.pending {
            println!("  {v}: {what}");
        }
    }
    if let Some(c) = &r.counts {
        println!("rows: {c}");
    }
    if r.locks.is_empty() {
        println!("locks: none (no operation runs)");
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
    println!("locks:\n{}", render(&header, &rows));
}
