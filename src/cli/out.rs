//! The commands' stdout and stderr. A reader that went away (`drconsole ops list | head -1`)
//! turns stdout into a sink instead of a panic in `println!`, and the command carries on to its
//! own end and exit code (an operation being followed is never abandoned because nobody reads).
//! Text (never JSON, which escapes its own control characters) passes through
//! `sanitize::clean_lines` on the way: names from the command line, a shared journal or an
//! endpoint cannot put an escape sequence on the operator's terminal.

use crate::sanitize::clean_lines;
use std::io::{ErrorKind, Write};
use std::sync::atomic::{AtomicBool, Ordering};

/// Set once stdout's reader has gone; nothing more is written there.
static STDOUT_GONE: AtomicBool = AtomicBool::new(false);

/// One or more lines of text for the operator on stdout, control characters removed.
pub fn line(text: impl AsRef<str>) {
    raw(&format!("{}\n", clean_lines(text.as_ref())));
}

/// Text as given but for control characters (the caller ends it with a newline).
pub fn text(text: &str) {
    raw(&clean_lines(text));
}

/// Text written exactly as given (a JSON document, or text already ending in a newline and
/// cleaned by the caller).
pub fn raw(text: &str) {
    if STDOUT_GONE.load(Ordering::Relaxed) {
        return;
    }
    let mut out = std::io::stdout().lock();
    if let Err(e) = out.write_all(text.as_bytes()).and_then(|()| out.flush()) {
        STDOUT_GONE.store(true, Ordering::Relaxed);
        if e.kind() != ErrorKind::BrokenPipe {
            // A full disk or a closed descriptor: say so once, on stderr, and stop writing.
            warn(&format!(
                "cannot write to stdout ({e}); the rest of the output is lost"
            ));
        }
    }
}

/// A line on stderr ("error: …", "warning: …"), control characters removed; a closed stderr
/// loses it rather than panicking.
pub fn warn(text: &str) {
    let _ = writeln!(std::io::stderr().lock(), "{}", clean_lines(text));
}
