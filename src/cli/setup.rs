//! Building the engine a command runs on: the configuration, the journal (`--store` over the
//! config's `[store]`), and the data dir for logs and the last known inventories.

use super::{Cli, CliError, data_dir, load_config};
use crate::config::{StoreConfig, parse_store_url};
use crate::orchestrator::engine::{Engine, EngineOptions};
use crate::store::Store;
use std::path::Path;
use std::sync::Arc;

/// The journal `--store URL` names, else the configuration's (whose default is the data dir's).
pub fn store_config(cli: &Cli, configured: &StoreConfig) -> Result<StoreConfig, CliError> {
    match cli.store.as_deref() {
        None => Ok(configured.clone()),
        Some(url) => parse_store_url(url, Path::new(""))
            .map_err(|e| CliError::rejected(format!("--store: {e}"))),
    }
}

pub fn engine(cli: &Cli) -> Result<Arc<Engine>, CliError> {
    let loaded = load_config(cli)?;
    let store_cfg = store_config(cli, &loaded.config.store)?;
    let store = Store::open(&store_cfg).map_err(|e| CliError::rejected(e.to_string()))?;
    let opts = EngineOptions {
        cache_dir: Some(data_dir()),
        lease: loaded.config.lease,
        ..EngineOptions::default()
    };
    Engine::new(Arc::new(loaded.config), store, opts).map_err(|e| CliError::rejected(e.to_string()))
}
