//! The async face of `JournalBackend`: same names, same meaning (see the trait's docs). Each call
//! runs the backend on a blocking thread.

use super::{AuditEntry, OperationQuery, RpoSample, StepRecord, StoredOperation};
use super::{JournalChanges, Lock, LockHolder, LockOutcome, Store, StoreError};
use crate::domain::{GroupState, OperationRecord};
use crate::domain::{JournalEntry, OperationEvent};
use chrono::{DateTime, Utc};
use serde_json::Value;
use std::time::Duration;

/// The async face of `JournalBackend`: same names, same meaning (see the trait's docs).
impl Store {
    pub async fn insert_operation(
        &self,
        op: &OperationRecord,
        plan: &Value,
        options: &Value,
    ) -> Result<(), StoreError> {
        let (op, plan, options) = (op.clone(), plan.clone(), options.clone());
        self.run(move |b| b.insert_operation(&op, &plan, &options))
            .await
    }

    pub async fn update_operation(&self, op: &OperationRecord) -> Result<(), StoreError> {
        let op = op.clone();
        self.run(move |b| b.update_operation(&op)).await
    }

    pub async fn get_operation(&self, id: &str) -> Result<Option<StoredOperation>, StoreError> {
        let id = id.to_string();
        self.run(move |b| b.get_operation(&id)).await
    }

    pub async fn find_operation(
        &self,
        prefix: &str,
    ) -> Result<Option<StoredOperation>, StoreError> {
        let prefix = prefix.to_string();
        self.run(move |b| b.find_operation(&prefix)).await
    }

    pub async fn list_operations(
        &self,
        limit: usize,
        group: Option<&str>,
    ) -> Result<Vec<OperationRecord>, StoreError> {
        let group = group.map(str::to_string);
        self.run(move |b| b.list_operations(limit, group.as_deref()))
            .await
    }

    /// The operations `query` asks for, newest first.
    pub async fn query_operations(
        &self,
        query: &OperationQuery,
    ) -> Result<Vec<OperationRecord>, StoreError> {
        let query = query.clone();
        self.run(move |b| b.query_operations(&query)).await
    }

    pub async fn unfinished_operations(&self) -> Result<Vec<StoredOperation>, StoreError> {
        self.run(|b| b.unfinished_operations()).await
    }

    pub async fn record_step(&self, op_id: &str, entry: &JournalEntry) -> Result<(), StoreError> {
        let (op_id, entry) = (op_id.to_string(), entry.clone());
        self.run(move |b| b.record_step(&op_id, &entry)).await
    }

    pub async fn steps(&self, op_id: &str) -> Result<Vec<StepRecord>, StoreError> {
        let op_id = op_id.to_string();
        self.run(move |b| b.steps(&op_id)).await
    }

    pub async fn cancel_request(
        &self,
        op_id: &str,
        after_seq: i64,
    ) -> Result<Option<(i64, String)>, StoreError> {
        let op_id = op_id.to_string();
        self.run(move |b| b.cancel_request(&op_id, after_seq)).await
    }

    pub async fn log_tail(
        &self,
        op_id: &str,
        limit: usize,
    ) -> Result<Vec<OperationEvent>, StoreError> {
        let op_id = op_id.to_string();
        self.run(move |b| b.log_tail(&op_id, limit)).await
    }

    pub async fn append_events(&self, evs: Vec<OperationEvent>) -> Result<(), StoreError> {
        self.run(move |b| b.append_events(&evs)).await
    }

    pub async fn append_event(&self, ev: &OperationEvent) -> Result<i64, StoreError> {
        let ev = ev.clone();
        self.run(move |b| b.append_event(&ev)).await
    }

    pub async fn events(
        &self,
        op_id: &str,
        after_seq: i64,
    ) -> Result<Vec<(i64, OperationEvent)>, StoreError> {
        let op_id = op_id.to_string();
        self.run(move |b| b.events(&op_id, after_seq)).await
    }

    pub async fn append_audit(&self, entry: &AuditEntry) -> Result<(), StoreError> {
        let entry = entry.clone();
        self.run(move |b| b.append_audit(&entry)).await
    }

    pub async fn audit(&self, limit: usize) -> Result<Vec<AuditEntry>, StoreError> {
        self.run(move |b| b.audit(limit)).await
    }

    pub async fn group_state(&self, name: &str) -> Result<Option<GroupState>, StoreError> {
        let name = name.to_string();
        self.run(move |b| b.group_state(&name)).await
    }

    pub async fn all_group_states(&self) -> Result<Vec<GroupState>, StoreError> {
        self.run(|b| b.all_group_states()).await
    }

    pub async fn put_group_state(
        &self,
        state: &GroupState,
        expected_version: Option<u64>,
    ) -> Result<(), StoreError> {
        let state = state.clone();
        self.run(move |b| b.put_group_state(&state, expected_version))
            .await
    }

    pub async fn acquire_lock(
        &self,
        group: &str,
        holder: &LockHolder,
        lease: Duration,
    ) -> Result<LockOutcome, StoreError> {
        let (group, holder) = (group.to_string(), holder.clone());
        self.run(move |b| b.acquire_lock(&group, &holder, lease))
            .await
    }

    pub async fn take_over_lock(
        &self,
        group: &str,
        holder: &LockHolder,
        lease: Duration,
        dead_console: &str,
    ) -> Result<LockOutcome, StoreError> {
        let (group, holder, dead) = (group.to_string(), holder.clone(), dead_console.to_string());
        self.run(move |b| b.take_over_lock(&group, &holder, lease, &dead))
            .await
    }

    pub async fn renew_lock(
        &self,
        group: &str,
        operation_id: &str,
        console_id: &str,
        lease: Duration,
    ) -> Result<bool, StoreError> {
        let (group, op, console) = (
            group.to_string(),
            operation_id.to_string(),
            console_id.to_string(),
        );
        self.run(move |b| b.renew_lock(&group, &op, &console, lease))
            .await
    }

    pub async fn release_lock(
        &self,
        group: &str,
        operation_id: &str,
        console_id: &str,
    ) -> Result<bool, StoreError> {
        let (group, op, console) = (
            group.to_string(),
            operation_id.to_string(),
            console_id.to_string(),
        );
        self.run(move |b| b.release_lock(&group, &op, &console))
            .await
    }

    pub async fn get_lock(&self, group: &str) -> Result<Option<Lock>, StoreError> {
        let group = group.to_string();
        self.run(move |b| b.get_lock(&group)).await
    }

    pub async fn all_locks(&self) -> Result<Vec<Lock>, StoreError> {
        self.run(|b| b.all_locks()).await
    }

    pub async fn record_rpo(
        &self,
        sample: &RpoSample,
        min_spacing: Duration,
    ) -> Result<bool, StoreError> {
        let sample = sample.clone();
        self.run(move |b| b.record_rpo(&sample, min_spacing)).await
    }

    pub async fn rpo_history(
        &self,
        group: &str,
        since: DateTime<Utc>,
        limit: usize,
    ) -> Result<Vec<RpoSample>, StoreError> {
        let group = group.to_string();
        self.run(move |b| b.rpo_history(&group, since, limit)).await
    }

    pub async fn prune_rpo(&self, before: DateTime<Utc>) -> Result<u64, StoreError> {
        self.run(move |b| b.prune_rpo(before)).await
    }

    /// Subscribe to "the journal changed" (any process on this journal): wait on
    /// `JournalChanges::changed`, then re-read what you show.
    pub async fn changes(&self) -> Result<JournalChanges, StoreError> {
        self.run(|b| b.changes()).await
    }
}
