//! Finding drconsole.toml (`--config`, `DRCONSOLE_CONFIG`, the user's config dir), reading and
//! parsing it; resolve.rs validates it as a whole.

use super::error::{ConfigError, line_col};
use super::raw::RawConfig;
use super::resolve::Resolver;
use super::types::*;
use std::path::{Path, PathBuf};

pub struct LoadedConfig {
    pub config: Config,
    /// Things that work but should be fixed (e.g. a password in a world-readable file).
    pub warnings: Vec<String>,
}

pub use crate::paths::{data_dir, project_dirs};

/// Find the configuration file: `--config`, then `DRCONSOLE_CONFIG`, then the config dir.
pub fn locate(explicit: Option<&Path>) -> Result<PathBuf, ConfigError> {
    let from_env = std::env::var_os("DRCONSOLE_CONFIG").map(PathBuf::from);
    let default = project_dirs().map(|d| d.config_dir().join("drconsole.toml"));
    locate_in(explicit, from_env.as_deref(), default.as_deref())
}

fn locate_in(
    explicit: Option<&Path>,
    env: Option<&Path>,
    default: Option<&Path>,
) -> Result<PathBuf, ConfigError> {
    let named = explicit
        .map(|p| (p, "--config"))
        .or(env.map(|p| (p, "DRCONSOLE_CONFIG")));
    if let Some((path, source)) = named {
        if path.is_file() {
            return Ok(path.to_path_buf());
        }
        return Err(ConfigError::new(Some(path), format!("configuration file not found (given by {source})"))
            .hint("check the path, or run `drconsole lab serve --dir DIR` to get a working one for the lab"));
    }
    if let Some(d) = default.filter(|d| d.is_file()) {
        return Ok(d.to_path_buf());
    }
    let looked = default.map_or_else(|| "the config dir".to_string(), |d| d.display().to_string());
    Err(ConfigError::new(
        None,
        format!("no configuration found (no --config, no DRCONSOLE_CONFIG, nothing at {looked})"),
    )
    .hint(
        "try the built-in lab with `drconsole --lab`, or write drconsole.toml as README.md shows",
    ))
}

/// Load and validate using the process environment.
pub fn load(path: &Path) -> Result<LoadedConfig, ConfigError> {
    load_with(path, &|k| std::env::var(k).ok())
}

/// Load and validate, reading environment variables through `env` (tests inject their own).
pub fn load_with(
    path: &Path,
    env: &dyn Fn(&str) -> Option<String>,
) -> Result<LoadedConfig, ConfigError> {
    let text = std::fs::read_to_string(path).map_err(|e| {
        ConfigError::new(Some(path), format!("cannot read the configuration: {e}"))
            .hint("check the path and that this user may read it")
    })?;
    let raw: RawConfig = toml::from_str(&text).map_err(|e| toml_error(path, &text, &e))?;
    let mut warnings = Vec::new();
    let mut resolver = Resolver {
        path,
        text: &text,
        env,
        warnings: &mut warnings,
    };
    let config = resolver.resolve(raw)?;
    Ok(LoadedConfig { config, warnings })
}

fn toml_error(path: &Path, text: &str, e: &toml::de::Error) -> ConfigError {
    let message = e.message().trim_end().to_string();
    let mut err = ConfigError::new(Some(path), message.clone());
    if let Some(span) = e.span() {
        let (l, c) = line_col(text, span.start);
        err = err.at(l, c);
    }
    if message.contains(crate::secret::NOT_A_STRING) {
        err = err.hint("write it in quotes: api_token = \"…\", url = \"postgres://…\"");
    } else if message.contains(super::names::CONTROL_IN_NAME) {
        err = err.hint(
            "remove it: names are shown on terminals, where a control character is a command",
        );
    } else if message.contains("unknown field") {
        err = err.hint("remove or rename the key; the expected keys are listed above (README.md, Configuration)");
    } else if message.contains("missing field") {
        err = err.hint("add the key; README.md's Configuration section has a complete example");
    } else {
        err = err.hint("fix the TOML syntax at that position (strings need quotes, tables [name], arrays [a, b])");
    }
    err
}

#[cfg(test)]
mod tests;
