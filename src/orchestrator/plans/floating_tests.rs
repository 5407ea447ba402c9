//! Where a group's floating IPs move in each plan: after the last wave is ACTIVE and before the
//! point of no return (so a rollback gives them back), kept or mapped by the operator, and never
//! in a drill.

use super::tests::{build_over, deps_of, group, inventory, names};
use super::*;
use crate::domain::FloatingIpInfo;
use crate::orchestrator::steps::MoveFloatingIps;

/// db-1 has a floating IP on `public`.
fn with_floating_ip() -> Vec<InstanceInfo> {
    let mut inv = inventory();
    inv[0].ports[0].floating_ip = Some(FloatingIpInfo {
        address: "203.0.113.11".into(),
        network: "public".into(),
        id: "fip-1".into(),
        port_id: "port-1".into(),
    });
    inv
}

fn build(op: OperationType, source: &str, target: &str, options: OperationOptions) -> Plan {
    build_over(&with_floating_ip(), op, source, target, options)
}

fn the_move(plan: &Plan) -> &MoveFloatingIps {
    let (_, step) = plan
        .steps_of::<MoveFloatingIps>()
        .next()
        .expect("a floating IP step");
    step
}

#[test]
fn every_move_takes_the_floating_ips_before_its_point_of_no_return() {
    use OperationType as O;
    for (op, next) in [
        (O::PlannedFailover, "reverse_replication"),
        (O::Failover, "swap_primary"),
        (O::Failback, "reverse_replication"),
    ] {
        let (source, target) = if op == O::Failback {
            ("site-b", "site-a")
        } else {
            ("site-a", "site-b")
        };
        let plan = build(op, source, target, OperationOptions::default());
        assert_eq!(
            deps_of(&plan, "move_floating_ips"),
            ["wait_active:wave2"],
            "{op:?}"
        );
        assert_eq!(deps_of(&plan, next), ["move_floating_ips"], "{op:?}");
        let spec = plan.get("move_floating_ips").expect("step");
        assert!(!spec.no_rollback, "undone by a rollback: {op:?}");
        let m = the_move(&plan);
        assert_eq!((m.source.as_str(), m.target.as_str()), (source, target));
        assert_eq!(m.moves.len(), 1);
        assert_eq!(m.moves[0].address.as_deref(), Some("203.0.113.11"), "kept");
        assert_eq!(m.moves[0].source.id, "fip-1");
    }
    let forced = OperationOptions {
        force: true,
        ..Default::default()
    };
    assert!(the_move(&build(O::Failover, "site-a", "site-b", forced)).force);
}

#[test]
fn the_operator_maps_an_address_or_lets_neutron_pick_and_the_network_is_mapped() {
    let mut options = OperationOptions {
        floating_ip_mapping: BTreeMap::from([("203.0.113.11".into(), "198.51.100.7".into())]),
        network_mapping: BTreeMap::from([("public".into(), "ext-b".into())]),
        ..Default::default()
    };
    let plan = build(OperationType::Failover, "site-a", "site-b", options.clone());
    let m = &the_move(&plan).moves[0];
    assert_eq!(m.address.as_deref(), Some("198.51.100.7"));
    assert_eq!(m.network, "ext-b");
    assert_eq!((m.server.as_str(), m.port), ("db-1", 0));
    options.floating_ip_mapping =
        BTreeMap::from([("203.0.113.11".into(), FLOATING_IP_AUTO.into())]);
    let plan = build(OperationType::Failover, "site-a", "site-b", options);
    assert_eq!(
        the_move(&plan).moves[0].address,
        None,
        "auto: Neutron picks"
    );
}

#[test]
fn a_drill_never_takes_floating_ips_and_a_group_without_them_has_no_step() {
    let plan = build(
        OperationType::TestFailover,
        "site-a",
        "site-b",
        OperationOptions::default(),
    );
    assert!(
        !names(&plan)
            .iter()
            .any(|n| n.starts_with("move_floating_ips"))
    );
    let (g, inv) = (group(), inventory());
    let options = OperationOptions::default();
    let plan = build_plan(&PlanInput {
        operation_id: "op-1",
        operation: OperationType::Failover,
        group: &g,
        source: "site-a",
        target: "site-b",
        inventory: &inv,
        options: &options,
        final_sync_timeout: Duration::from_secs(90),
    });
    assert!(plan.get("move_floating_ips").is_none());
}
