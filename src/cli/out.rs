//! The commands' stdout and stderr. A reader that went away (`drconsole ops list | head -1`, a
//! dropped SSH session) turns stdout into a sink instead of a panic in `println!`, and the
//! command carries on to its own end and exit code: a runner or a watcher whose terminal is gone
//! goes on quietly. Text (never JSON, which escapes its own control characters: `raw`) passes
//! through `sanitize::clean_lines` on the way, so names from the command line, a shared journal
//! or an endpoint cannot put an escape sequence on the operator's terminal.

use crate::sanitize::clean_lines;
use std::fmt::Display;
use std::io::{ErrorKind, Write};
use std::sync::atomic::{AtomicBool, Ordering};

/// Set once stdout's reader has gone; nothing more is written there.
static STDOUT_GONE: AtomicBool = AtomicBool::new(false);

/// One or more lines of text on stdout, control characters removed.
pub fn line(text: impl Display) {
    raw(&format!("{}\n", clean_lines(&text.to_string())));
}

/// Text on stdout with no newline added, control characters removed.
pub fn text(text: impl Display) {
    raw(&clean_lines(&text.to_string()));
}

/// Bytes written exactly as given (a JSON document with its newline).
pub fn raw(text: &str) {
    if STDOUT_GONE.load(Ordering::Relaxed) {
        return;
    }
    let mut out = std::io::stdout().lock();
    if let Err(e) = out.write_all(text.as_bytes()).and_then(|()| out.flush()) {
        STDOUT_GONE.store(true, Ordering::Relaxed);
        if e.kind() != ErrorKind::BrokenPipe {
            // A full disk or a closed descriptor: say so once, on stderr, and stop writing.
            note(format!(
                "cannot write to stdout ({e}); the rest of the output is lost"
            ));
        }
    }
}

/// One line on stderr ("error: …", "warning: …"), control characters removed; a closed stderr
/// loses it rather than panicking.
pub fn note(text: impl Display) {
    let _ = writeln!(
        std::io::stderr().lock(),
        "{}",
        clean_lines(&text.to_string())
    );
}
