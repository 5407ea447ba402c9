//! Configuration: drconsole.toml (sites, protection groups, store, UI) and the standard clouds.yaml,
//! resolved into the typed values below. Loading and validation live in the submodules; every error
//! names the file, the line and column where known, and what to write instead.

pub mod clouds;
pub mod error;
pub mod limits;
pub mod load;
mod names;
mod raw;
mod resolve;
mod store_url;
pub mod types;

pub use error::ConfigError;
pub use load::{LoadedConfig, load, locate};
pub use store_url::{StoreUrlError, parse_store_url};
pub use types::*;
