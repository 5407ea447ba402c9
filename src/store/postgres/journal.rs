//! `JournalBackend` for PostgreSQL: each method is one module's function.

use super::{PgBackend, dump, events, listen, locks, operations, schema, steps};
use crate::domain::{GroupState, JournalEntry, OperationEvent, OperationRecord};
use crate::store::backend::JournalBackend;
use crate::store::changes::JournalChanges;
use crate::store::dump::{JournalDump, TableCounts};
use crate::store::error::StoreError;
use crate::store::migrations;
use crate::store::records::{AuditEntry, Lock, LockHolder, LockOutcome, StepRecord};
use crate::store::records::{OperationQuery, RpoSample, SchemaStatus, StoredOperation};
use chrono::{DateTime, Utc};
use serde_json::Value;
use std::time::Duration;

impl JournalBackend for PgBackend {
    fn describe(&self) -> String {
        format!("PostgreSQL journal {}", self.shown)
    }

    fn insert_operation(
        &self,
        op: &OperationRecord,
        plan: &Value,
        options: &Value,
    ) -> Result<(), StoreError> {
        operations::insert(self, op, plan, options)
    }

    fn update_operation(&self, op: &OperationRecord) -> Result<(), StoreError> {
        operations::update(self, op)
    }

    fn get_operation(&self, id: &str) -> Result<Option<StoredOperation>, StoreError> {
        operations::get_one(self, id)
    }

    fn find_operation(&self, prefix: &str) -> Result<Option<StoredOperation>, StoreError> {
        operations::find(self, prefix)
    }

    fn list_operations(
        &self,
        limit: usize,
        group: Option<&str>,
    ) -> Result<Vec<OperationRecord>, StoreError> {
        operations::list(self, limit, group)
    }

    fn query_operations(&self, query: &OperationQuery) -> Result<Vec<OperationRecord>, StoreError> {
        operations::query(self, query)
    }

    fn unfinished_operations(&self) -> Result<Vec<StoredOperation>, StoreError> {
        operations::unfinished(self)
    }

    fn record_step(&self, op_id: &str, entry: &JournalEntry) -> Result<(), StoreError> {
        steps::record_all(self, &[(op_id.to_string(), entry.clone())])
    }

    fn record_steps(&self, entries: &[(String, JournalEntry)]) -> Result<(), StoreError> {
        steps::record_all(self, entries)
    }

    fn steps(&self, op_id: &str) -> Result<Vec<StepRecord>, StoreError> {
        steps::list(self, op_id)
    }

    fn append_event(&self, ev: &OperationEvent) -> Result<i64, StoreError> {
        events::append(self, ev)
    }

    fn append_events(&self, evs: &[OperationEvent]) -> Result<(), StoreError> {
        events::append_all(self, evs)
    }

    fn cancel_request(
        &self,
        op_id: &str,
        after_seq: i64,
    ) -> Result<Option<(i64, String)>, StoreError> {
        events::cancel_request(self, op_id, after_seq)
    }

    fn log_tail(&self, op_id: &str, limit: usize) -> Result<Vec<OperationEvent>, StoreError> {
        events::log_tail(self, op_id, limit)
    }

    fn events(
        &self,
        op_id: &str,
        after_seq: i64,
    ) -> Result<Vec<(i64, OperationEvent)>, StoreError> {
        events::after(self, op_id, after_seq)
    }

    fn append_audit(&self, entry: &AuditEntry) -> Result<(), StoreError> {
        events::append_audit(self, entry)
    }

    fn audit(&self, limit: usize) -> Result<Vec<AuditEntry>, StoreError> {
        events::audit(self, limit)
    }

    fn group_state(&self, name: &str) -> Result<Option<GroupState>, StoreError> {
        locks::group_state(self, name)
    }

    fn all_group_states(&self) -> Result<Vec<GroupState>, StoreError> {
        locks::all_group_states(self)
    }

    fn put_group_state(
        &self,
        state: &GroupState,
        expected_version: Option<u64>,
    ) -> Result<(), StoreError> {
        locks::put_group_state(self, state, expected_version)
    }

    fn acquire_lock(
        &self,
        group: &str,
        holder: &LockHolder,
        lease: Duration,
    ) -> Result<LockOutcome, StoreError> {
        locks::acquire(self, group, holder, lease, None)
    }

    fn take_over_lock(
        &self,
        group: &str,
        holder: &LockHolder,
        lease: Duration,
        dead_console: &str,
    ) -> Result<LockOutcome, StoreError> {
        locks::acquire(self, group, holder, lease, Some(dead_console))
    }

    fn renew_lock(
        &self,
        group: &str,
        operation_id: &str,
        console_id: &str,
        lease: Duration,
    ) -> Result<bool, StoreError> {
        locks::renew(self, group, operation_id, console_id, lease)
    }

    fn release_lock(
        &self,
        group: &str,
        operation_id: &str,
        console_id: &str,
    ) -> Result<bool, StoreError> {
        locks::release(self, group, operation_id, console_id)
    }

    fn get_lock(&self, group: &str) -> Result<Option<Lock>, StoreError> {
        Ok(locks::locks(self, Some(group))?.into_iter().next())
    }

    fn all_locks(&self) -> Result<Vec<Lock>, StoreError> {
        locks::locks(self, None)
    }

    fn record_rpo(&self, sample: &RpoSample, min_spacing: Duration) -> Result<bool, StoreError> {
        locks::record_rpo(self, sample, min_spacing)
    }

    fn rpo_history(
        &self,
        group: &str,
        since: DateTime<Utc>,
        limit: usize,
    ) -> Result<Vec<RpoSample>, StoreError> {
        locks::rpo_history(self, group, since, limit)
    }

    fn prune_rpo(&self, before: DateTime<Utc>) -> Result<u64, StoreError> {
        locks::prune_rpo(self, before)
    }

    fn changes(&self) -> Result<JournalChanges, StoreError> {
        listen::subscribe(self)
    }

    fn schema_status(&self) -> Result<SchemaStatus, StoreError> {
        let version = self.with(|c| async move { schema::version(&**c).await })?;
        Ok(SchemaStatus {
            version,
            latest: migrations::LATEST,
            pending: migrations::pending(version),
        })
    }

    fn counts(&self) -> Result<TableCounts, StoreError> {
        dump::counts(self)
    }

    fn export(&self) -> Result<JournalDump, StoreError> {
        dump::export(self)
    }

    fn import(&self, dump: &JournalDump, replace: bool) -> Result<(), StoreError> {
        dump::import(self, dump, replace)
    }
}
