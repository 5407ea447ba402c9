//! Reprotect: protect the running side again. Retire the stale copies at the old primary (a point
//! of no return), replicate to it, and sync now. Here `source` is the site running the workloads
//! and `target` the one to protect them on.

use super::{PlanInput, STORAGE_TIMEOUT, retire_stale};
use crate::domain::Phase;
use crate::orchestrator::plan::{Plan, StepSpec};
use crate::orchestrator::step::StepId;
use crate::orchestrator::steps::{ReplicateNow, ReverseReplication};

pub(super) fn plan(input: &PlanInput) -> Plan {
    let mut plan = Plan::default();
    let pg = &input.group.array_pg;
    plan.push(super::validate(input));
    plan.push(retire_stale(input));
    let reverse = ReverseReplication {
        new_source: input.source.into(),
        new_target: input.target.into(),
        array_pg: pg.clone(),
    };
    plan.push(
        StepSpec::new(StepId::reverse_replication(), reverse, Phase::Storage)
            .after([StepId::retire_stale_copies()]),
    );
    let sync = ReplicateNow {
        source: input.source.into(),
        target: input.target.into(),
        array_pg: pg.clone(),
    };
    plan.push(
        StepSpec::new(StepId::replicate_now(), sync, Phase::Storage)
            .after([StepId::reverse_replication()])
            .timeout(STORAGE_TIMEOUT),
    );
    plan
}
