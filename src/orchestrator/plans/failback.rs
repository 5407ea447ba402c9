//! Failback: back to the original primary. Retire its stale copies, replicate to it from the
//! running side, stop the running side and verify it fenced, sync, recover at the original
//! primary, then restore the original direction (or, without reverse replication, stop it and
//! leave the group to a `sync`) and retire the copies left behind.

use super::failover::{final_sync, stop_source, verify_fenced};
use super::{PlanInput, floating, recovery, retire_source, retire_stale, swap_primary};
use crate::domain::Phase;
use crate::orchestrator::plan::{Plan, StepSpec};
use crate::orchestrator::step::StepId;
use crate::orchestrator::steps::{ReverseReplication, StopReplication};

pub(super) fn plan(input: &PlanInput) -> Plan {
    let mut plan = Plan::default();
    let pg = &input.group.array_pg;
    plan.push(super::validate(input));
    plan.push(retire_stale(input));
    let resume = ReverseReplication {
        new_source: input.source.into(),
        new_target: input.target.into(),
        array_pg: pg.clone(),
    };
    plan.push(
        StepSpec::new(StepId::resume_replication(), resume, Phase::Preparation)
            .after([StepId::retire_stale_copies()]),
    );
    plan.push(stop_source(input, StepId::resume_replication()));
    plan.push(verify_fenced(
        input,
        input.source,
        StepId::stop_source_servers(),
    ));
    plan.push(final_sync(input, StepId::verify_fenced()));
    let last_wave = recovery::push(&mut plan, input, StepId::final_sync(), "");
    let last_wave = floating::push(&mut plan, input, last_wave);
    let replication = if input.options.reverse_replication {
        let reverse = ReverseReplication {
            new_source: input.target.into(),
            new_target: input.source.into(),
            array_pg: pg.clone(),
        };
        StepSpec::new(StepId::reverse_replication(), reverse, Phase::Finalization)
    } else {
        // The side left stops sending to the original primary, and nothing replicates back
        // until the operator runs `sync`.
        let stop = StopReplication {
            source: input.source.into(),
            array_pg: pg.clone(),
        };
        StepSpec::new(StepId::stop_replication(), stop, Phase::Finalization)
    };
    let replication_id = replication.id.clone();
    plan.push(replication.after(last_wave));
    plan.push(swap_primary(input.target, [replication_id]));
    plan.push(retire_source(input));
    plan
}
