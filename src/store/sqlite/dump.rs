//! Reading a whole SQLite journal out and writing one in (`journal copy`), sequence numbers kept.

use super::super::dump::{DumpedOperation, JournalDump, TableCounts};
use super::super::error::StoreError;
use super::SqliteBackend;
use super::codec::{get_json, get_ts, i64_of, json, opt_ts, ts};
use super::{audit, groups, locks, operations, rpo, steps};
use rusqlite::{Connection, Row, Transaction, params, params_from_iter};

const TABLES: [&str; 7] = [
    "operations",
    "steps",
    "events",
    "audit",
    "group_states",
    "locks",
    "rpo_samples",
];

/// Emptying the audit trail is refused by its triggers: a replacing copy drops the delete guard
/// for its own transaction only (the text is V1's, which never changes).
const AUDIT_DELETE_GUARD: &str = "
CREATE TRIGGER audit_is_append_only_delete BEFORE DELETE ON audit
BEGIN
    SELECT RAISE(ABORT, 'the audit trail is append-only');
END;";

pub fn counts(db: &SqliteBackend) -> Result<TableCounts, StoreError> {
    db.read(|c| counts_of(c).map_err(|e| db.err(e)))
}

fn counts_of(c: &Connection) -> rusqlite::Result<TableCounts> {
    let n = |t: &str| -> rusqlite::Result<u64> {
        c.query_row(&format!("SELECT COUNT(*) FROM {t}"), [], |r| {
            r.get::<_, i64>(0)
        })
        .map(|n| n as u64)
    };
    Ok(TableCounts {
        operations: n(TABLES[0])?,
        steps: n(TABLES[1])?,
        events: n(TABLES[2])?,
        audit: n(TABLES[3])?,
        group_states: n(TABLES[4])?,
        locks: n(TABLES[5])?,
        rpo_samples: n(TABLES[6])?,
    })
}

fn all<T>(
    c: &Connection,
    sql: &str,
    f: impl FnMut(&Row<'_>) -> rusqlite::Result<T>,
) -> rusqlite::Result<Vec<T>> {
    c.prepare(sql)?.query_map([], f)?.collect()
}

pub fn export(db: &SqliteBackend) -> Result<JournalDump, StoreError> {
    db.read(|c| export_of(c).map_err(|e| db.err(e)))
}

fn export_of(c: &Connection) -> rusqlite::Result<JournalDump> {
    {
        Ok(JournalDump {
            operations: all(
                c,
                "SELECT *, NULL AS owner FROM operations ORDER BY seq",
                |r| {
                    Ok(DumpedOperation {
                        seq: r.get("seq")?,
                        stored: operations::stored_of(r)?,
                        created_at: get_ts(r, "created_at")?,
                        updated_at: get_ts(r, "updated_at")?,
                    })
                },
            )?,
            steps: all(c, "SELECT * FROM steps ORDER BY seq", |r| {
                Ok((r.get("seq")?, steps::step_of(r)?))
            })?,
            events: all(c, "SELECT seq, body FROM events ORDER BY seq", |r| {
                Ok((r.get("seq")?, get_json(r, "body")?))
            })?,
            audit: all(c, "SELECT * FROM audit ORDER BY seq", |r| {
                Ok((r.get("seq")?, audit::entry_of(r)?))
            })?,
            group_states: all(c, "SELECT * FROM group_states ORDER BY name", |r| {
                Ok((groups::state_of(r)?, get_ts(r, "updated_at")?))
            })?,
            locks: all(c, "SELECT * FROM locks ORDER BY group_name", locks::lock_of)?,
            rpo: all(
                c,
                "SELECT * FROM rpo_samples ORDER BY group_name, at_us",
                rpo::sample_of,
            )?,
        })
    }
}

pub fn import(db: &SqliteBackend, dump: &JournalDump, replace: bool) -> Result<(), StoreError> {
    db.write(|tx| {
        let present = counts_in(tx).map_err(|e| db.err(e))?;
        if present > 0 && !replace {
            return Err(StoreError::Refused(format!(
                "{} is not empty; add --replace to replace what it holds",
                db.path.display()
            )));
        }
        if present > 0 {
            empty(tx).map_err(|e| db.err(e))?;
        }
        write_all(tx, dump).map_err(|e| db.err(e))
    })
}

fn counts_in(tx: &Transaction<'_>) -> rusqlite::Result<i64> {
    TABLES.iter().try_fold(0, |sum, t| {
        tx.query_row(&format!("SELECT COUNT(*) FROM {t}"), [], |r| {
            r.get::<_, i64>(0)
        })
        .map(|n| sum + n)
    })
}

fn empty(tx: &Transaction<'_>) -> rusqlite::Result<()> {
    tx.execute_batch("DROP TRIGGER audit_is_append_only_delete")?;
    for t in TABLES.iter().rev() {
        tx.execute(&format!("DELETE FROM {t}"), [])?;
    }
    tx.execute_batch(AUDIT_DELETE_GUARD)
}

fn write_all(tx: &Transaction<'_>, d: &JournalDump) -> rusqlite::Result<()> {
    let mut s = tx.prepare(
        "INSERT INTO operations (
             id, operation_type, protection_group, status, progress, source_site_id,
             target_site_id, started_at, completed_at, error_message, steps_completed,
             steps_failed, result_data, actor, plan, options, created_at, updated_at, seq)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18,
                 ?19)",
    )?;
    for o in &d.operations {
        let mut v = operations::record_columns(&o.stored.record)?;
        v.extend([
            json(&o.stored.plan)?.into(),
            json(&o.stored.options)?.into(),
            ts(&o.created_at).into(),
            ts(&o.updated_at).into(),
            o.seq.into(),
        ]);
        s.execute(params_from_iter(v))?;
    }
    let mut s = tx.prepare(
        "INSERT INTO steps (seq, operation_id, step_id, status, attempt, output, error,
                            started_at, finished_at, duration_ms, compensated_at, mark,
                            mark_error)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)",
    )?;
    for (seq, st) in &d.steps {
        let output = st.output.as_ref().map(json).transpose()?;
        s.execute(params![
            seq,
            st.operation_id,
            st.step_id,
            st.status.as_str(),
            st.attempt,
            output,
            st.error,
            ts(&st.started_at),
            opt_ts(&st.finished_at),
            st.duration_ms.map(i64_of),
            opt_ts(&st.compensated_at),
            st.mark.map(|m| m.as_str()),
            st.mark_error,
        ])?;
    }
    write_rest(tx, d)
}

