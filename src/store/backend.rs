//! The one trait every journal engine implements (SQLite, embedded; PostgreSQL, shared by a team).
//! Synchronous: the `Store` facade runs it on blocking threads so async code never waits on disk
//! or the network.

use super::changes::JournalChanges;
use super::dump_types::{JournalDump, TableCounts};
use super::error::StoreError;
use super::records::{AuditEntry, Lock, LockHolder, LockOutcome, StepRecord, StoredOperation};
use super::records::{OperationQuery, RpoSample, SchemaStatus};
use crate::domain::{GroupState, OperationRecord};
use crate::domain::{JournalEntry, OperationEvent};
use chrono::{DateTime, Utc};
use serde_json::Value;
use std::time::Duration;

pub trait JournalBackend: Send + Sync {
    /// Which journal this is, for messages: the SQLite file, or the PostgreSQL URL without its
    /// password.
    fn describe(&self) -> String;

    // Operations.

    /// Journal a new operation with the plan and options it runs with. Its id must be new.
    fn insert_operation(
        &self,
        op: &OperationRecord,
        plan: &Value,
        options: &Value,
    ) -> Result<(), StoreError>;
    /// Overwrite the record of a journaled operation (plan and options stay); `NotFound` if absent.
    fn update_operation(&self, op: &OperationRecord) -> Result<(), StoreError>;
    fn get_operation(&self, id: &str) -> Result<Option<StoredOperation>, StoreError>;
    /// The operation whose id is `prefix` or starts with it; `Ambiguous` if several do.
    fn find_operation(&self, prefix: &str) -> Result<Option<StoredOperation>, StoreError>;
    /// Newest first (by the order they were journaled), optionally of one group.
    fn list_operations(
        &self,
        limit: usize,
        group: Option<&str>,
    ) -> Result<Vec<OperationRecord>, StoreError>;
    /// The operations `query` asks for, newest first.
    fn query_operations(&self, query: &OperationQuery) -> Result<Vec<OperationRecord>, StoreError>;
    /// Operations pending, running or rolling back, oldest first (the order to resume them).
    fn unfinished_operations(&self) -> Result<Vec<StoredOperation>, StoreError>;

    // Steps.

    /// Journal one executor entry. Step entries upsert the step's row (and add the step to the
    /// operation's `steps_completed` / `steps_failed`); `Progress` and `Status` update the
    /// operation row (`Running` sets `started_at` if unset, a finished status sets `completed_at`).
    /// Durable when it returns.
    fn record_step(&self, op_id: &str, entry: &JournalEntry) -> Result<(), StoreError>;
    /// Several entries (of one or more operations, in order) as one durable write: a group
    /// commit. Either all are journaled or none.
    fn record_steps(&self, entries: &[(String, JournalEntry)]) -> Result<(), StoreError> {
        for (op, e) in entries {
            self.record_step(op, e)?;
        }
        Ok(())
    }
    /// The steps of an operation in the order they first started.
    fn steps(&self, op_id: &str) -> Result<Vec<StepRecord>, StoreError>;

    // Events.

    /// Append an event; returns its sequence number (increasing across the whole journal).
    fn append_event(&self, ev: &OperationEvent) -> Result<i64, StoreError>;
    /// Several events in one write (a burst from a large operation).
    fn append_events(&self, evs: &[OperationEvent]) -> Result<(), StoreError> {
        for ev in evs {
            self.append_event(ev)?;
        }
        Ok(())
    }
    /// A cancel asked for the operation (by any process) since `after_seq`: its sequence number
    /// and who asked. Read every second by the engine running it, so it reads nothing else.
    fn cancel_request(
        &self,
        op_id: &str,
        after_seq: i64,
    ) -> Result<Option<(i64, String)>, StoreError> {
        Ok(self
            .events(op_id, after_seq)?
            .into_iter()
            .find_map(|(seq, e)| match e.kind {
                crate::domain::EventKind::CancelRequested { by } => Some((seq, by)),
                _ => None,
            }))
    }
    /// The newest `limit` log lines of an operation, oldest first (the operation view's tail).
    fn log_tail(&self, op_id: &str, limit: usize) -> Result<Vec<OperationEvent>, StoreError> {
        let all = self.events(op_id, 0)?;
        let logs: Vec<OperationEvent> = all
            .into_iter()
            .map(|(_, e)| e)
            .filter(|e| matches!(e.kind, crate::domain::EventKind::Log { .. }))
            .collect();
        Ok(logs[logs.len().saturating_sub(limit)..].to_vec())
    }
    /// The events of an operation with a sequence number greater than `after_seq` (0: all).
    fn events(&self, op_id: &str, after_seq: i64)
    -> Result<Vec<(i64, OperationEvent)>, StoreError>;

