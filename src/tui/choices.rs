//! What the More menu and the lab's Faults menu offer: pure queries the menus draw and the key
//! handlers act on, so both read one list.

use super::app::{App, group_state};
use super::backend::{Fault, FaultKind};
use super::msg::Action;
use crate::domain::{OperationType, check_transition};

/// The fault menu's entries: label and fault (`None` clears every fault of the site).
pub const FAULTS: [(&str, Option<FaultKind>); 6] = [
    ("site down", Some(FaultKind::SiteDown)),
    ("compute errors 50 %", Some(FaultKind::ErrorRate)),
    ("latency 2 s", Some(FaultKind::Latency)),
    ("replication stalled", Some(FaultKind::ReplicationStalled)),
    ("boots fail", Some(FaultKind::BootFailure)),
    ("clear all faults", None),
];

/// The action of a fault menu entry at `site`.
pub fn fault_action(site: String, kind: Option<FaultKind>) -> Action {
    let Some(kind) = kind else {
        return Action::ClearFaults(site);
    };
    let mut fault = Fault::new(kind);
    match kind {
        FaultKind::ErrorRate => {
            fault.service = Some("compute".into());
            fault.rate = Some(0.5);
        }
        FaultKind::Latency => fault.latency_ms = Some(2000),
        _ => {}
    }
    Action::InjectFault { site, fault }
}

/// The More menu: every operation, with why it is not allowed now (`None` = allowed).
pub fn menu_items(app: &App, group: &str) -> Vec<(OperationType, Option<String>)> {
    let g = app.group(group);
    OperationType::ALL
        .into_iter()
        .map(|op| {
            let why = match g {
                Some(g) => check_transition(op, &group_state(g))
                    .err()
                    .map(|r| r.to_string()),
                None => Some(format!("protection group {group} is not known")),
            };
            (op, why)
        })
        .collect()
}
