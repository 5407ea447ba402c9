//! Configuration errors: what is wrong, where (file, line, column), and what to write instead.

use std::fmt;
use std::path::{Path, PathBuf};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigError {
    pub path: Option<PathBuf>,
    /// 1-based line and column, where known.
    pub location: Option<(usize, usize)>,
    pub message: String,
    /// What to write or do instead.
    pub hint: Option<String>,
}

impl ConfigError {
    pub fn new(path: Option<&Path>, message: impl Into<String>) -> Self {
        Self {
            path: path.map(Path::to_path_buf),
            location: None,
            message: message.into(),
            hint: None,
        }
    }

    pub fn at(mut self, line: usize, column: usize) -> Self {
        self.location = Some((line, column));
        self
    }

    pub fn hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = Some(hint.into());
        self
    }
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (&self.path, self.location) {
            (Some(p), Some((l, c))) => write!(f, "{}:{l}:{c}: ", p.display())?,
            (Some(p), None) => write!(f, "{}: ", p.display())?,
            (None, _) => {}
        }
        f.write_str(&self.message)?;
        if let Some(h) = &self.hint {
            write!(f, "\n  hint: {h}")?;
        }
        Ok(())
    }
}

impl std::error::Error for ConfigError {}

/// 1-based line and column of a byte offset in `text`.
pub fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let before = &text[..offset.min(text.len())];
    let line = before.matches('\n').count() + 1;
    let col = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    (line, col)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn location_and_hint_are_shown() {
        let e = ConfigError::new(Some(Path::new("d.toml")), "unknown field `nme`")
            .at(3, 1)
            .hint("write `name`");
        assert_eq!(
            e.to_string(),
            "d.toml:3:1: unknown field `nme`\n  hint: write `name`"
        );
        assert_eq!(line_col("ab\ncd\nef", 4), (2, 2));
    }
}
