//! The shape of each operation's plan: order, waves, mappings, and points of no return.

use super::*;
use crate::domain::{InstanceInfo, OperationType, PortInfo, VolumeInfo};
use crate::orchestrator::plan::Plan;
use crate::orchestrator::step::StepId;
use crate::orchestrator::steps::*;
use std::time::Duration;

pub(super) fn group() -> GroupConfig {
    GroupConfig {
        name: "db-cluster".into(),
        primary_site: "site-a".into(),
        secondary_site: "site-b".into(),
        array_pg: "db-cluster-pg".into(),
        members: vec!["db-1".into(), "db-2".into()],
        boot_order: vec![vec!["db-1".into()], vec!["db-2".into()]],
        network_mapping: BTreeMap::from([("net-db".into(), "net-db-dr".into())]),
        test_network_mapping: BTreeMap::from([("net-db".into(), "net-db-test".into())]),
        flavor_mapping: BTreeMap::from([("m1.xlarge".into(), "m2.xlarge".into())]),
        rpo_target: Duration::from_secs(60),
        priority: 100,
        rto_target: None,
    }
}

pub(super) fn inventory() -> Vec<InstanceInfo> {
    ["db-1", "db-2"]
        .iter()
        .enumerate()
        .map(|(n, name)| InstanceInfo {
            name: name.to_string(),
            server_id: format!("srv-{n}"),
            status: "ACTIVE".into(),
            flavor: "m1.xlarge".into(),
            ports: vec![PortInfo {
                network: "net-db".into(),
                ip: Some(format!("10.0.1.{n}")),
                mac: format!("fa:16:3e:00:00:0{n}"),
                floating_ip: None,
            }],
            volumes: ["data", "boot"]
                .iter()
                .enumerate()
                .map(|(i, v)| VolumeInfo {
                    name: format!("{name}-{v}"),
                    size_gb: 20,
                    bootable: *v == "boot",
                    boot_index: 1 - i as u32,
                    volume_type: "replicated".into(),
                    array_volume: format!("{name}-{v}"),
                })
                .collect(),
            made_by: None,
        })
        .collect()
}

fn build(op: OperationType, source: &str, target: &str, options: OperationOptions) -> Plan {
    build_over(&inventory(), op, source, target, options)
}

/// A valid plan of `op` over `inv` (web-app's group).
pub(super) fn build_over(
    inv: &[InstanceInfo],
    op: OperationType,
    source: &str,
    target: &str,
    options: OperationOptions,
) -> Plan {
    let g = group();
    let plan = build_plan(&PlanInput {
        operation_id: "op-20261124-abcdef12",
        operation: op,
        group: &g,
        source,
        target,
        inventory: inv,
        options: &options,
        final_sync_timeout: Duration::from_secs(90),
    });
    plan.validate().expect("every plan is a valid DAG");
    plan
}

pub(super) fn names(plan: &Plan) -> Vec<String> {
    plan.steps.iter().map(|s| s.kind.label()).collect()
}

pub(super) fn deps_of<'a>(plan: &'a Plan, id: &str) -> &'a [StepId] {
    &plan.get(id).unwrap().deps
}

#[test]
fn planned_failover_follows_the_seed_order() {
    let plan = build(
        OperationType::PlannedFailover,
        "site-a",
        "site-b",
        OperationOptions {
            stop_servers: true,
            ..Default::default()
        },
    );
    assert_eq!(
        names(&plan),
        [
            "validate_sites",
            "stop_source_servers at site-a",
            "verify_fenced at site-a",
            "final_sync",
            "create_volumes_from_snapshot",
            "manage_volumes",
            "create_ports db-1",
            "create_server db-1 (wave 1)",
            "wait_active (wave 1)",
            "create_ports db-2",
            "create_server db-2 (wave 2)",
            "wait_active (wave 2)",
            "reverse_replication site-b ⇢ site-a",
            "swap_primary",
            "retire_instances at site-a",
        ]
    );
    assert_eq!(deps_of(&plan, "verify_fenced"), ["stop_source_servers"]);
    assert_eq!(
        deps_of(&plan, "final_sync"),
        ["verify_fenced"],
        "the source is verified fenced immediately before the recovery point"
    );
    assert_eq!(
        deps_of(&plan, "create_server:db-2"),
        ["wait_active:wave1", "create_ports:db-2"],
        "wave 2 boots after wave 1 is ACTIVE"
    );
    assert_eq!(
        deps_of(&plan, "create_ports:db-2"),
        ["verify_fenced"],
        "nothing is made at the target before the source is verified fenced; ports are made \
         while storage works"
    );
    assert!(plan.get("swap_primary").unwrap().no_rollback);
    let sync = plan.get("final_sync").unwrap();
    assert_eq!(
        (sync.timeout_ms, sync.retry.attempts),
        (90_000, 1),
        "the final sync's deadline is the configured one, never retried past it"
    );
}