    // Audit (append-only: there is no way to change or remove an entry).

    fn append_audit(&self, entry: &AuditEntry) -> Result<(), StoreError>;
    /// The newest `limit` entries, newest first.
    fn audit(&self, limit: usize) -> Result<Vec<AuditEntry>, StoreError>;

    // Group state.

    fn group_state(&self, name: &str) -> Result<Option<GroupState>, StoreError>;
    /// All groups, by name.
    fn all_group_states(&self) -> Result<Vec<GroupState>, StoreError>;
    /// Compare-and-set on `metadata_version`, atomic across processes:
    /// - `expected_version = None`: insert `state` as is (its `metadata_version` included) if the
    ///   group has no stored state; if it has one, `Conflict` with the stored state.
    /// - `expected_version = Some(v)`: if the stored version is `v`, store `state` with
    ///   `metadata_version = v + 1` (whatever `state.metadata_version` says); otherwise `Conflict`
    ///   with the stored state (`current: None` if there is none).
    fn put_group_state(
        &self,
        state: &GroupState,
        expected_version: Option<u64>,
    ) -> Result<(), StoreError>;

    // Locks with leases. A holder is an operation and the console (`host:pid:random`) running it;
    // leases are measured on the journal's clock (PostgreSQL: the server's), not the caller's.

    /// Take the group's lock for `lease`. Free → `Acquired`; already held by the same operation
    /// *and* the same console → `Acquired` with the lease extended (acquired_at kept); held by
    /// anyone else (another operation, or the same operation in another console) whose lease has
    /// expired → `TakenOver`; held and unexpired → `Held` with the holder.
    fn acquire_lock(
        &self,
        group: &str,
        holder: &LockHolder,
        lease: Duration,
    ) -> Result<LockOutcome, StoreError>;
    /// As `acquire_lock`, and a lock held by `dead_console` (a process on this host known to be
    /// gone) is taken over at once. Atomic: of two consoles taking over from one dead console,
    /// one gets `TakenOver` and the other `Held`.
    fn take_over_lock(
        &self,
        group: &str,
        holder: &LockHolder,
        lease: Duration,
        dead_console: &str,
    ) -> Result<LockOutcome, StoreError>;
    /// Extend our lease to now + `lease`; `false` if the lock is no longer ours (taken over or
    /// released). An expired lease that nobody took over is still ours and is renewed.
    fn renew_lock(
        &self,
        group: &str,
        operation_id: &str,
        console_id: &str,
        lease: Duration,
    ) -> Result<bool, StoreError>;
    /// Release the lock if this operation in this console holds it; `false` if it did not.
    fn release_lock(
        &self,
        group: &str,
        operation_id: &str,
        console_id: &str,
    ) -> Result<bool, StoreError>;
    /// The group's lock, expired or not.
    fn get_lock(&self, group: &str) -> Result<Option<Lock>, StoreError>;
    /// Every lock, by group.
    fn all_locks(&self) -> Result<Vec<Lock>, StoreError>;

    // RPO history: (group, at, rpo_seconds) samples for the console's sparkline.

    /// Keep `sample` unless the group already has one less than `min_spacing` before it (several
    /// consoles sampling one group keep one series, not one each). `true` if it was kept.
    fn record_rpo(&self, sample: &RpoSample, min_spacing: Duration) -> Result<bool, StoreError>;
    /// The group's samples at or after `since`, oldest first, the newest `limit` at the most.
    fn rpo_history(
        &self,
        group: &str,
        since: DateTime<Utc>,
        limit: usize,
    ) -> Result<Vec<RpoSample>, StoreError>;
    /// Forget samples older than `before`; how many went.
    fn prune_rpo(&self, before: DateTime<Utc>) -> Result<u64, StoreError>;

    // Changes, schema, moving a journal.

    /// Subscribe to "the journal changed" (any table, any process on this journal).
    fn changes(&self) -> Result<JournalChanges, StoreError>;
    /// The schema version found, and the migrations opening it would apply.
    fn schema_status(&self) -> Result<SchemaStatus, StoreError>;
    /// The rows in each table.
    fn counts(&self) -> Result<TableCounts, StoreError>;
    /// Everything in the journal, in journal order.
    fn export(&self) -> Result<JournalDump, StoreError>;
    /// Write `dump` in one transaction (all of it or nothing), keeping sequence numbers. With
    /// `replace`, the journal's rows go first; without, a journal that has any row is refused.
    fn import(&self, dump: &JournalDump, replace: bool) -> Result<(), StoreError>;
}
