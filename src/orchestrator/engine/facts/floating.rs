//! What the target tells a move's checklist about the group's floating IPs: that each address
//! can be held on the target's external network (inside its subnets, not held by another port),
//! and that every key of the operator's floating IP mapping is one of the group's addresses.

use crate::domain::{FloatingIpPlan, Observed, OperationType};
use crate::orchestrator::plans::{FLOATING_IP_AUTO, PlanInput, floating_ip_moves};
use crate::orchestrator::site_runner::ip_in_cidr;
use crate::orchestrator::steps::FloatingIpMove;
use crate::providers::SiteClient;
use crate::providers::network::{FloatingIp, Network, Subnet};
use crate::sanitize::clean;

/// Does the operation move the group's floating IPs?
pub(super) fn moves_floating_ips(op: OperationType) -> bool {
    use OperationType as O;
    matches!(op, O::PlannedFailover | O::Failover | O::Failback)
}

/// The floating IP check's facts; `None` when the group has none and none was mapped.
pub(super) async fn plan(
    input: &PlanInput<'_>,
    dst: &SiteClient,
) -> Option<Observed<FloatingIpPlan>> {
    let moves = floating_ip_moves(input);
    let mapping = &input.options.floating_ip_mapping;
    if !moves_floating_ips(input.operation) || (moves.is_empty() && mapping.is_empty()) {
        return None;
    }
    let net = dst.network();
    let all = Default::default();
    let listed = tokio::try_join!(
        net.list_networks(),
        net.list_subnets(),
        net.list_floating_ips(&all)
    );
    let (networks, subnets, held) = match listed {
        Ok(l) => l,
        Err(e) => return Some(Observed::NotChecked(clean(&e.to_string()))),
    };
    let mut out = FloatingIpPlan::default();
    let addresses: Vec<&str> = moves.iter().map(|m| m.source.address.as_str()).collect();
    for key in mapping.keys().filter(|k| !addresses.contains(&k.as_str())) {
        out.problems.push(format!(
            "--floating-ip-mapping {key}: no floating IP of the group has this address (its \
             addresses: {})",
            if addresses.is_empty() {
                "none".to_string()
            } else {
                addresses.join(", ")
            }
        ));
    }
    let lists = TargetLists {
        networks,
        subnets,
        held,
    };
    for m in &moves {
        match lists.landing(input, m) {
            Landing::Lands(line) => out.moves.push(line),
            Landing::Blocked(why) => out.problems.push(why),
        }
    }
    Some(Observed::Seen(out))
}

/// What the target lists of networks, subnets and floating IPs.
struct TargetLists {
    networks: Vec<Network>,
    subnets: Vec<Subnet>,
    held: Vec<FloatingIp>,
}

/// Where one floating IP lands, or why it cannot.
enum Landing {
    Lands(String),
    Blocked(String),
}

impl TargetLists {
    fn landing(&self, input: &PlanInput, m: &FloatingIpMove) -> Landing {
        let target = input.target;
        let what = format!("{} ({})", m.source.address, m.server);
        let fix = format!(
            "map it with --floating-ip-mapping {}=ADDRESS or ={FLOATING_IP_AUTO}",
            m.source.address
        );
        let Some(n) = self.networks.iter().find(|n| n.name == m.network) else {
            return Landing::Blocked(format!(
                "{what}: {target} has no network {}; add --network-mapping {}=EXTERNAL",
                m.network, m.source.network
            ));
        };
        let Some(address) = &m.address else {
            return Landing::Lands(format!("{what} → a free address on {} at {target}", n.name));
        };
        let cidrs: Vec<&str> = self
            .subnets
            .iter()
            .filter(|s| s.network_id == n.id)
            .map(|s| s.cidr.as_str())
            .collect();
        if !cidrs.iter().any(|c| ip_in_cidr(address, c)) {
            return Landing::Blocked(format!(
                "{what}: {address} is outside {}'s subnets at {target} ({}); {fix}",
                n.name,
                cidrs.join(", ")
            ));
        }
        // A failback retires the stale copies that may still hold it before it moves.
        let taken = self
            .held
            .iter()
            .find(|f| &f.address == address && f.port_id.is_some())
            .filter(|_| input.operation != OperationType::Failback);
        match taken {
            Some(f) => Landing::Blocked(format!(
                "{what}: {address} is held at {target} by port {}; release it there or {fix}",
                f.port_id.as_deref().unwrap_or_default()
            )),
            None => Landing::Lands(format!("{what} → {address} on {} at {target}", n.name)),
        }
    }
}
