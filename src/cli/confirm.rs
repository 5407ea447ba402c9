//! Confirmation on a terminal before a command changes a site, at the level the operation type
//! states (`OperationType::confirmation`, the same the console asks). Without a terminal, only
//! `--yes` proceeds.

use super::CliError;
use crate::domain::{Confirmation, OperationType};
use std::io::{BufRead, IsTerminal, Write};

/// Ask on the terminal; `Err` says why nothing will happen.
pub fn ask(op: OperationType, group: &str, what: &str, yes: bool) -> Result<(), CliError> {
    ask_level(op.confirmation(), group, what, yes)
}

/// Ask at `level` on the terminal; `Err` says why nothing will happen.
pub fn ask_level(level: Confirmation, group: &str, what: &str, yes: bool) -> Result<(), CliError> {
    if yes || level == Confirmation::None {
        return Ok(());
    }
    if !std::io::stdin().is_terminal() {
        return Err(CliError::rejected(format!(
            "refusing to start {what} without confirmation: stdin is not a terminal; add --yes \
             to confirm"
        )));
    }
    let prompt = match level {
        Confirmation::TypeGroupName => {
            format!("{what}\nType the group's name ({group}) to confirm: ")
        }
        _ => format!("{what}\nProceed? [y/N] "),
    };
    let mut err = std::io::stderr().lock();
    let _ = write!(err, "{}", crate::sanitize::clean_lines(&prompt));
    let _ = err.flush();
    drop(err);
    let mut answer = String::new();
    std::io::stdin()
        .lock()
        .read_line(&mut answer)
        .map_err(|e| CliError::rejected(format!("cannot read the answer: {e}")))?;
    if level.accepts(group, &answer) {
        Ok(())
    } else {
        Err(CliError::rejected("not confirmed; nothing was changed"))
    }
}