/// Every step that makes something at the target waits (directly or not) for `verify_fenced`.
fn all_creates_wait_for_the_fence(plan: &Plan) {
    let creates = plan.steps.iter().filter(|s| {
        matches!(
            s.kind,
            StepKind::CreateVolumesFromSnapshot(_)
                | StepKind::ManageVolumes(_)
                | StepKind::CreatePorts(_)
                | StepKind::CreateServer(_)
        )
    });
    for step in creates {
        let mut todo = step.deps.clone();
        let mut seen = std::collections::BTreeSet::new();
        while let Some(d) = todo.pop() {
            if seen.insert(d.clone()) {
                todo.extend(plan.get(&d).unwrap().deps.iter().cloned());
            }
        }
        assert!(
            seen.contains(&StepId::verify_fenced()),
            "{} does not wait for verify_fenced",
            step.id
        );
    }
}

#[test]
fn every_move_creates_nothing_before_the_side_it_leaves_is_verified_fenced() {
    let stop = OperationOptions {
        stop_servers: true,
        ..Default::default()
    };
    for op in [
        OperationType::PlannedFailover,
        OperationType::Failover,
        OperationType::Failback,
    ] {
        let plan = build(op, "site-a", "site-b", stop.clone());
        all_creates_wait_for_the_fence(&plan);
        let StepKind::VerifyFenced(VerifyFenced { site, servers }) =
            &plan.get("verify_fenced").unwrap().kind
        else {
            panic!("{op} has no verify_fenced")
        };
        assert_eq!((site.as_str(), servers.len()), ("site-a", 2), "{op}");
    }
    let drill = build(
        OperationType::TestFailover,
        "site-a",
        "site-b",
        OperationOptions::default(),
    );
    assert!(
        drill.get("verify_fenced").is_none(),
        "a drill fences nothing"
    );
}

#[test]
fn an_unplanned_failover_fences_the_source_first() {
    for force in [false, true] {
        let opts = OperationOptions {
            force,
            ..Default::default()
        };
        let plan = build(OperationType::Failover, "site-a", "site-b", opts);
        assert_eq!(
            names(&plan)[..5],
            [
                "validate_sites",
                "stop_replication",
                "fence_source at site-a",
                "verify_fenced at site-a",
                "select_snapshot"
            ]
        );
        assert!(matches!(
            &plan.get("fence_source").unwrap().kind,
            StepKind::FenceSource(FenceSource { force: f, .. }) if *f == force
        ));
        assert!(!plan.get("fence_source").unwrap().no_rollback);
    }
}

#[test]
fn a_fence_stops_the_side_that_is_not_primary_and_is_never_undone() {
    let plan = build(
        OperationType::Fence,
        "site-b",
        "site-a",
        OperationOptions::default(),
    );
    assert_eq!(
        names(&plan),
        [
            "validate_sites",
            "fence_source at site-a",
            "verify_fenced at site-a",
            "stop_replication"
        ]
    );
    assert!(matches!(
        plan.steps[0].kind,
        StepKind::ValidateSites(ValidateSites { force: true, .. })
    ));
    assert!(plan.get("fence_source").unwrap().no_rollback);
    assert!(matches!(
        &plan.get("stop_replication").unwrap().kind,
        StepKind::StopReplication(StopReplication { source, .. }) if source == "site-a"
    ));
}

#[test]
fn without_stop_the_final_sync_follows_validation() {
    let plan = build(
        OperationType::PlannedFailover,
        "site-a",
        "site-b",
        OperationOptions::default(),
    );
    assert!(plan.get("stop_source_servers").is_none());
    assert_eq!(deps_of(&plan, "verify_fenced"), ["validate_sites"]);
    assert_eq!(deps_of(&plan, "final_sync"), ["verify_fenced"]);
}

