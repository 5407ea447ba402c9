//! The journal's URL (`[store] url`, `--store`): SQLite beside the file that names it, or
//! PostgreSQL.

use super::clouds::resolve_relative;
use super::types::StoreConfig;
use crate::secret::Secret;
use std::path::Path;

/// A journal URL that is neither SQLite nor PostgreSQL; the text says what to write instead.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "a journal URL must start with sqlite:// or postgres://, e.g. sqlite://journal.sqlite or \
     postgres://drconsole@db/drconsole"
)]
pub struct StoreUrlError;

/// A journal URL (`sqlite://PATH` or `postgres://…`), as `[store] url` and `--store` take it. A
/// relative path is resolved beside `source_file`, the file the URL came from (an empty path for
/// the command line: the working directory).
pub fn parse_store_url(url: &str, source_file: &Path) -> Result<StoreConfig, StoreUrlError> {
    if let Some(p) = url.strip_prefix("sqlite://") {
        return Ok(StoreConfig::Sqlite(Some(resolve_relative(source_file, p))));
    }
    if url.starts_with("postgres://") || url.starts_with("postgresql://") {
        return Ok(StoreConfig::Postgres(Secret::new(url.to_string())));
    }
    Err(StoreUrlError)
}
