//! The fence: stop the group's copies at the side that is not its primary, verify them stopped,
//! and stop that side's replication toward the primary. Forward only: a fence is never undone.
//! Here `source` is the current primary (it need not answer) and `target` the side fenced.

use super::PlanInput;
use super::failover::{fence, verify_fenced};
use crate::domain::Phase;
use crate::orchestrator::plan::{Plan, StepSpec};
use crate::orchestrator::step::StepId;
use crate::orchestrator::steps::StopReplication;

pub(super) fn plan(input: &PlanInput) -> Plan {
    let mut plan = Plan::default();
    plan.push(super::validate(input));
    let side = input.target;
    plan.push(fence(input, side, false, StepId::validate_sites()).point_of_no_return());
    plan.push(verify_fenced(input, side, StepId::fence_source()));
    let stop = StopReplication {
        source: side.into(),
        array_pg: input.group.array_pg.clone(),
    };
    plan.push(
        StepSpec::new(StepId::stop_replication(), stop, Phase::Finalization)
            .after([StepId::verify_fenced()])
            .point_of_no_return(),
    );
    plan
}
