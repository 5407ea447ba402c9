//! The recovery fragment every move and drill shares: volumes copied from the snapshot and
//! managed into Cinder, then each boot-order wave's ports and servers, and a wait for the wave to
//! be ACTIVE before the next one boots.

use super::{BOOT_TIMEOUT, PlanInput, STORAGE_TIMEOUT, short_id};
use crate::domain::{InstanceInfo, Phase, PortInfo};
use crate::orchestrator::plan::{Plan, RetryPolicy, StepSpec};
use crate::orchestrator::step::StepId;
use crate::orchestrator::steps::{
    CreatePorts, CreateServer, CreateVolumesFromSnapshot, ManageVolumes, ServerPlan, VolumeCopy,
    WaitActive,
};
use std::collections::BTreeMap;

/// Push the recovery after `after` (the step that chose the snapshot). `name_tag` marks the
/// names a drill creates. Returns the ids of the last wave's wait (what finalization waits for).
pub(super) fn push(
    plan: &mut Plan,
    input: &PlanInput,
    after: StepId,
    name_tag: &str,
) -> Vec<StepId> {
    push_volumes(plan, input, after, name_tag);
    // Nothing is made at the target before the side left behind is verified fenced (a move),
    // nor before the target's stale copies are retired (failback, which fences after that);
    // a drill waits only for validation. Ports are the instances phase's head start while
    // storage is prepared.
    let ports_after = [StepId::verify_fenced(), StepId::retire_stale_copies()]
        .into_iter()
        .find(|id| plan.get(id).is_some())
        .unwrap_or_else(StepId::validate_sites);
    let waves = Waves {
        input,
        networks: input.network_mapping(),
        flavors: input.flavor_mapping(),
        ports_after,
    };
    let mut previous_wave = vec![StepId::manage_volumes()];
    for (wave, members) in input.group.waves().iter().enumerate() {
        if let Some(wait) = waves.push(plan, wave, members, &previous_wave) {
            previous_wave = vec![wait];
        }
    }
    previous_wave
}

/// Array volumes from the snapshot at the target, then managed into Cinder.
fn push_volumes(plan: &mut Plan, input: &PlanInput, after: StepId, name_tag: &str) {
    let suffix = short_id(input.operation_id);
    let copies: Vec<VolumeCopy> = input
        .inventory
        .iter()
        .flat_map(|i| {
            let suffix = &suffix;
            i.volumes.iter().map(move |v| VolumeCopy {
                server: i.name.clone(),
                source: v.clone(),
                target_array_volume: format!("{}-{name_tag}{suffix}", v.array_volume),
            })
        })
        .collect();
    let create = CreateVolumesFromSnapshot {
        site: input.target.into(),
        volumes: copies.clone(),
    };
    plan.push(
        StepSpec::new(
            StepId::create_volumes_from_snapshot(),
            create,
            Phase::Storage,
        )
        .after([after])
        .timeout(STORAGE_TIMEOUT),
    );
    let manage = ManageVolumes {
        site: input.target.into(),
        volumes: copies,
    };
    plan.push(
        StepSpec::new(StepId::manage_volumes(), manage, Phase::Storage)
            .after([StepId::create_volumes_from_snapshot()])
            .timeout(STORAGE_TIMEOUT),
    );
}

/// What every wave is built from.
struct Waves<'a> {
    input: &'a PlanInput<'a>,
    networks: BTreeMap<String, String>,
    flavors: BTreeMap<String, String>,
    /// What ports wait for.
    ports_after: StepId,
}

impl Waves<'_> {
    /// One wave's ports and servers (after the wave before), and the wait for it; the wait's id,
    /// or `None` when no member of the wave was found at the source.
    fn push(
        &self,
        plan: &mut Plan,
        wave: usize,
        members: &[String],
        previous: &[StepId],
    ) -> Option<StepId> {
        let site = self.input.target.to_string();
        let mut created = Vec::new();
        let mut names = Vec::new();
        let found = self
            .input
            .inventory
            .iter()
            .filter(|i| members.contains(&i.name));
        for inst in found {
            let ports = self.mapped_ports(inst);
            let ports_id = StepId::create_ports(&inst.name);
            let port_step = CreatePorts {
                site: site.clone(),
                server: inst.name.clone(),
                ports: ports.clone(),
            };
            plan.push(
                StepSpec::new(ports_id.clone(), port_step, Phase::Instances)
                    .after([self.ports_after.clone()]),
            );
            let server = CreateServer {
                site: site.clone(),
                server: self.server_plan(inst, ports, wave),
            };
            let id = StepId::create_server(&inst.name);
            let deps = previous.iter().cloned().chain([ports_id]);
            plan.push(
                StepSpec::new(id.clone(), server, Phase::Instances)
                    .after(deps)
                    .retry(RetryPolicy::NONE),
            );
            created.push(id);
            names.push(inst.name.clone());
        }
        if names.is_empty() {
            return None;
        }
        let wait = WaitActive {
            site,
            wave,
            servers: names,
        };
        plan.push(
            StepSpec::new(StepId::wait_active(wave), wait, Phase::Instances)
                .after(created)
                .timeout(BOOT_TIMEOUT)
                .retry(RetryPolicy::NONE),
        );
        Some(StepId::wait_active(wave))
    }

    /// The instance's ports with their networks mapped to the target's names; IP and MAC kept.
    fn mapped_ports(&self, inst: &InstanceInfo) -> Vec<PortInfo> {
        inst.ports
            .iter()
            .map(|p| PortInfo {
                network: self
                    .networks
                    .get(&p.network)
                    .cloned()
                    .unwrap_or_else(|| p.network.clone()),
                // The floating IP moves in a step of its own, after the servers boot.
                floating_ip: None,
                ..p.clone()
            })
            .collect()
    }

    /// The server to create: mapped flavor, its ports, its volumes with the boot volume first.
    fn server_plan(&self, inst: &InstanceInfo, ports: Vec<PortInfo>, wave: usize) -> ServerPlan {
        let mut volumes = inst.volumes.clone();
        volumes.sort_by_key(|v| v.boot_index);
        ServerPlan {
            name: inst.name.clone(),
            flavor: self
                .flavors
                .get(&inst.flavor)
                .cloned()
                .unwrap_or_else(|| inst.flavor.clone()),
            ports,
            volumes: volumes.into_iter().map(|v| v.name).collect(),
            wave,
        }
    }
}
