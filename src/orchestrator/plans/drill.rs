//! Drills: a test failover recovers the newest arrived snapshot into the test networks with
//! production untouched; its cleanup removes exactly what it made.

use super::{BOOT_TIMEOUT, PlanInput, recovery, select_snapshot};
use crate::domain::Phase;
use crate::orchestrator::plan::{Plan, StepSpec};
use crate::orchestrator::step::StepId;
use crate::orchestrator::steps::CleanupTestResources;

/// What a drill adds to the names it creates, so they never meet production's.
const TEST_TAG: &str = "test-";

pub(super) fn test_failover(input: &PlanInput) -> Plan {
    let mut plan = Plan::default();
    plan.push(super::validate(input));
    plan.push(select_snapshot(input, StepId::validate_sites()));
    recovery::push(&mut plan, input, StepId::select_snapshot(), TEST_TAG);
    plan
}

pub(super) fn test_cleanup(input: &PlanInput) -> Plan {
    let mut plan = Plan::default();
    plan.push(super::validate(input));
    let cleanup = CleanupTestResources {
        site: input.target.into(),
        test_operation: input.options.test_operation.clone().unwrap_or_default(),
    };
    plan.push(
        StepSpec::new(StepId::cleanup_test_resources(), cleanup, Phase::Instances)
            .after([StepId::validate_sites()])
            .timeout(BOOT_TIMEOUT),
    );
    plan
}
