//! Reading a whole PostgreSQL journal out and writing one in (`journal copy`), in one transaction,
//! sequence numbers kept and the identity sequences moved past them.

use super::PgBackend;
use super::codec::{get, i64_of, json, opt_text, text};
use super::errors::PgErr;
use super::operations::{COLUMNS, record_params, refs, stored_of};
use super::{events, locks, steps};
use crate::store::dump::{DumpedOperation, JournalDump, TableCounts};
use crate::store::error::StoreError;
use deadpool_postgres::Transaction;

const TABLES: &str = "operations, steps, events, audit, group_states, locks, rpo_samples";

pub fn counts(db: &PgBackend) -> Result<TableCounts, StoreError> {
    db.with(move |c| async move {
        let row = c
            .query_one(
                "SELECT (SELECT COUNT(*) FROM operations) AS operations,
                        (SELECT COUNT(*) FROM steps) AS steps,
                        (SELECT COUNT(*) FROM events) AS events,
                        (SELECT COUNT(*) FROM audit) AS audit,
                        (SELECT COUNT(*) FROM group_states) AS group_states,
                        (SELECT COUNT(*) FROM locks WHERE operation_id <> '') AS locks,
                        (SELECT COUNT(*) FROM rpo_samples) AS rpo_samples",
                &[],
            )
            .await?;
        let n = |c: &str| get::<i64>(&row, c).map(|n| n.max(0) as u64);
        Ok(TableCounts {
            operations: n("operations")?,
            steps: n("steps")?,
            events: n("events")?,
            audit: n("audit")?,
            group_states: n("group_states")?,
            locks: n("locks")?,
            rpo_samples: n("rpo_samples")?,
        })
    })
}

pub fn export(db: &PgBackend) -> Result<JournalDump, StoreError> {
    db.with(move |mut c| async move {
        // One snapshot for every table.
        let tx = c
            .build_transaction()
            .isolation_level(tokio_postgres::IsolationLevel::RepeatableRead)
            .read_only(true)
            .start()
            .await?;
        let dump = export_in(&tx).await?;
        tx.commit().await?;
        Ok(dump)
    })
}

async fn export_in(tx: &tokio_postgres::Transaction<'_>) -> Result<JournalDump, PgErr> {
    let q = |sql: &'static str| async move { tx.query(sql, &[]).await };
    let operation = |r: &tokio_postgres::Row| {
        Ok(DumpedOperation {
            seq: get(r, "seq")?,
            stored: stored_of(r)?,
            created_at: get(r, "created_at")?,
            updated_at: get(r, "updated_at")?,
        })
    };
    let state = |r: &tokio_postgres::Row| Ok((locks::state_of(r)?, get(r, "updated_at")?));
    Ok(JournalDump {
        operations: all(
            q("SELECT *, NULL::text AS owner FROM operations ORDER BY seq").await?,
            operation,
        )?,
        steps: all(
            q("SELECT * FROM steps ORDER BY seq").await?,
            steps::step_row,
        )?,
        events: all(
            q("SELECT seq, body FROM events ORDER BY seq").await?,
            events::event_row,
        )?,
        audit: all(
            q("SELECT * FROM audit ORDER BY seq").await?,
            events::audit_row,
        )?,
        group_states: all(q("SELECT * FROM group_states ORDER BY name").await?, state)?,
        locks: all(
            q("SELECT * FROM locks WHERE operation_id <> '' ORDER BY group_name").await?,
            locks::lock_of,
        )?,
        rpo: all(
            q("SELECT * FROM rpo_samples ORDER BY group_name, at").await?,
            locks::sample_of,
        )?,
    })
}

fn all<T>(
    rows: Vec<tokio_postgres::Row>,
    f: impl Fn(&tokio_postgres::Row) -> Result<T, PgErr>,
) -> Result<Vec<T>, PgErr> {
    rows.iter().map(f).collect()
}

