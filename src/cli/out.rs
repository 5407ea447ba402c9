//! Writing to stdout and stderr without dying when the reader went away (`ops list | head`, a
//! dropped SSH session): a runner or a watcher whose terminal is gone goes on quietly.

use std::fmt::Display;
use std::io::Write;

/// One line on stdout; a closed stdout is ignored.
pub fn line(text: impl Display) {
    let _ = writeln!(std::io::stdout().lock(), "{text}");
}

/// Text on stdout with no newline added; a closed stdout is ignored.
pub fn text(text: impl Display) {
    let mut out = std::io::stdout().lock();
    let _ = write!(out, "{text}");
    let _ = out.flush();
}

/// One line on stderr; a closed stderr is ignored.
pub fn note(text: impl Display) {
    let _ = writeln!(std::io::stderr().lock(), "{text}");
}
