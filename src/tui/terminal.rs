//! The terminal the console owns: set up with mouse capture, and restored (mouse capture too) on
//! every exit path, panics included.

use color_eyre::eyre::{Result, eyre};
use crossterm::event::{DisableMouseCapture, EnableMouseCapture};
use ratatui::DefaultTerminal;
use std::io::IsTerminal;

/// The terminal, in raw mode on the alternate screen; restored when dropped.
pub struct TerminalGuard {
    pub terminal: DefaultTerminal,
}

impl TerminalGuard {
    /// Fails with a clear error without an interactive terminal.
    pub fn new() -> Result<Self> {
        if !std::io::stdout().is_terminal() || !std::io::stdin().is_terminal() {
            return Err(eyre!(
                "the console needs an interactive terminal, and stdin/stdout is not one; \
                 use the headless commands (drconsole status, failover --wait, …) instead"
            ));
        }
        let terminal = ratatui::try_init()
            .map_err(|e| eyre!("cannot set up the terminal: {e}; is TERM set correctly?"))?;
        let guard = TerminalGuard { terminal };
        crossterm::execute!(std::io::stdout(), EnableMouseCapture)?;
        install_panic_hook();
        Ok(guard)
    }
}

impl Drop for TerminalGuard {
    fn drop(&mut self) {
        let _ = crossterm::execute!(std::io::stdout(), DisableMouseCapture);
        ratatui::restore();
    }
}

/// A panic restores the terminal first, logs the report and says where it is.
fn install_panic_hook() {
    let previous = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        let _ = crossterm::execute!(std::io::stdout(), DisableMouseCapture);
        ratatui::restore();
        let backtrace = std::backtrace::Backtrace::force_capture();
        tracing::error!("the console panicked: {info}\n{backtrace}");
        match crate::logging::log_path() {
            Some(path) => eprintln!(
                "drconsole stopped on an internal error; the report is in {}\n\
                 running operations continue from the journal at the next start",
                path.display()
            ),
            None => previous(info),
        }
    }));
}