pub fn import(db: &PgBackend, dump: &JournalDump, replace: bool) -> Result<(), StoreError> {
    let dump = dump.clone();
    let shown = db.shown().to_string();
    db.with(move |mut c| async move {
        let tx = c.transaction().await?;
        // Nobody writes while the journal is replaced.
        tx.batch_execute(&format!("LOCK TABLE {TABLES} IN ACCESS EXCLUSIVE MODE"))
            .await?;
        let present: i64 = get(
            &tx.query_one(
                "SELECT (SELECT COUNT(*) FROM operations) + (SELECT COUNT(*) FROM steps)
                      + (SELECT COUNT(*) FROM events) + (SELECT COUNT(*) FROM audit)
                      + (SELECT COUNT(*) FROM group_states) + (SELECT COUNT(*) FROM locks)
                      + (SELECT COUNT(*) FROM rpo_samples) AS n",
                &[],
            )
            .await?,
            "n",
        )?;
        if present > 0 && !replace {
            return Err(PgErr::Store(StoreError::Refused(format!(
                "{shown} is not empty; add --replace to replace what it holds"
            ))));
        }
        if present > 0 {
            // TRUNCATE passes the audit trail's append-only trigger (a row trigger) on purpose.
            tx.batch_execute(&format!("TRUNCATE {TABLES}")).await?;
        }
        write_operations(&tx, &dump).await?;
        write_rest(&tx, &dump).await?;
        for t in ["operations", "steps", "events", "audit"] {
            tx.execute(
                &format!(
                    "SELECT setval(pg_get_serial_sequence('{t}', 'seq'),
                                   GREATEST((SELECT MAX(seq) FROM {t}), 1))"
                ),
                &[],
            )
            .await?;
        }
        tx.commit().await?;
        Ok(())
    })
}

async fn write_operations(tx: &Transaction<'_>, d: &JournalDump) -> Result<(), PgErr> {
    let s = tx
        .prepare(&format!(
            "INSERT INTO operations ({COLUMNS}, created_at, updated_at, seq)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17,
                     $18, $19)"
        ))
        .await?;
    for o in &d.operations {
        let mut p = record_params(&o.stored.record)?;
        p.push(Box::new(json(&o.stored.plan)?));
        p.push(Box::new(json(&o.stored.options)?));
        p.push(Box::new(o.created_at));
        p.push(Box::new(o.updated_at));
        p.push(Box::new(o.seq));
        tx.execute(&s, &refs(&p)).await?;
    }
    let s = tx
        .prepare(
            "INSERT INTO steps (seq, operation_id, step_id, status, attempt, output, error,
                                started_at, finished_at, duration_ms, compensated_at, mark,
                                mark_error)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)",
        )
        .await?;
    for (seq, st) in &d.steps {
        let output = st.output.as_ref().map(json).transpose()?;
        let attempt = i32::try_from(st.attempt).unwrap_or(i32::MAX);
        tx.execute(
            &s,
            &[
                seq,
                &text(&st.operation_id).as_ref(),
                &text(&st.step_id).as_ref(),
                &st.status.as_str(),
                &attempt,
                &output,
                &opt_text(&st.error),
                &st.started_at,
                &st.finished_at,
                &st.duration_ms.map(i64_of),
                &st.compensated_at,
                &st.mark.map(|m| m.as_str()),
                &opt_text(&st.mark_error),
            ],
        )
        .await?;
    }
    Ok(())
}

async fn write_rest(tx: &Transaction<'_>, d: &JournalDump) -> Result<(), PgErr> {
    let s = tx
        .prepare(
            "INSERT INTO events (seq, operation_id, at, kind, body) VALUES ($1, $2, $3, $4, $5)",
        )
        .await?;
    for (seq, ev) in &d.events {
        let body = json(ev)?;
        let kind = crate::store::records::event_kind(&body).to_string();
        tx.execute(
            &s,
            &[seq, &text(&ev.operation_id).as_ref(), &ev.at, &kind, &body],
        )
        .await?;
    }
    for (seq, a) in &d.audit {
        events::insert_audit(&**tx, Some(*seq), a).await?;
    }
    for (g, at) in &d.group_states {
        locks::write_state(&**tx, g, g.metadata_version, Some(*at)).await?;
    }
    for l in &d.locks {
        locks::store_lock(&**tx, l).await?;
    }
    let s = tx
        .prepare("INSERT INTO rpo_samples (group_name, at, rpo_seconds) VALUES ($1, $2, $3)")
        .await?;
    for r in &d.rpo {
        tx.execute(&s, &[&text(&r.group).as_ref(), &r.at, &r.rpo_seconds])
            .await?;
    }
    Ok(())
}
