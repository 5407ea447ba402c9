//! Building the engine a command runs on: the configuration, the journal (`--store` over the
//! config's `[store]`), and the data dir for logs and the last known inventories.

use super::{Cli, CliError, data_dir, load_config};
use crate::config::{Config, StoreConfig, parse_store_url};
use crate::orchestrator::RollbackPolicy;
use crate::orchestrator::engine::{Engine, EngineOptions};
use crate::store::Store;
use std::path::Path;
use std::sync::Arc;
use tokio::time::Instant;

/// The journal `--store URL` names, else the configuration's (whose default is the data dir's).
pub fn store_config(cli: &Cli, configured: &StoreConfig) -> Result<StoreConfig, CliError> {
    match cli.store.as_deref() {
        None => Ok(configured.clone()),
        Some(url) => journal_url(url, "--store"),
    }
}

/// A journal URL from the command line; a bare path means a SQLite file (as `--help` says).
pub fn journal_url(s: &str, flag: &str) -> Result<StoreConfig, CliError> {
    let with_scheme = if s.contains("://") {
        s.to_string()
    } else {
        format!("sqlite://{s}")
    };
    parse_store_url(&with_scheme, Path::new(""))
        .map_err(|e| CliError::rejected(format!("{flag}: {e}")))
}

pub fn engine(cli: &Cli) -> Result<Arc<Engine>, CliError> {
    engine_with(cli, |_| {})
}

/// The engine of a read-only command (`status`, `instances`, `check`): every HTTP call it makes,
/// retries included, ends by `[http] command_timeout_ms` from now, whatever the endpoints do.
/// Returns that deadline.
pub fn bounded_engine(cli: &Cli) -> Result<(Arc<Engine>, Instant), CliError> {
    let mut deadline = Instant::now();
    let engine = engine_with(cli, |config| {
        config.http = config.http.with_deadline_from_now();
        deadline = config.http.deadline.unwrap_or(deadline);
    })?;
    Ok((engine, deadline))
}

fn engine_with(cli: &Cli, tune: impl FnOnce(&mut Config)) -> Result<Arc<Engine>, CliError> {
    let mut loaded = load_config(cli)?;
    tune(&mut loaded.config);
    let store_cfg = store_config(cli, &loaded.config.store)?;
    let store = Store::open(&store_cfg).map_err(|e| CliError::rejected(e.to_string()))?;
    let rollback = RollbackPolicy {
        budget: loaded.config.operations.rollback_budget,
        ..RollbackPolicy::default()
    };
    let opts = EngineOptions {
        cache_dir: Some(data_dir()),
        rollback,
        lease: loaded.config.lease,
        ..EngineOptions::default()
    };
    Engine::new(Arc::new(loaded.config), store, opts).map_err(|e| CliError::rejected(e.to_string()))
}
