//! Reports of operations (ARCHITECTURE.md §2): what ran, who ran it from where, the direction,
//! the recovery point and data-loss window, the achieved RTO, the checklist as it stood at the
//! start, a timeline of phases and steps, the retries seen, every resource created or removed, and
//! the verdict against the group's targets — as Markdown, one self-contained HTML file (inline CSS
//! and SVG, nothing fetched) or JSON. Built from an operation's detail (domain), written to files
//! here; `summary` lists many drills for an audit.

mod facts;
mod html;
mod markdown;
mod rows;
mod summary;
mod svg;

pub use facts::{Facts, StepRow};
pub use summary::{drills_summary, parse_since};

use crate::domain::OperationDetail;
use std::path::{Path, PathBuf};
use thiserror::Error;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Markdown,
    Html,
    Json,
}

impl Format {
    pub fn extension(self) -> &'static str {
        match self {
            Format::Markdown => "md",
            Format::Html => "html",
            Format::Json => "json",
        }
    }

    pub fn parse(s: &str) -> Result<Format, ReportError> {
        match s {
            "md" | "markdown" => Ok(Format::Markdown),
            "html" => Ok(Format::Html),
            "json" => Ok(Format::Json),
            other => Err(ReportError::Format(other.to_string())),
        }
    }
}

#[derive(Debug, Error)]
pub enum ReportError {
    #[error("unknown report format {0:?}; use md, html or json")]
    Format(String),
    #[error(
        "cannot write the report to {path}: {source}; check the directory exists and is writable"
    )]
    Write {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("cannot render the report as JSON: {0}")]
    Json(#[from] serde_json::Error),
    #[error("{0:?} is not a date; write it as YYYY-MM-DD (UTC), e.g. 2026-11-01")]
    Date(String),
}

/// The report of one operation in `format`.
pub fn render(d: &OperationDetail, format: Format) -> Result<String, ReportError> {
    let facts = Facts::of(d);
    Ok(match format {
        Format::Markdown => markdown::render(&facts),
        Format::Html => html::render(&facts),
        Format::Json => serde_json::to_string_pretty(&facts)? + "\n",
    })
}

/// Write `text` to `path` whole: a temporary file beside it, renamed over it, so a reader never
/// sees half a report.
pub fn write_file(path: &Path, text: &str) -> Result<(), ReportError> {
    let err = |source| ReportError::Write {
        path: path.to_path_buf(),
        source,
    };
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).map_err(err)?;
    }
    let tmp = path.with_extension("tmp");
    std::fs::write(&tmp, text).map_err(err)?;
    std::fs::rename(&tmp, path).map_err(err)
}

/// The files the console writes at the end of an operation: Markdown (to read over SSH) and HTML
/// (to print or mail) in `dir`, named by the operation's id. The Markdown path first.
pub fn write_pair(d: &OperationDetail, dir: &Path) -> Result<[PathBuf; 2], ReportError> {
    let stem = crate::sanitize::clean(&d.record.id).replace(['/', '\\'], "_");
    let md = dir.join(format!("{stem}.md"));
    let html = dir.join(format!("{stem}.html"));
    write_file(&md, &render(d, Format::Markdown)?)?;
    write_file(&html, &render(d, Format::Html)?)?;
    Ok([md, html])
}

/// Where reports go by default: `<data dir>/reports`.
pub fn default_dir() -> PathBuf {
    crate::paths::data_dir().join("reports")
}

#[cfg(test)]
mod tests;
