//! Logs go to a file under the data dir (never to the terminal the console owns), through a
//! non-blocking writer whose guard `main` keeps alive. `DRCONSOLE_LOG` sets the filter.

use std::path::{Path, PathBuf};
use tracing_appender::non_blocking::WorkerGuard;
use tracing_subscriber::EnvFilter;

static LOG_PATH: std::sync::OnceLock<PathBuf> = std::sync::OnceLock::new();

/// The log file this process writes, once logging has started.
pub fn log_path() -> Option<&'static Path> {
    LOG_PATH.get().map(PathBuf::as_path)
}

pub struct LogFile {
    pub path: PathBuf,
    _guard: WorkerGuard,
}

/// Start logging to `DIR/logs/drconsole.log`; `None` (and no logging) if the dir can't be made.
pub fn init(data_dir: &Path) -> Option<LogFile> {
    let dir = data_dir.join("logs");
    std::fs::create_dir_all(&dir).ok()?;
    let appender = tracing_appender::rolling::never(&dir, "drconsole.log");
    let (writer, guard) = tracing_appender::non_blocking(appender);
    let filter =
        EnvFilter::try_from_env("DRCONSOLE_LOG").unwrap_or_else(|_| EnvFilter::new("info"));
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(writer)
        .with_ansi(false)
        .try_init()
        .ok()?;
    let _ = LOG_PATH.set(dir.join("drconsole.log"));
    Some(LogFile {
        path: dir.join("drconsole.log"),
        _guard: guard,
    })
}
