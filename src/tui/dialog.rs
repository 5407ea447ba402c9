//! The operation dialog (checklist, data-loss window, mappings, options) and the confirmation that
//! follows it, as data with pure key handling. A confirmation carries the typed request; it knows
//! nothing of what the request does.

use super::backend::{Mappings, OperationRequest};
use crate::domain::preconditions::{Check, CheckState};
use crate::domain::{GroupView, OperationType, PointChoice, RecoveryPoints};
use crossterm::event::{Event, KeyCode, KeyEvent};
use tui_input::Input;
use tui_input::backend::crossterm::EventHandler;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Field {
    Mode,
    Force,
    StopServers,
    Network,
    Flavor,
    /// A move's floating IPs the target cannot hold as they are: `ADDR=NEW` or `ADDR=auto`.
    FloatingIps,
    /// A drill may land on a production network (asked for explicitly).
    AllowProductionNetwork,
    /// The arrived snapshot an unplanned failover or a drill recovers from.
    RecoveryPoint,
    /// A drill keeps production running, or quiesces it.
    RetainPrimary,
    /// A failback makes the original primary replicate again afterwards.
    ReverseReplication,
}

impl Field {
    /// A field typed into (a mapping), not toggled.
    pub fn is_text(self) -> bool {
        matches!(self, Field::Network | Field::Flavor | Field::FloatingIps)
    }
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
    pub retain_primary: bool,
    pub reverse_replication: bool,
    pub network: Input,
    pub flavor: Input,
    pub floating: Input,
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
    /// The arrived recovery points, newest first, as the last checklist saw them.
    pub points: Option<RecoveryPoints>,
    /// The recovery point chosen here (`None`: the newest when the operation starts).
    pub point: Option<String>,
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
            retain_primary: true,
            reverse_replication: true,
            network: Input::default(),
            flavor: Input::default(),
            floating: Input::default(),
            field: 0,
            checks: Checks::Pending,
            checked: None,
            source: group.current_primary.clone(),
            target: group.current_secondary().to_string(),
            rpo_seconds: group.rpo_seconds,
            mappings_edited: false,
            error: None,
            mode_blocked: None,
            points: None,
            point: None,
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
        if self.takes_point() {
            f.push(Field::RecoveryPoint);
        }
        match self.operation {
            OperationType::TestFailover => f.push(Field::RetainPrimary),
            OperationType::Failback => f.push(Field::ReverseReplication),
            _ => {}
        }
        if self.creates_instances() {
            f.push(Field::Network);
            f.push(Field::Flavor);
        }
        // Floating IPs move with a failover or failback, never with a drill.
        if self.creates_instances() && self.operation != OperationType::TestFailover {
            f.push(Field::FloatingIps);
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

    fn floating_focused(&self) -> bool {
        self.focused() == Some(Field::FloatingIps)
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
        if self.operation == OperationType::PlannedFailover {
            req.stop_servers = self.stop_servers;
        }
        match self.operation {
            OperationType::TestFailover => req.retain_primary = self.retain_primary,
            OperationType::Failback => req.reverse_replication = self.reverse_replication,
            _ => {}
        }
        req.allow_production_network =
            self.operation == OperationType::TestFailover && self.allow_production_network;
        if self.takes_point() {
            req.recovery_point = self.point.clone().map(PointChoice::Named);
        }
        if self.creates_instances() {
            req.network_mapping =
                parse_mapping(self.network.value()).map_err(|e| e.of("network"))?;
            req.flavor_mapping = parse_mapping(self.flavor.value()).map_err(|e| e.of("flavor"))?;
        }
        if self.fields().contains(&Field::FloatingIps) {
            req.floating_ip_mapping =
                parse_mapping(self.floating.value()).map_err(|e| e.of("floating IP"))?;
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
                self.point = None;
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
            Some(Field::RecoveryPoint) => self.cycle_point(true),
            Some(Field::RetainPrimary) => {
                self.retain_primary = !self.retain_primary;
                DialogOutcome::Recheck
            }
            Some(Field::ReverseReplication) => {
                self.reverse_replication = !self.reverse_replication;
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
        let leaving_text = self.focused().is_some_and(Field::is_text);
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
        let text = self.focused().is_some_and(Field::is_text);
        match ev.code {
            KeyCode::Esc => DialogOutcome::Close,
            KeyCode::Tab | KeyCode::Down => self.move_field(true),
            KeyCode::BackTab | KeyCode::Up => self.move_field(false),
            KeyCode::Enter => self.enter(),
            KeyCode::Char(' ') if !text => self.toggle(),
            KeyCode::Left | KeyCode::Right if self.focused() == Some(Field::Mode) => self.toggle(),
            KeyCode::Left | KeyCode::Right if self.focused() == Some(Field::RecoveryPoint) => {
                self.cycle_point(ev.code == KeyCode::Right)
            }
            _ if text => {
                let input = match self.focused() {
                    Some(Field::Network) => &mut self.network,
                    Some(Field::Flavor) => &mut self.flavor,
                    _ => &mut self.floating,
                };
                if input.handle_event(&Event::Key(*ev)).is_some() && !self.floating_focused() {
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

pub use super::confirmation::{ConfirmOutcome, ConfirmState};
pub use super::mapping_text::{BadMapping, Mapping, MappingError, format_mapping, parse_mapping};
