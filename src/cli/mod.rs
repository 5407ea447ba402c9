//! The headless commands over the same engine as the console: parse, act, print, and exit with
//! 0 (done), 1 (an operation failed) or 2 (rejected: bad input, config, or a precondition).

pub mod args;
pub mod confirm;
mod console;
mod follow;
mod journal;
mod lab_serve;
mod list;
mod op_args;
mod operate;
mod ops;
mod out;
mod points;
mod recover;
mod refusal;
mod report;
pub mod setup;
mod show;
mod signals;
mod site;
mod status;
pub mod table;
mod watch;

pub use args::{Cli, Command};

use crate::config::{self, ConfigError, LoadedConfig};
use std::fmt;

/// Exit codes, documented in README.md.
pub const EXIT_OK: i32 = 0;
pub const EXIT_FAILED: i32 = 1;
pub const EXIT_REJECTED: i32 = 2;
/// A watcher (`--wait`, `ops watch`) stopped watching on a signal: the operation goes on.
pub const EXIT_WATCHING_STOPPED: i32 = 3;

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
        out::note(format!("warning: {w}"));
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
            // A watcher that stopped watching has said why already. The message may quote the
            // command line or the journal: out::note removes control characters.
            if !e.message.is_empty() {
                out::note(format!("error: {e}"));
            }
            e.code
        }
    }
}

async fn run_on_engine(cli: &Cli, cmd: &Command) -> Result<(), CliError> {
    if matches!(
        cmd,
        Command::Status(_) | Command::Instances { .. } | Command::Check(_) | Command::Points { .. }
    ) {
        return run_read_only(cli, cmd).await;
    }
    let engine = setup::engine(cli)?;
    if let Some((req, args)) = operate::request_of(cmd) {
        return operate::operate(cli, &engine, req, args).await;
    }
    match cmd {
        Command::Ops(o) => ops::run(cli, &engine, o).await,
        Command::SiteFailover(a) => site::site_failover(&engine, a).await,
        Command::Report(r) => report::run(&engine, r).await,
        _ => Err(CliError::rejected("this command takes no engine")),
    }
}

/// How long after the command's deadline the backstop below gives up.
const BACKSTOP_GRACE: std::time::Duration = std::time::Duration::from_millis(500);

/// `status`, `instances`, `check` and `points` end within `[http] command_timeout_ms` (their calls are
/// bounded by it); the backstop covers anything else that could wait, such as the journal.
async fn run_read_only(cli: &Cli, cmd: &Command) -> Result<(), CliError> {
    let (engine, deadline) = setup::bounded_engine(cli)?;
    let work = async {
        match cmd {
            Command::Status(j) => status::status(&engine, j.json).await,
            Command::Instances { group, json } => {
                status::instances(&engine, group, json.json).await
            }
            Command::Check(args) => operate::check(&engine, args).await,
            Command::Points { group, json } => points::points(&engine, group, json.json).await,
            _ => Err(CliError::rejected("not a read-only command")),
        }
    };
    match tokio::time::timeout_at(deadline + BACKSTOP_GRACE, work).await {
        Ok(done) => done,
        Err(_) => Err(CliError::failed(format!(
            "no complete answer within {:.1} s ([http] command_timeout_ms); the sites or the \
             journal are too slow: run again, or raise the limit",
            engine.config().http.command_timeout.as_secs_f64()
        ))),
    }
}