fn write_rest(tx: &Transaction<'_>, d: &JournalDump) -> rusqlite::Result<()> {
    let mut s = tx.prepare(
        "INSERT INTO events (seq, operation_id, at, kind, body) VALUES (?1, ?2, ?3, ?4, ?5)",
    )?;
    for (seq, ev) in &d.events {
        let body = serde_json::to_value(ev)
            .map_err(|e| rusqlite::Error::ToSqlConversionFailure(Box::new(e)))?;
        let kind = super::super::records::event_kind(&body);
        s.execute(params![
            seq,
            ev.operation_id,
            ts(&ev.at),
            kind,
            json(&body)?
        ])?;
    }
    let mut s = tx.prepare(
        "INSERT INTO audit (seq, at, actor, action, group_name, operation_id, detail)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
    )?;
    for (seq, a) in &d.audit {
        s.execute(params![
            seq,
            ts(&a.at),
            json(&a.actor)?,
            a.action,
            a.group,
            a.operation_id,
            a.detail
        ])?;
    }
    write_group_states(tx, d)?;
    for l in &d.locks {
        locks::store(tx, l)?;
    }
    let mut s =
        tx.prepare("INSERT INTO rpo_samples (group_name, at_us, rpo_seconds) VALUES (?1, ?2, ?3)")?;
    for r in &d.rpo {
        s.execute(params![r.group, r.at.timestamp_micros(), r.rpo_seconds])?;
    }
    Ok(())
}

/// Every group's state with the time it was last written.
fn write_group_states(tx: &Transaction<'_>, d: &JournalDump) -> rusqlite::Result<()> {
    let mut s = tx.prepare(
        "INSERT INTO group_states (name, status, current_primary, failover_count,
                                   metadata_version, needs_resync, last_operation, updated_at,
                                   fence_pending, attention)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
    )?;
    for (g, at) in &d.group_states {
        let fence = g.fence_pending.as_ref().map(json).transpose()?;
        s.execute(params![
            g.name,
            g.status.as_str(),
            g.current_primary,
            g.failover_count,
            i64_of(g.metadata_version),
            g.needs_resync,
            g.last_operation,
            ts(at),
            fence,
            g.attention.as_ref().map(json).transpose()?,
        ])?;
    }
    Ok(())
}