#[test]
fn servers_use_mapped_networks_flavors_and_boot_order() {
    let plan = build(
        OperationType::PlannedFailover,
        "site-a",
        "site-b",
        OperationOptions::default(),
    );
    let StepKind::CreateServer(CreateServer { server, site }) =
        &plan.get("create_server:db-1").unwrap().kind
    else {
        panic!()
    };
    assert_eq!(site, "site-b");
    assert_eq!(server.flavor, "m2.xlarge");
    assert_eq!(server.ports[0].network, "net-db-dr");
    assert_eq!(
        server.ports[0].ip.as_deref(),
        Some("10.0.1.0"),
        "IP and MAC are kept"
    );
    assert_eq!(
        server.volumes,
        ["db-1-boot", "db-1-data"],
        "the boot volume comes first"
    );
    let StepKind::CreateVolumesFromSnapshot(CreateVolumesFromSnapshot { volumes, .. }) =
        &plan.get("create_volumes_from_snapshot").unwrap().kind
    else {
        panic!()
    };
    assert_eq!(volumes.len(), 4);
    assert_eq!(
        volumes[0].target_array_volume, "db-1-data-abcdef12",
        "names carry the operation, so a retry finds its own"
    );
}

#[test]
fn operator_mappings_override_and_failback_reverses() {
    let opts = OperationOptions {
        network_mapping: BTreeMap::from([("net-db".into(), "net-x".into())]),
        ..Default::default()
    };
    let plan = build(OperationType::Failover, "site-a", "site-b", opts);
    let StepKind::CreatePorts(CreatePorts { ports, .. }) =
        &plan.get("create_ports:db-1").unwrap().kind
    else {
        panic!()
    };
    assert_eq!(ports[0].network, "net-x");

    let mut inv = inventory();
    inv[0].ports[0].network = "net-db-dr".into();
    let g = group();
    let back = build_plan(&PlanInput {
        operation_id: "op-2",
        operation: OperationType::Failback,
        group: &g,
        source: "site-b",
        target: "site-a",
        inventory: &inv,
        options: &OperationOptions::default(),
        final_sync_timeout: Duration::from_secs(90),
    });
    let StepKind::CreatePorts(CreatePorts { ports, site, .. }) =
        &back.get("create_ports:db-1").unwrap().kind
    else {
        panic!()
    };
    assert_eq!(
        (site.as_str(), ports[0].network.as_str()),
        ("site-a", "net-db")
    );
    let StepKind::CreateServer(CreateServer { server, .. }) =
        &back.get("create_server:db-1").unwrap().kind
    else {
        panic!()
    };
    assert_eq!(server.flavor, "m1.xlarge", "flavors map back too");
}

#[test]
fn unplanned_failover_uses_the_newest_arrival_and_stops_replication() {
    let plan = build(
        OperationType::Failover,
        "site-a",
        "site-b",
        OperationOptions {
            force: true,
            ..Default::default()
        },
    );
    let n = names(&plan);
    assert!(
        n.contains(&"select_snapshot".into())
            && !n.contains(&"final_sync".into())
            && !n.iter().any(|s| s.starts_with("stop_source_servers"))
    );
    assert_eq!(
        deps_of(&plan, "select_snapshot"),
        ["verify_fenced", "stop_replication"]
    );
    assert_eq!(
        deps_of(&plan, "stop_replication"),
        ["validate_sites"],
        "replication stops as the failover starts, before anything is recovered"
    );
    assert_eq!(n[1], "stop_replication");
    assert!(
        n.contains(&"stop_replication".into())
            && !n.iter().any(|s| s.starts_with("retire_instances")),
        "the old site may be down"
    );
    assert!(matches!(
        plan.steps[0].kind,
        StepKind::ValidateSites(ValidateSites { force: true, .. })
    ));
}

#[test]
fn a_drill_never_touches_production() {
    let plan = build(
        OperationType::TestFailover,
        "site-a",
        "site-b",
        OperationOptions::default(),
    );
    for s in &plan.steps {
        let touches_source = match &s.kind {
            StepKind::StopServers(StopServers { site, .. })
            | StepKind::FenceSource(FenceSource { site, .. })
            | StepKind::RetireInstances(RetireInstances { site, .. }) => site == "site-a",
            StepKind::ReverseReplication(ReverseReplication { .. })
            | StepKind::StopReplication(StopReplication { .. })
            | StepKind::SwapPrimary(SwapPrimary { .. }) => true,
            _ => false,
        };
        assert!(!touches_source, "a drill must not {}", s.kind.label());
    }
    let StepKind::CreatePorts(CreatePorts { ports, .. }) =
        &plan.get("create_ports:db-2").unwrap().kind
    else {
        panic!()
    };
    assert_eq!(
        ports[0].network, "net-db-test",
        "drills use the test networks"
    );
    let StepKind::CreateVolumesFromSnapshot(CreateVolumesFromSnapshot { volumes, .. }) =
        &plan.get("create_volumes_from_snapshot").unwrap().kind
    else {
        panic!()
    };
    assert!(
        volumes
            .iter()
            .all(|v| v.target_array_volume.contains("-test-"))
    );
}

