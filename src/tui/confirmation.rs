//! The confirmation after an operation's dialog: typing the group's name, or y/N, as the operation
//! type states. It carries the typed request and knows nothing of what the request does.

use super::backend::OperationRequest;
use crate::domain::{Confirmation, PointView};
use crossterm::event::{Event, KeyCode, KeyEvent};
use tui_input::Input;
use tui_input::backend::crossterm::EventHandler;

#[derive(Debug, Clone)]
pub struct ConfirmState {
    pub request: OperationRequest,
    pub typed: Input,
    pub source: String,
    pub target: String,
    /// The recovery point the dialog's checklist chose, with its data loss.
    pub point: Option<PointView>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ConfirmOutcome {
    Stay,
    Cancel,
    Confirm(OperationRequest),
}

impl ConfirmState {
    pub fn new(request: OperationRequest, source: &str, target: &str) -> Self {
        ConfirmState {
            request,
            typed: Input::default(),
            source: source.to_string(),
            target: target.to_string(),
            point: None,
        }
    }

    /// Name the recovery point (and the data it loses) in the confirmation.
    pub fn with_point(mut self, point: Option<PointView>) -> Self {
        self.point = point;
        self
    }

    pub fn typed_required(&self) -> bool {
        self.request.operation.confirmation() == Confirmation::TypeGroupName
    }

    pub fn matches(&self) -> bool {
        self.typed.value() == self.request.group
    }

    pub fn key(&mut self, ev: &KeyEvent) -> ConfirmOutcome {
        if ev.code == KeyCode::Esc {
            return ConfirmOutcome::Cancel;
        }
        if self.typed_required() {
            if ev.code == KeyCode::Enter {
                return if self.matches() {
                    ConfirmOutcome::Confirm(self.request.clone())
                } else {
                    ConfirmOutcome::Stay
                };
            }
            self.typed.handle_event(&Event::Key(*ev));
            return ConfirmOutcome::Stay;
        }
        match ev.code {
            KeyCode::Char('y') | KeyCode::Char('Y') => {
                ConfirmOutcome::Confirm(self.request.clone())
            }
            KeyCode::Char('n') | KeyCode::Char('N') | KeyCode::Enter => ConfirmOutcome::Cancel,
            _ => ConfirmOutcome::Stay,
        }
    }
}
