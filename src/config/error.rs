//! Configuration errors: what is wrong, where (file, line, column), and what to write instead.

use std::path::PathBuf;

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("placeholder")]
    Placeholder(PathBuf),
}
