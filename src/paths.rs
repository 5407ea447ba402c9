//! Where drconsole keeps things on this machine: the platform directories for config and data,
//! and the data dir (journal, logs, the embedded lab's world) that `DRCONSOLE_DATA_DIR` overrides.
//! A leaf module: every room may use it.

use std::path::PathBuf;

/// The platform directories drconsole uses (config, data, logs).
pub fn project_dirs() -> Option<directories::ProjectDirs> {
    directories::ProjectDirs::from("", "", "drconsole")
}

/// Where drconsole keeps its journal, logs and the embedded lab's world: `DRCONSOLE_DATA_DIR`,
/// else the platform data dir.
pub fn data_dir() -> PathBuf {
    if let Some(dir) = std::env::var_os("DRCONSOLE_DATA_DIR") {
        return PathBuf::from(dir);
    }
    project_dirs().map_or_else(
        || PathBuf::from(".drconsole"),
        |d| d.data_dir().to_path_buf(),
    )
}
