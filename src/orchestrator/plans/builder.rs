//! The DAG of each operation type, in the seeds' order: preparation (validate, stop), storage
//! (snapshot, volumes, manage), instances (ports, servers in boot-order waves, wait), finalization
//! (replication, primary swap, retiring the old copies).

use super::PlanInput;
use crate::domain::{OperationType, Phase, PortInfo};
use crate::orchestrator::plan::{Plan, RetryPolicy, StepSpec};
use crate::orchestrator::step_kind::{ServerPlan, StepKind, VolumeCopy};
use std::time::Duration;

const VALIDATE: &str = "validate_sites";
const STORAGE_TIMEOUT: Duration = Duration::from_secs(30 * 60);
const BOOT_TIMEOUT: Duration = Duration::from_secs(20 * 60);

pub fn build_plan(input: &PlanInput) -> Plan {
    match input.operation {
        OperationType::PlannedFailover => failover(input, true),
        OperationType::Failover => failover(input, false),
        OperationType::Failback => failback(input),
        OperationType::Reprotect => reprotect(input),
        OperationType::TestFailover => test_failover(input),
        OperationType::TestCleanup => test_cleanup(input),
        OperationType::SyncNow => sync_now(input),
    }
}

fn validate(input: &PlanInput) -> StepSpec {
    let force = input.operation == OperationType::Failover && input.options.force;
    StepSpec::new(
        VALIDATE,
        StepKind::ValidateSites {
            source: input.source.into(),
            target: input.target.into(),
            force,
        },
        Phase::Preparation,
    )
    .timeout(Duration::from_secs(120))
}

fn servers(input: &PlanInput) -> Vec<String> {
    input.inventory.iter().map(|i| i.name.clone()).collect()
}

/// Planned (no data lost, source stopped first, replication reversed, old copies retired) or
/// unplanned (newest arrived snapshot, replication stopped; the old site may be down).
fn failover(input: &PlanInput, planned: bool) -> Plan {
    let mut plan = Plan::default();
    plan.push(validate(input));
    let mut storage_after = VALIDATE.to_string();
    if planned {
        if input.options.stop_servers {
            let stop = StepKind::StopServers {
                site: input.source.into(),
                servers: servers(input),
            };
            plan.push(
                StepSpec::new("stop_source_servers", stop, Phase::Preparation).after([VALIDATE]),
            );
            storage_after = "stop_source_servers".into();
        }
        let sync = StepKind::FinalSync {
            source: input.source.into(),
            target: input.target.into(),
            array_pg: input.group.array_pg.clone(),
        };
        plan.push(
            StepSpec::new("final_sync", sync, Phase::Storage)
                .after([storage_after])
                .timeout(STORAGE_TIMEOUT),
        );
        storage_after = "final_sync".into();
    } else {
        plan.push(select_snapshot(input, &storage_after));
        storage_after = "select_snapshot".into();
    }
    let last_wave = push_recovery(&mut plan, input, &storage_after, "");
    let mut finish_after = last_wave;
    if planned {
        let reverse = StepKind::ReverseReplication {
            new_source: input.target.into(),
            new_target: input.source.into(),
            array_pg: input.group.array_pg.clone(),
        };
        plan.push(
            StepSpec::new("reverse_replication", reverse, Phase::Finalization)
                .after(finish_after.clone()),
        );
        finish_after = vec!["reverse_replication".into()];
    } else {
        let stop = StepKind::StopReplication {
            source: input.source.into(),
            array_pg: input.group.array_pg.clone(),
        };
        plan.push(
            StepSpec::new("stop_replication", stop, Phase::Finalization)
                .after(finish_after.clone()),
        );
        finish_after = vec!["stop_replication".into()];
    }
    push_swap(&mut plan, input.target, finish_after);
    if planned {
        let retire = StepKind::RetireInstances {
            site: input.source.into(),
            servers: servers(input),
        };
        plan.push(
            StepSpec::new("retire_source_instances", retire, Phase::Finalization)
                .after(["swap_primary"]),
        );
    }
    plan
}

