//! Sync now: replicate the group at once and wait for the snapshot to arrive; after a forced
//! failover, first make the running side replicate to the other again.

use super::{PlanInput, STORAGE_TIMEOUT};
use crate::domain::Phase;
use crate::orchestrator::plan::{Plan, StepSpec};
use crate::orchestrator::step::StepId;
use crate::orchestrator::steps::{ReplicateNow, ReverseReplication};

pub(super) fn plan(input: &PlanInput) -> Plan {
    let mut plan = Plan::default();
    plan.push(super::validate(input));
    let mut sync_after = StepId::validate_sites();
    if input.options.resync {
        let reverse = ReverseReplication {
            new_source: input.source.into(),
            new_target: input.target.into(),
            array_pg: input.group.array_pg.clone(),
        };
        plan.push(
            StepSpec::new(StepId::reverse_replication(), reverse, Phase::Storage)
                .after([sync_after]),
        );
        sync_after = StepId::reverse_replication();
    }
    let sync = ReplicateNow {
        source: input.source.into(),
        target: input.target.into(),
        array_pg: input.group.array_pg.clone(),
    };
    plan.push(
        StepSpec::new(StepId::replicate_now(), sync, Phase::Storage)
            .after([sync_after])
            .timeout(STORAGE_TIMEOUT),
    );
    plan
}
