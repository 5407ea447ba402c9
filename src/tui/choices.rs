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

/// The server a "boots fail" fault names: the instance selected in the Protected instances pane
/// (its copy at the other site is created with the same name).
pub fn boot_target(app: &App) -> Option<String> {
    app.selected_index(super::app::Pane::Instances)
        .and_then(|i| app.instances.get(i))
        .map(|i| i.name.clone())
}

/// A fault menu entry as the menu shows it: "boots of web-1 fail" names its server.
pub fn fault_label(app: &App, i: usize) -> String {
    match FAULTS.get(i) {
        Some((_, Some(FaultKind::BootFailure))) => match boot_target(app) {
            Some(s) => format!("boots of {s} fail"),
            None => "boots fail (select an instance first)".into(),
        },
        Some((label, _)) => label.to_string(),
        None => String::new(),
    }
}

/// The action of a fault menu entry at `site`; `None` when a boot failure has no server to name.
pub fn fault_action(app: &App, site: String, kind: Option<FaultKind>) -> Option<Action> {
    let Some(kind) = kind else {
        return Some(Action::ClearFaults(site));
    };
    let mut fault = Fault::new(kind);
    match kind {
        FaultKind::ErrorRate => {
            fault.service = Some("compute".into());
            fault.rate = Some(0.5);
        }
        FaultKind::Latency => fault.latency_ms = Some(2000),
        FaultKind::BootFailure => fault.server = Some(boot_target(app)?),
        _ => {}
    }
    Some(Action::InjectFault { site, fault })
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
