//! Failover plans. Planned: no data lost — the source stopped (or found stopped) and verified
//! fenced, a final sync, recovery at the target, replication reversed, the primary swapped, the
//! old copies retired. Unplanned: the source fenced first (stopped and verified; a forced failover
//! goes on without a source that does not answer) while replication is stopped — and, during a
//! drill, the drill's copies removed — then the chosen arrived snapshot recovered.

use super::{PlanInput, floating, recovery, retire_source, select_snapshot, swap_primary};
use crate::domain::OperationType;
use crate::domain::Phase;
use crate::orchestrator::plan::{Plan, RetryPolicy, StepSpec};
use crate::orchestrator::step::StepId;
use crate::orchestrator::steps::{
    CleanupTestResources, FenceSource, FinalSync, ReverseReplication, StopReplication, StopServers,
    VerifyFenced,
};

pub(super) fn planned(input: &PlanInput) -> Plan {
    let mut plan = Plan::default();
    plan.push(super::validate(input));
    let mut fence_after = StepId::validate_sites();
    if input.options.stop_servers {
        plan.push(stop_source(input, fence_after));
        fence_after = StepId::stop_source_servers();
    }
    plan.push(verify_fenced(input, input.source, fence_after));
    plan.push(final_sync(input, StepId::verify_fenced()));
    let last_wave = recovery::push(&mut plan, input, StepId::final_sync(), "");
    let last_wave = floating::push(&mut plan, input, last_wave);
    let reverse = ReverseReplication {
        new_source: input.target.into(),
        new_target: input.source.into(),
        array_pg: input.group.array_pg.clone(),
    };
    plan.push(
        StepSpec::new(StepId::reverse_replication(), reverse, Phase::Finalization).after(last_wave),
    );
    plan.push(swap_primary(input.target, [StepId::reverse_replication()]));
    plan.push(retire_source(input));
    plan
}

pub(super) fn unplanned(input: &PlanInput) -> Plan {
    let mut plan = Plan::default();
    plan.push(super::validate(input));
    // Replication stops as the failover starts (the seed's order: "once the failover is
    // started, data synchronization stops"), beside the fence: the points the recovery chooses
    // among no longer change, and nothing the old side still sends lands on the new primary.
    let stop = StopReplication {
        source: input.source.into(),
        array_pg: input.group.array_pg.clone(),
    };
    plan.push(
        StepSpec::new(StepId::stop_replication(), stop, Phase::Preparation)
            .after([StepId::validate_sites()]),
    );
    let forced = input.operation == OperationType::Failover && input.options.force;
    plan.push(fence(input, input.source, forced, StepId::validate_sites()));
    let mut verify = verify_fenced(input, input.source, StepId::fence_source());
    if let Some(drill) = &input.options.test_operation {
        // During a drill: its copies go before anything is made at the target, so none is
        // taken for a recovered instance and none holds an address the recovery needs.
        let cleanup = CleanupTestResources {
            site: input.target.into(),
            test_operation: drill.clone(),
        };
        plan.push(
            StepSpec::new(
                StepId::cleanup_test_resources(),
                cleanup,
                Phase::Preparation,
            )
            .after([StepId::validate_sites()])
            .timeout(super::BOOT_TIMEOUT),
        );
        verify = verify.after([StepId::cleanup_test_resources()]);
    }
    plan.push(verify);
    plan.push(select_snapshot(input, StepId::verify_fenced()).after([StepId::stop_replication()]));
    let last_wave = recovery::push(&mut plan, input, StepId::select_snapshot(), "");
    let last_wave = floating::push(&mut plan, input, last_wave);
    plan.push(swap_primary(input.target, last_wave));
    plan
}

/// The source's servers stopped, so the final sync misses no write.
pub(super) fn stop_source(input: &PlanInput, after: StepId) -> StepSpec {
    let stop = StopServers {
        site: input.source.into(),
        servers: input.servers(),
    };
    StepSpec::new(StepId::stop_source_servers(), stop, Phase::Preparation).after([after])
}

/// Stop every copy of the group's servers at `site` as soon as it answers; `force` goes on
/// (recording it unfenced) when it does not.
pub(super) fn fence(input: &PlanInput, site: &str, force: bool, after: StepId) -> StepSpec {
    let step = FenceSource {
        site: site.into(),
        servers: input.group.members.clone(),
        force,
    };
    StepSpec::new(StepId::fence_source(), step, Phase::Preparation).after([after])
}

/// Every copy at `site` stopped, looked at immediately before the recovery point is taken.
pub(super) fn verify_fenced(input: &PlanInput, site: &str, after: StepId) -> StepSpec {
    let step = VerifyFenced {
        site: site.into(),
        servers: input.group.members.clone(),
    };
    StepSpec::new(StepId::verify_fenced(), step, Phase::Preparation).after([after])
}

/// A snapshot taken after the stop and replicated before recovery: no data lost. Bounded by the
/// configured deadline, and never retried past it: a stalled sync fails the move, which rolls
/// back and restarts production.
pub(super) fn final_sync(input: &PlanInput, after: StepId) -> StepSpec {
    let sync = FinalSync {
        source: input.source.into(),
        target: input.target.into(),
        array_pg: input.group.array_pg.clone(),
    };
    StepSpec::new(StepId::final_sync(), sync, Phase::Storage)
        .after([after])
        .timeout(input.final_sync_timeout)
        .retry(RetryPolicy::NONE)
}
