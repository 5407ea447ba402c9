//! The floating IP fragment of every move (never of a drill, which must not take production's
//! addresses): after the last wave is ACTIVE, each floating IP found at the source goes to the
//! recovered server's port on the target's external network (mapped like any network), keeping
//! its address unless the operator mapped it (`--floating-ip-mapping ADDR=NEW|auto`). Before the
//! point of no return, so a rollback gives it back at the source.

use super::PlanInput;
use crate::domain::{OperationType, Phase};
use crate::orchestrator::plan::{Plan, StepSpec};
use crate::orchestrator::step::StepId;
use crate::orchestrator::steps::{FloatingIpMove, MoveFloatingIps};

/// What the operator writes to let Neutron pick the target's address.
pub const AUTO: &str = "auto";

/// Push the move after `after`; what finalization waits for next (`after` itself when the group
/// has no floating IP).
pub(super) fn push(plan: &mut Plan, input: &PlanInput, after: Vec<StepId>) -> Vec<StepId> {
    let moves = moves(input);
    if moves.is_empty() {
        return after;
    }
    let step = MoveFloatingIps {
        source: input.source.into(),
        target: input.target.into(),
        force: input.operation == OperationType::Failover && input.options.force,
        moves,
    };
    plan.push(StepSpec::new(StepId::move_floating_ips(), step, Phase::Finalization).after(after));
    vec![StepId::move_floating_ips()]
}

/// Every floating IP of the inventory, with its target network and address.
pub fn moves(input: &PlanInput) -> Vec<FloatingIpMove> {
    let networks = input.network_mapping();
    let addresses = &input.options.floating_ip_mapping;
    let mut out = Vec::new();
    for inst in input.inventory {
        for (port, p) in inst.ports.iter().enumerate() {
            let Some(f) = &p.floating_ip else { continue };
            let address = match addresses.get(&f.address).map(String::as_str) {
                Some(AUTO) => None,
                Some(other) => Some(other.to_string()),
                None => Some(f.address.clone()),
            };
            out.push(FloatingIpMove {
                server: inst.name.clone(),
                port,
                source: f.clone(),
                network: networks.get(&f.network).unwrap_or(&f.network).clone(),
                address,
            });
        }
    }
    out
}