#[test]
fn reprotect_cleanup_and_sync_are_short() {
    let reprotect = build(
        OperationType::Reprotect,
        "site-b",
        "site-a",
        OperationOptions::default(),
    );
    assert_eq!(
        names(&reprotect),
        [
            "validate_sites",
            "retire_instances at site-a",
            "reverse_replication site-b ⇢ site-a",
            "replicate_now"
        ]
    );
    let cleanup = build(
        OperationType::TestCleanup,
        "site-a",
        "site-b",
        OperationOptions {
            test_operation: Some("op-9".into()),
            ..Default::default()
        },
    );
    assert!(
        matches!(&cleanup.steps[1].kind, StepKind::CleanupTestResources(CleanupTestResources { test_operation, site }) if test_operation == "op-9" && site == "site-b")
    );
    let sync = build(
        OperationType::SyncNow,
        "site-a",
        "site-b",
        OperationOptions::default(),
    );
    assert_eq!(names(&sync), ["validate_sites", "replicate_now"]);
}

#[test]
fn plans_and_outputs_journal_as_before() {
    let plan = build(
        OperationType::PlannedFailover,
        "site-a",
        "site-b",
        OperationOptions::default(),
    );
    let json = serde_json::to_value(&plan).unwrap();
    let ports = json["steps"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["id"] == "create_ports:db-1")
        .unwrap();
    assert_eq!(
        ports,
        &serde_json::json!({
            "id": "create_ports:db-1",
            "kind": {
                "kind": "create_ports",
                "site": "site-b",
                "server": "db-1",
                "ports": [{"network": "net-db-dr", "ip": "10.0.1.0", "mac": "fa:16:3e:00:00:00"}],
            },
            "phase": "instances",
            "deps": ["verify_fenced"],
            "timeout_ms": 120_000,
            "retry": {"attempts": 3, "backoff_ms": 500},
            "no_rollback": false,
        }),
        "ids are plain strings and kinds keep their tag and fields"
    );
    let back: Plan = serde_json::from_value(json).unwrap();
    assert_eq!(back, plan, "a journaled plan reads back for a resume");

    // Outputs as the untyped steps journaled them read as the typed ones.
    let stopped: ReplicationStopped =
        serde_json::from_value(serde_json::json!({"stopped": true})).unwrap();
    assert!(stopped.stopped && !stopped.needs_resync);
    let chosen: ChosenSnapshot = serde_json::from_value(serde_json::json!({
        "snapshot": "array-a:pg.3", "created": "2026-11-24T10:42:03+00:00", "data_loss_seconds": 177
    }))
    .unwrap();
    assert_eq!(chosen.data_loss_seconds, 177);
    let found: ArrayVolumes =
        serde_json::from_value(serde_json::json!({"volumes": ["db-1-boot-x"]})).unwrap();
    assert_eq!(
        found.snapshot, None,
        "an earlier check recorded no snapshot"
    );
}

#[test]
fn every_step_of_every_plan_has_a_label_of_its_own_that_starts_with_its_id() {
    for op in OperationType::ALL {
        let plan = build(op, "site-b", "site-a", OperationOptions::default());
        let labels: std::collections::BTreeSet<String> =
            plan.steps.iter().map(|s| s.label()).collect();
        assert_eq!(labels.len(), plan.steps.len(), "{op}: {labels:?}");
        for s in &plan.steps {
            let name = s.id.as_str().split(':').next().unwrap_or_default();
            assert!(
                s.label().starts_with(name),
                "{op}: {} reads {}",
                s.id,
                s.label()
            );
        }
    }
    let failback = build(
        OperationType::Failback,
        "site-b",
        "site-a",
        OperationOptions::default(),
    );
    let label = |id: &str| failback.get(id).map(|s| s.label()).unwrap_or_default();
    assert_eq!(
        label("retire_stale_copies"),
        "retire_stale_copies at site-a"
    );
    assert_eq!(
        label("resume_replication"),
        "resume_replication site-b ⇢ site-a"
    );
    assert_eq!(
        label("reverse_replication"),
        "reverse_replication site-a ⇢ site-b"
    );
}
