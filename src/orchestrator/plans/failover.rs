//! Failover plans. Planned: no data lost — the source stopped (or found stopped), a final sync,
//! recovery at the target, replication reversed, the primary swapped, the old copies retired.
//! Unplanned: the newest arrived snapshot, replication stopped; the old site may be down.

use super::{PlanInput, STORAGE_TIMEOUT, recovery, retire_source, select_snapshot, swap_primary};
use crate::domain::Phase;
use crate::orchestrator::plan::{Plan, StepSpec};
use crate::orchestrator::step::StepId;
use crate::orchestrator::steps::{FinalSync, ReverseReplication, StopReplication, StopServers};

pub(super) fn planned(input: &PlanInput) -> Plan {
    let mut plan = Plan::default();
    plan.push(super::validate(input));
    let mut storage_after = StepId::validate_sites();
    if input.options.stop_servers {
        plan.push(stop_source(input, storage_after));
        storage_after = StepId::stop_source_servers();
    }
    plan.push(final_sync(input, storage_after));
    let last_wave = recovery::push(&mut plan, input, StepId::final_sync(), "");
    let reverse = ReverseReplication {
        new_source: input.target.into(),
        new_target: input.source.into(),
        array_pg: input.group.array_pg.clone(),
    };
    plan.push(
        StepSpec::new(StepId::reverse_replication(), reverse, Phase::Finalization).after(last_wave),
    );
    plan.push(swap_primary(input.target, StepId::reverse_replication()));
    plan.push(retire_source(input));
    plan
}

pub(super) fn unplanned(input: &PlanInput) -> Plan {
    let mut plan = Plan::default();
    plan.push(super::validate(input));
    plan.push(select_snapshot(input, StepId::validate_sites()));
    let last_wave = recovery::push(&mut plan, input, StepId::select_snapshot(), "");
    let stop = StopReplication {
        source: input.source.into(),
        array_pg: input.group.array_pg.clone(),
    };
    plan.push(
        StepSpec::new(StepId::stop_replication(), stop, Phase::Finalization).after(last_wave),
    );
    plan.push(swap_primary(input.target, StepId::stop_replication()));
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

/// A snapshot taken after the stop and replicated before recovery: no data lost.
pub(super) fn final_sync(input: &PlanInput, after: StepId) -> StepSpec {
    let sync = FinalSync {
        source: input.source.into(),
        target: input.target.into(),
        array_pg: input.group.array_pg.clone(),
    };
    StepSpec::new(StepId::final_sync(), sync, Phase::Storage)
        .after([after])
        .timeout(STORAGE_TIMEOUT)
}
