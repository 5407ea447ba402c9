//! The in-process event bus: every step start, progress, success, failure and compensation, phase
//! and status change, and log line of an operation, for the CLI and the TUI to render. Subscribers
//! that fall behind are told how many events they missed and re-read the journal.

pub use crate::domain::{EventKind, OperationEvent};
use chrono::Utc;
use tokio::sync::broadcast;

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

    /// Pass on an event as it was (its time kept); having no subscriber is fine.
    pub fn send(&self, event: OperationEvent) {
        let _ = self.tx.send(event);
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