/// Back to the original primary: retire its stale copies, replicate from the running side, stop
/// it, sync, recover at the original primary, restore the original direction.
fn failback(input: &PlanInput) -> Plan {
    let mut plan = Plan::default();
    plan.push(validate(input));
    let pg = input.group.array_pg.clone();
    let retire_stale = StepKind::RetireInstances {
        site: input.target.into(),
        servers: servers(input),
    };
    plan.push(
        StepSpec::new("retire_stale_copies", retire_stale, Phase::Preparation)
            .after([VALIDATE])
            .point_of_no_return(),
    );
    let resume = StepKind::ReverseReplication {
        new_source: input.source.into(),
        new_target: input.target.into(),
        array_pg: pg.clone(),
    };
    plan.push(
        StepSpec::new("resume_replication", resume, Phase::Preparation)
            .after(["retire_stale_copies"]),
    );
    let stop = StepKind::StopServers {
        site: input.source.into(),
        servers: servers(input),
    };
    plan.push(
        StepSpec::new("stop_source_servers", stop, Phase::Preparation)
            .after(["resume_replication"]),
    );
    let sync = StepKind::FinalSync {
        source: input.source.into(),
        target: input.target.into(),
        array_pg: pg.clone(),
    };
    plan.push(
        StepSpec::new("final_sync", sync, Phase::Storage)
            .after(["stop_source_servers"])
            .timeout(STORAGE_TIMEOUT),
    );
    let last_wave = push_recovery(&mut plan, input, "final_sync", "");
    let reverse = StepKind::ReverseReplication {
        new_source: input.target.into(),
        new_target: input.source.into(),
        array_pg: pg,
    };
    plan.push(StepSpec::new("reverse_replication", reverse, Phase::Finalization).after(last_wave));
    push_swap(&mut plan, input.target, vec!["reverse_replication".into()]);
    let retire = StepKind::RetireInstances {
        site: input.source.into(),
        servers: servers(input),
    };
    plan.push(
        StepSpec::new("retire_source_instances", retire, Phase::Finalization)
            .after(["swap_primary"]),
    );
    plan
}

/// Protect the running side again: retire the stale copies at the old primary and replicate to it.
/// Here `source` is the site running the workloads and `target` the one to protect them on.
fn reprotect(input: &PlanInput) -> Plan {
    let mut plan = Plan::default();
    plan.push(validate(input));
    let pg = input.group.array_pg.clone();
    let retire = StepKind::RetireInstances {
        site: input.target.into(),
        servers: servers(input),
    };
    plan.push(
        StepSpec::new("retire_stale_copies", retire, Phase::Preparation)
            .after([VALIDATE])
            .point_of_no_return(),
    );
    let reverse = StepKind::ReverseReplication {
        new_source: input.source.into(),
        new_target: input.target.into(),
        array_pg: pg.clone(),
    };
    plan.push(
        StepSpec::new("reverse_replication", reverse, Phase::Storage)
            .after(["retire_stale_copies"]),
    );
    let sync = StepKind::ReplicateNow {
        source: input.source.into(),
        target: input.target.into(),
        array_pg: pg,
    };
    plan.push(
        StepSpec::new("replicate_now", sync, Phase::Storage)
            .after(["reverse_replication"])
            .timeout(STORAGE_TIMEOUT),
    );
    plan
}

/// A drill: production untouched; recover the newest arrived snapshot into the test networks.
fn test_failover(input: &PlanInput) -> Plan {
    let mut plan = Plan::default();
    plan.push(validate(input));
    plan.push(select_snapshot(input, VALIDATE));
    push_recovery(&mut plan, input, "select_snapshot", "test-");
    plan
}

fn test_cleanup(input: &PlanInput) -> Plan {
    let mut plan = Plan::default();
    plan.push(validate(input));
    let cleanup = StepKind::CleanupTestResources {
        site: input.target.into(),
        test_operation: input.options.test_operation.clone().unwrap_or_default(),
    };
    plan.push(
        StepSpec::new("cleanup_test_resources", cleanup, Phase::Instances)
            .after([VALIDATE])
            .timeout(BOOT_TIMEOUT),
    );
    plan
}

fn sync_now(input: &PlanInput) -> Plan {
    let mut plan = Plan::default();
    plan.push(validate(input));
    let mut sync_after = VALIDATE;
    if input.options.resync {
        let reverse = StepKind::ReverseReplication {
            new_source: input.source.into(),
            new_target: input.target.into(),
            array_pg: input.group.array_pg.clone(),
        };
        plan.push(StepSpec::new("reverse_replication", reverse, Phase::Storage).after([VALIDATE]));
        sync_after = "reverse_replication";
    }
    let sync = StepKind::ReplicateNow {
        source: input.source.into(),
        target: input.target.into(),
        array_pg: input.group.array_pg.clone(),
    };
    plan.push(
        StepSpec::new("replicate_now", sync, Phase::Storage)
            .after([sync_after])
            .timeout(STORAGE_TIMEOUT),
    );
    plan
}

fn select_snapshot(input: &PlanInput, after: &str) -> StepSpec {
    let kind = StepKind::SelectSnapshot {
        source: input.source.into(),
        target: input.target.into(),
        array_pg: input.group.array_pg.clone(),
    };
    StepSpec::new("select_snapshot", kind, Phase::Storage).after([after])
}

