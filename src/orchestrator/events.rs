//! The in-process event bus: every step start, progress, success, failure and compensation, phase
//! and status change, and log line of an operation, for the CLI and the TUI to render. Subscribers
//! that fall behind are told how many events they missed and re-read the journal.

use crate::domain::{OperationStatus, Phase};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use tokio::sync::broadcast;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OperationEvent {
    pub operation_id: String,
    pub at: DateTime<Utc>,
    pub kind: EventKind,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "event", rename_all = "snake_case")]
pub enum EventKind {
    StepStarted {
        step: String,
        label: String,
        attempt: u32,
    },
    StepProgress {
        step: String,
        done: u32,
        total: u32,
    },
    StepSucceeded {
        step: String,
        duration_ms: u64,
    },
    StepFailed {
        step: String,
        error: String,
        will_retry: bool,
    },
    StepCompensated {
        step: String,
    },
    Phase {
        phase: Phase,
    },
    Progress {
        percent: u8,
    },
    Status {
        status: OperationStatus,
    },
    Log {
        line: String,
    },
    /// Someone (maybe another process) asked the operation to stop and roll back.
    CancelRequested {
        by: String,
    },
}

const BUS_CAPACITY: usize = 4096;

#[derive(Debug, Clone)]
pub struct EventBus {
    tx: broadcast::Sender<OperationEvent>,
}

impl Default for EventBus {
    fn default() -> Self {
        Self::new()
    }
}

impl EventBus {
    pub fn new() -> Self {
        let (tx, _) = broadcast::channel(BUS_CAPACITY);
        Self { tx }
    }

    pub fn subscribe(&self) -> broadcast::Receiver<OperationEvent> {
        self.tx.subscribe()
    }

    /// Publish; having no subscriber is fine.
    pub fn publish(&self, operation_id: &str, kind: EventKind) {
        let _ = self.tx.send(OperationEvent {
            operation_id: operation_id.to_string(),
            at: Utc::now(),
            kind,
        });
    }
}
