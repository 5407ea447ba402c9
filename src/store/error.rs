//! What can go wrong with the journal, in words that name the file and say what to do.

use crate::domain::GroupState;
use std::path::{Path, PathBuf};

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The database engine refused; `message` names the journal file and what to do. `code` is
    /// the engine's error class, when it gave one (see `is_busy`).
    #[error("{message}")]
    Sqlite {
        path: PathBuf,
        message: String,
        code: Option<rusqlite::ErrorCode>,
    },

    /// PostgreSQL refused or could not be reached; `message` says what failed, why and what to
    /// do. `journal` is the URL without its password; `code` the SQLSTATE, when there is one.
    #[error("{message}")]
    Postgres {
        journal: String,
        message: String,
        code: Option<String>,
    },

    /// A journal URL that cannot be used as written (never echoes a password).
    #[error("{0}")]
    BadUrl(String),

    #[error(
        "journal {journal} has schema version {found}, newer than this drconsole understands \
         (up to {supported}); upgrade drconsole or point it at another journal"
    )]
    SchemaTooNew {
        journal: String,
        found: u32,
        supported: u32,
    },

    /// A compare-and-set lost: `current` is the state now stored (`None`: there is none).
    #[error(
        "protection group {group} was changed by someone else (expected metadata version {}, \
         found {}); re-read it and try again",
        fmt_version(*expected),
        fmt_version(current.as_ref().map(|c| c.metadata_version))
    )]
    Conflict {
        group: String,
        expected: Option<u64>,
        current: Option<Box<GroupState>>,
    },

    #[error("{what} not found in the journal")]
    NotFound { what: String },

    #[error(
        "{prefix:?} matches several operations ({}); type more of the id",
        matches.join(", ")
    )]
    Ambiguous {
        prefix: String,
        matches: Vec<String>,
    },

    /// Refused to act, with the reason and what to do (e.g. copying into a journal in use).
    #[error("{0}")]
    Refused(String),

    /// A row that does not decode (edited by hand, or written by a buggy version).
    #[error("journal {journal}: {message}; the row is damaged, move the journal aside")]
    Corrupt { journal: String, message: String },

    #[error("cannot create the journal directory {}: {source}", path.display())]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },

    /// The blocking task that talks to the journal panicked or was cancelled.
    #[error("journal task did not finish: {0}")]
    Task(String),
}

fn fmt_version(v: Option<u64>) -> String {
    v.map_or_else(|| "none".to_string(), |v| v.to_string())
}

impl StoreError {
    /// Translate an engine error into one that says which journal and what to do about it.
    pub fn sqlite(path: &Path, err: rusqlite::Error) -> Self {
        use rusqlite::ErrorCode as C;
        if let rusqlite::Error::FromSqlConversionFailure(_, _, inner) = &err {
            return StoreError::corrupt(path.display(), inner.to_string());
        }
        let shown = path.display();
        let code = err.sqlite_error_code();
        let message = match code {
            Some(C::DatabaseBusy | C::DatabaseLocked) => {
                format!("journal {shown} is locked by another process; retry")
            }
            Some(C::ReadOnly) => {
                format!("journal {shown} is read-only; check its permissions and its directory's")
            }
            Some(C::CannotOpen) => format!(
                "cannot open journal {shown}; check that its directory exists and is writable"
            ),
            Some(C::NotADatabase | C::DatabaseCorrupt) => {
                format!("journal {shown} is not a drconsole journal or is damaged; move it aside")
            }
            Some(C::DiskFull) => format!("journal {shown}: the disk is full; free some space"),
            Some(C::SystemIoFailure) => {
                format!("journal {shown}: input/output error ({err}); check the disk")
            }
            _ => format!("journal {shown}: {err}"),
        };
        StoreError::Sqlite {
            path: path.to_path_buf(),
            message,
            code,
        }
    }

    /// Another process holds the journal's write lock longer than the busy timeout: retry later.
    pub fn is_busy(&self) -> bool {
        matches!(
            self,
            StoreError::Sqlite {
                code: Some(rusqlite::ErrorCode::DatabaseBusy | rusqlite::ErrorCode::DatabaseLocked),
                ..
            }
        )
    }

    pub fn corrupt(journal: impl std::fmt::Display, message: impl Into<String>) -> Self {
        StoreError::Corrupt {
            journal: journal.to_string(),
            message: message.into(),
        }
    }
}