fn push_swap(plan: &mut Plan, new_primary: &str, after: Vec<String>) {
    let swap = StepKind::SwapPrimary {
        new_primary: new_primary.into(),
    };
    plan.push(
        StepSpec::new("swap_primary", swap, Phase::Finalization)
            .after(after)
            .retry(RetryPolicy::DEFAULT)
            .point_of_no_return(),
    );
}

/// Volumes from the snapshot, managed into Cinder, then ports and servers in boot-order waves.
/// Returns the ids of the last wave's wait steps (what finalization waits for).
fn push_recovery(plan: &mut Plan, input: &PlanInput, after: &str, name_tag: &str) -> Vec<String> {
    // Ports at the target wait for its stale copies to be retired (failback), else only for
    // validation: they are the instances phase's head start while storage is prepared.
    let ports_after = if plan.get("retire_stale_copies").is_some() {
        "retire_stale_copies"
    } else {
        VALIDATE
    };
    let suffix = short_id(input.operation_id);
    let suffix = suffix.as_str();
    let copies: Vec<VolumeCopy> = input
        .inventory
        .iter()
        .flat_map(|i| {
            i.volumes.iter().map(move |v| VolumeCopy {
                server: i.name.clone(),
                source: v.clone(),
                target_array_volume: format!("{}-{name_tag}{suffix}", v.array_volume),
            })
        })
        .collect();
    let site = input.target.to_string();
    let create = StepKind::CreateVolumesFromSnapshot {
        site: site.clone(),
        volumes: copies.clone(),
    };
    plan.push(
        StepSpec::new("create_volumes_from_snapshot", create, Phase::Storage)
            .after([after])
            .timeout(STORAGE_TIMEOUT),
    );
    let manage = StepKind::ManageVolumes {
        site: site.clone(),
        volumes: copies,
    };
    plan.push(
        StepSpec::new("manage_volumes", manage, Phase::Storage)
            .after(["create_volumes_from_snapshot"])
            .timeout(STORAGE_TIMEOUT),
    );

    let networks = input.network_mapping();
    let flavors = input.flavor_mapping();
    let mut previous_wave: Vec<String> = vec!["manage_volumes".into()];
    for (wave, members) in input.group.waves().iter().enumerate() {
        let mut created = Vec::new();
        let mut names = Vec::new();
        for inst in input.inventory.iter().filter(|i| members.contains(&i.name)) {
            let ports: Vec<PortInfo> = inst
                .ports
                .iter()
                .map(|p| PortInfo {
                    network: networks
                        .get(&p.network)
                        .cloned()
                        .unwrap_or_else(|| p.network.clone()),
                    ..p.clone()
                })
                .collect();
            let ports_id = format!("create_ports:{}", inst.name);
            let port_kind = StepKind::CreatePorts {
                site: site.clone(),
                server: inst.name.clone(),
                ports: ports.clone(),
            };
            plan.push(
                StepSpec::new(ports_id.clone(), port_kind, Phase::Instances).after([ports_after]),
            );
            let mut volumes: Vec<_> = inst.volumes.clone();
            volumes.sort_by_key(|v| v.boot_index);
            let server = ServerPlan {
                name: inst.name.clone(),
                flavor: flavors
                    .get(&inst.flavor)
                    .cloned()
                    .unwrap_or_else(|| inst.flavor.clone()),
                ports,
                volumes: volumes.into_iter().map(|v| v.name).collect(),
                wave,
            };
            let id = format!("create_server:{}", inst.name);
            let deps = previous_wave.iter().cloned().chain([ports_id]);
            plan.push(
                StepSpec::new(
                    id.clone(),
                    StepKind::CreateServer {
                        site: site.clone(),
                        server,
                    },
                    Phase::Instances,
                )
                .after(deps)
                .retry(RetryPolicy::NONE),
            );
            created.push(id);
            names.push(inst.name.clone());
        }
        if names.is_empty() {
            continue;
        }
        let wait_id = format!("wait_active:wave{}", wave + 1);
        let wait = StepKind::WaitActive {
            site: site.clone(),
            wave,
            servers: names,
        };
        plan.push(
            StepSpec::new(wait_id.clone(), wait, Phase::Instances)
                .after(created)
                .timeout(BOOT_TIMEOUT)
                .retry(RetryPolicy::NONE),
        );
        previous_wave = vec![wait_id];
    }
    previous_wave
}

/// A short, stable tag of the operation for names it creates (so a retry finds its own).
pub fn short_id(operation_id: &str) -> String {
    let clean: String = operation_id
        .chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .collect();
    clean[clean.len().saturating_sub(8)..].to_string()
}
