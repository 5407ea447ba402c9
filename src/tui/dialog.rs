//! The operation dialog (checklist, data-loss window, mappings, options) and the confirmation that
//! follows it, as data with pure key handling. A confirmation carries the typed request; it knows
//! nothing of what the request does.

use super::backend::{Mappings, OperationRequest};
use crate::domain::preconditions::{Check, CheckState};
use crate::domain::{Confirmation, GroupView, OperationType, human_seconds};
use chrono::{DateTime, Duration, Utc};
use crossterm::event::{Event, KeyCode, KeyEvent};
use std::collections::BTreeMap;
use thiserror::Error;
use tui_input::Input;
use tui_input::backend::crossterm::EventHandler;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Field {
    Mode,
    Force,
    StopServers,
    Network,
    Flavor,
    /// A drill may land on a production network (asked for explicitly).
    AllowProductionNetwork,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Checks {
    Pending,
    Ready(Vec<Check>),
    Failed(String),
}

#[derive(Debug, Clone)]
pub struct DialogState {
    pub group: String,
    pub operation: OperationType,
    pub force: bool,
    pub stop_servers: bool,
    pub allow_production_network: bool,
    pub network: Input,
    pub flavor: Input,
    pub field: usize,
    pub checks: Checks,
    /// The request the shown checklist belongs to; answers for another are stale.
    pub checked: Option<OperationRequest>,
    pub source: String,
    pub target: String,
    pub rpo_seconds: Option<i64>,
    pub mappings_edited: bool,
    pub error: Option<String>,
    /// Why the other failover mode is not allowed for this group, if it is not.
    pub mode_blocked: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DialogOutcome {
    Nothing,
    /// Options changed: the checklist must be asked again.
    Recheck,
    Close,
    Confirm(OperationRequest),
}

/// Is this one of the two failover flavours the dialog switches between?
pub fn is_failover(op: OperationType) -> bool {
    matches!(op, OperationType::PlannedFailover | OperationType::Failover)
}

impl DialogState {
    /// `op` Failover or PlannedFailover from a key or command: planned while both sites answer.
    pub fn new(group: &GroupView, op: OperationType, both_reachable: bool) -> Self {
        let operation = if is_failover(op) && op == OperationType::Failover && both_reachable {
            OperationType::PlannedFailover
        } else {
            op
        };
        DialogState {
            group: group.name.clone(),
            operation,
            force: false,
            stop_servers: operation == OperationType::PlannedFailover,
            allow_production_network: false,
            network: Input::default(),
            flavor: Input::default(),
            field: 0,
            checks: Checks::Pending,
            checked: None,
            source: group.current_primary.clone(),
            target: group.current_secondary().to_string(),
            rpo_seconds: group.rpo_seconds,
            mappings_edited: false,
            error: None,
            mode_blocked: None,
        }
    }

    /// Remember why the other failover mode may not be chosen (from the state machine).
    pub fn with_mode_blocked(mut self, why: Option<String>) -> Self {
        self.mode_blocked = why;
        self
    }

    pub fn fields(&self) -> Vec<Field> {
        let mut f = Vec::new();
        if is_failover(self.operation) {
            f.push(Field::Mode);
        }
        match self.operation {
            OperationType::Failover => f.push(Field::Force),
            OperationType::PlannedFailover => f.push(Field::StopServers),
            _ => {}
        }
        if self.creates_instances() {
            f.push(Field::Network);
            f.push(Field::Flavor);
        }
        if self.operation == OperationType::TestFailover {
            f.push(Field::AllowProductionNetwork);
        }
        f
    }

    pub fn creates_instances(&self) -> bool {
        matches!(
            self.operation,
            OperationType::PlannedFailover
                | OperationType::Failover
                | OperationType::TestFailover
                | OperationType::Failback
        )
    }

    pub fn focused(&self) -> Option<Field> {
        self.fields().get(self.field).copied()
    }

    pub fn set_mappings(&mut self, m: &Mappings) {
        if self.mappings_edited {
            return;
        }
        // A drill lands on the group's test networks, never on production's.
        let network = if self.operation == OperationType::TestFailover {
            &m.test_network
        } else {
            &m.network
        };
        self.network = Input::new(format_mapping(network));
        self.flavor = Input::new(format_mapping(&m.flavor));
    }

    pub fn request(&self) -> Result<OperationRequest, MappingError> {
        let mut req = OperationRequest::new(self.operation, &self.group);
        req.force = self.operation == OperationType::Failover && self.force;
        req.stop_servers = self.operation == OperationType::PlannedFailover && self.stop_servers;
        req.allow_production_network =
            self.operation == OperationType::TestFailover && self.allow_production_network;
        if self.creates_instances() {
            req.network_mapping =
                parse_mapping(self.network.value()).map_err(|e| e.of("network"))?;
            req.flavor_mapping = parse_mapping(self.flavor.value()).map_err(|e| e.of("flavor"))?;
        }
        Ok(req)
    }

    pub fn blocked(&self) -> Option<String> {
        match &self.checks {
            Checks::Pending => Some("the checklist is still being evaluated".into()),
            Checks::Failed(e) => Some(format!("the checklist could not be evaluated: {e}")),
            Checks::Ready(c) => c
                .iter()
                .find(|c| c.state == CheckState::Fail)
                .map(|c| format!("blocked: {}: {}", c.label, c.reason)),
        }
    }

    /// The data-loss window line of the dialog.
    pub fn data_loss(&self, now: DateTime<Utc>) -> String {
        match self.operation {
            OperationType::Failover => match self.rpo_seconds {
                Some(s) => format!(
                    "writes after {} UTC are lost (RPO now {})",
                    (now - Duration::seconds(s)).format("%H:%M:%S"),
                    human_seconds(s)
                ),
                None => "no snapshot has fully arrived: all data at the target is missing".into(),
            },
            OperationType::PlannedFailover => {
                "none: servers stop and a final sync runs before the switch".into()
            }
            OperationType::Failback => "none: a final sync runs before switching back".into(),
            OperationType::TestFailover => match self.rpo_seconds {
                Some(s) => format!(
                    "none: production keeps running; the drill uses data {} old",
                    human_seconds(s)
                ),
                None => "none: production keeps running".into(),
            },
            _ => "none".into(),
        }
    }

    fn toggle(&mut self) -> DialogOutcome {
        match self.focused() {
            Some(Field::Mode) if self.mode_blocked.is_some() => {
                self.error = self.mode_blocked.clone();
                DialogOutcome::Nothing
            }
            Some(Field::Mode) => {
                self.operation = if self.operation == OperationType::PlannedFailover {
                    OperationType::Failover
                } else {
                    OperationType::PlannedFailover
                };
                self.stop_servers = self.operation == OperationType::PlannedFailover;
                self.force = false;
                DialogOutcome::Recheck
            }
            Some(Field::Force) => {
                self.force = !self.force;
                DialogOutcome::Recheck
            }
            Some(Field::StopServers) => {
                self.stop_servers = !self.stop_servers;
                DialogOutcome::Recheck
            }
            Some(Field::AllowProductionNetwork) => {
                self.allow_production_network = !self.allow_production_network;
                DialogOutcome::Recheck
            }
            _ => DialogOutcome::Nothing,
        }
    }

    fn move_field(&mut self, forward: bool) -> DialogOutcome {
        let n = self.fields().len();
        if n == 0 {
            return DialogOutcome::Nothing;
        }
        let leaving_text = matches!(self.focused(), Some(Field::Network | Field::Flavor));
        self.field = if forward {
            (self.field + 1) % n
        } else {
            (self.field + n - 1) % n
        };
        if leaving_text && self.request().ok() != self.checked {
            DialogOutcome::Recheck
        } else {
            DialogOutcome::Nothing
        }
    }

    pub fn key(&mut self, ev: &KeyEvent) -> DialogOutcome {
        self.error = None;
        let text = matches!(self.focused(), Some(Field::Network | Field::Flavor));
        match ev.code {
            KeyCode::Esc => DialogOutcome::Close,
            KeyCode::Tab | KeyCode::Down => self.move_field(true),
            KeyCode::BackTab | KeyCode::Up => self.move_field(false),
            KeyCode::Enter => self.enter(),
            KeyCode::Char(' ') if !text => self.toggle(),
            KeyCode::Left | KeyCode::Right if self.focused() == Some(Field::Mode) => self.toggle(),
            _ if text => {
                let input = if self.focused() == Some(Field::Network) {
                    &mut self.network
                } else {
                    &mut self.flavor
                };
                if input.handle_event(&Event::Key(*ev)).is_some() {
                    self.mappings_edited = true;
                }
                DialogOutcome::Nothing
            }
            _ => DialogOutcome::Nothing,
        }
    }

    fn enter(&mut self) -> DialogOutcome {
        let req = match self.request() {
            Ok(r) => r,
            Err(e) => {
                self.error = Some(e.to_string());
                return DialogOutcome::Nothing;
            }
        };
        if self.checked.as_ref() != Some(&req) {
            self.error = Some("options changed: wait for the checklist".into());
            return DialogOutcome::Recheck;
        }
        match self.blocked() {
            Some(why) => {
                self.error = Some(why);
                DialogOutcome::Nothing
            }
            None => DialogOutcome::Confirm(req),
        }
    }
}

pub fn format_mapping(m: &BTreeMap<String, String>) -> String {
    m.iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Source name → target name (networks or flavors).
pub type Mapping = BTreeMap<String, String>;

/// A part of a mapping text that is not `source=target`.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error("{0:?} is not source=target")]
pub struct BadMapping(pub String);

impl BadMapping {
    fn of(self, field: &'static str) -> MappingError {
        MappingError { field, bad: self }
    }
}

/// A mapping field of the dialog that cannot be read: names the field and the bad part.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error("{field} mapping: {bad}")]
pub struct MappingError {
    /// `network` or `flavor`.
    pub field: &'static str,
    pub bad: BadMapping,
}

/// `src=dst, src2=dst2` → a map; an empty text is an empty map.
pub fn parse_mapping(text: &str) -> Result<Mapping, BadMapping> {
    let mut out = BTreeMap::new();
    for part in text.split(',').map(str::trim).filter(|p| !p.is_empty()) {
        let (k, v) = part
            .split_once('=')
            .map(|(k, v)| (k.trim(), v.trim()))
            .filter(|(k, v)| !k.is_empty() && !v.is_empty())
            .ok_or_else(|| BadMapping(part.to_string()))?;
        out.insert(k.to_string(), v.to_string());
    }
    Ok(out)
}

#[derive(Debug, Clone)]
pub struct ConfirmState {
    pub request: OperationRequest,
    pub typed: Input,
    pub source: String,
    pub target: String,
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
        }
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mappings_parse_and_print() {
        let m = parse_mapping(" net-a=net-b, flat = flat-dr ,").expect("parse");
        assert_eq!(m.get("flat").map(String::as_str), Some("flat-dr"));
        assert_eq!(format_mapping(&m), "flat=flat-dr, net-a=net-b");
        let e = parse_mapping("oops").unwrap_err().of("network");
        assert_eq!(
            e.to_string(),
            "network mapping: \"oops\" is not source=target"
        );
        assert!(parse_mapping("").expect("empty").is_empty());
    }
}
