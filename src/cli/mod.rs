//! The headless commands over the same engine as the console: parse, act, print, and exit with
//! 0 (done), 1 (an operation failed) or 2 (rejected: bad input, config, or a precondition).

pub mod args;
pub mod confirm;
mod console;
mod follow;
mod journal;
mod lab_serve;
mod operate;
mod ops;
mod report;
pub mod setup;
mod status;
pub mod table;

pub use args::{Cli, Command};

use crate::config::{self, ConfigError, LoadedConfig};
use std::fmt;

/// Exit codes, documented in README.md.
pub const EXIT_OK: i32 = 0;
pub const EXIT_FAILED: i32 = 1;
pub const EXIT_REJECTED: i32 = 2;

/// A command that could not do its job: what to print and how to exit.
#[derive(Debug)]
pub struct CliError {
    pub message: String,
    pub code: i32,
}

impl CliError {
    pub fn rejected(message: impl Into<String>) -> Self {
        Self {
            message: message.into(),
            code: EXIT_REJECTED,
        }
    }

    pub fn failed(message: impl Into<String>) -> Self {
        Self {
            message: message.into(),
            code: EXIT_FAILED,
        }
    }
}

impl fmt::Display for CliError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl From<ConfigError> for CliError {
    fn from(e: ConfigError) -> Self {
        CliError::rejected(e.to_string())
    }
}

pub use config::load::data_dir;

/// Find and load the configuration, printing its warnings on stderr.
pub fn load_config(cli: &Cli) -> Result<LoadedConfig, CliError> {
    let path = config::locate(cli.config.as_deref())?;
    let loaded = config::load(&path)?;
    for w in &loaded.warnings {
        eprintln!("warning: {w}");
    }
    Ok(loaded)
}

/// Run a subcommand; returns the process exit code.
pub async fn run(cli: Cli) -> i32 {
    let result = match &cli.command {
        Some(Command::Lab(args::LabCommand::Serve(a))) => lab_serve::run(a).await,
        Some(Command::Journal(j)) => journal::run(&cli, j).await,
        Some(cmd) => run_on_engine(&cli, cmd).await,
        None => console::run(&cli).await,
    };
    match result {
        Ok(()) => EXIT_OK,
        Err(e) => {
            eprintln!("error: {e}");
            e.code
        }
    }
}

async fn run_on_engine(cli: &Cli, cmd: &Command) -> Result<(), CliError> {
    let engine = setup::engine(cli)?;
    if let Some((req, args)) = operate::request_of(cmd) {
        return operate::operate(cli, &engine, req, args).await;
    }
    match cmd {
        Command::Status(j) => status::status(&engine, j.json).await,
        Command::Instances { group, json } => status::instances(&engine, group, json.json).await,
        Command::Check {
            operation,
            group,
            json,
        } => operate::check(&engine, operation, group, *json).await,
        Command::Ops(o) => ops::run(&engine, o).await,
        Command::Report(r) => report::run(&engine, r).await,
        _ => Err(CliError::rejected("this command takes no engine")),
    }
}
