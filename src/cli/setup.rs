//! Building the engine a command runs on: the configuration, the journal (`--store` over the
//! config's `[store]`), and the data dir for logs and the last known inventories.

use super::{Cli, CliError, data_dir, load_config};
use crate::config::{StoreConfig, parse_store_url};
use crate::orchestrator::RollbackPolicy;
use crate::orchestrator::engine::{Engine, EngineOptions};
use crate::store::Store;
use std::path::Path;
use std::sync::Arc;

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
    let loaded = load_config(cli)?;
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
