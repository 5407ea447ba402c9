//! Building the engine a command runs on: the configuration, the journal (`--store` over the
//! config's `[store]`), and the data dir for logs and the last known inventories.

use super::{Cli, CliError, data_dir, load_config};
use crate::config::StoreConfig;
use crate::orchestrator::engine::{Engine, EngineOptions};
use crate::secret::Secret;
use crate::store::Store;
use std::path::PathBuf;
use std::sync::Arc;

/// The journal `--store URL` names, else the configuration's, else the data dir's SQLite file.
pub fn store_config(cli: &Cli, configured: &StoreConfig) -> Result<StoreConfig, CliError> {
    match cli.store.as_deref() {
        None => Ok(match configured {
            StoreConfig::Sqlite(None) => {
                StoreConfig::Sqlite(Some(data_dir().join(crate::store::SQLITE_FILE_NAME)))
            }
            other => other.clone(),
        }),
        Some(url) => {
            if let Some(p) = url.strip_prefix("sqlite://") {
                Ok(StoreConfig::Sqlite(Some(PathBuf::from(p))))
            } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
                Ok(StoreConfig::Postgres(Secret::new(url.to_string())))
            } else {
                Err(CliError::rejected(
                    "--store must be sqlite://PATH or postgres://USER@HOST/DB",
                ))
            }
        }
    }
}

pub fn engine(cli: &Cli) -> Result<Arc<Engine>, CliError> {
    let loaded = load_config(cli)?;
    let store_cfg = store_config(cli, &loaded.config.store)?;
    let store = Store::open(&store_cfg).map_err(|e| CliError::rejected(e.to_string()))?;
    let opts = EngineOptions {
        cache_dir: Some(data_dir()),
        ..EngineOptions::default()
    };
    Engine::new(Arc::new(loaded.config), store, opts).map_err(|e| CliError::rejected(e.to_string()))
}
