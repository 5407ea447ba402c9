//! Moving a journal between engines (`drconsole journal copy`): every row of every table, read in
//! journal order from one backend and written to the other in one transaction, with the sequence
//! numbers kept, then the row counts of both compared.

use super::backend::JournalBackend;
pub use super::dump_types::{DumpedOperation, JournalDump, TableCounts};
use super::error::StoreError;
use chrono::Utc;

/// Copy every row of `from` into `to`. Refuses while an operation holds a live lock in `from`
/// (its journal would move under it), and refuses a `to` that has rows unless `replace`. Returns
/// the counts copied, verified equal in both journals.
pub fn copy(
    from: &dyn JournalBackend,
    to: &dyn JournalBackend,
    replace: bool,
) -> Result<TableCounts, StoreError> {
    let now = Utc::now();
    let live: Vec<String> = from
        .all_locks()?
        .into_iter()
        .filter(|l| !l.is_expired(now))
        .map(|l| {
            format!(
                "{} ({} by {})",
                l.group, l.holder.operation_id, l.holder.console_id
            )
        })
        .collect();
    if !live.is_empty() {
        return Err(StoreError::Refused(format!(
            "{} is in use: operations hold live locks on {}; let them finish (or stop those \
             consoles and wait for their leases to expire), then copy again",
            from.describe(),
            live.join(", ")
        )));
    }
    let target = to.counts()?;
    if target.total() > 0 && !replace {
        return Err(StoreError::Refused(format!(
            "{} is not empty ({target}); copy into an empty journal, or add --replace to \
             replace what it holds",
            to.describe()
        )));
    }
    let dump = from.export()?;
    let expected = dump.counts();
    to.import(&dump, replace)?;
    let found = to.counts()?;
    if found != expected {
        return Err(StoreError::Refused(format!(
            "the copy in {} does not match its source: expected {expected}, found {found}; \
             do not use it, and copy again with --replace",
            to.describe()
        )));
    }
    Ok(found)
}
