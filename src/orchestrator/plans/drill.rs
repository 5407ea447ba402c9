//! Drills: a test failover recovers the chosen arrived snapshot into the test networks with
//! production untouched (or quiesced, when the operator does not retain it); its cleanup removes
//! exactly what it made and starts a quiesced production again.

use super::{BOOT_TIMEOUT, PlanInput, recovery, select_snapshot};
use crate::domain::Phase;
use crate::orchestrator::plan::{Plan, StepSpec};
use crate::orchestrator::step::StepId;
use crate::orchestrator::steps::{CleanupTestResources, RestartQuiesced, StopServers};

/// What a drill adds to the names it creates, so they never meet production's.
const TEST_TAG: &str = "test-";

pub(super) fn test_failover(input: &PlanInput) -> Plan {
    let mut plan = Plan::default();
    plan.push(super::validate(input));
    let mut choose_after = StepId::validate_sites();
    if !input.options.retain_primary {
        let quiesce = StopServers::quiesce(input.source, input.servers());
        plan.push(
            StepSpec::new(StepId::quiesce_primary(), quiesce, Phase::Preparation)
                .after([choose_after]),
        );
        choose_after = StepId::quiesce_primary();
    }
    plan.push(select_snapshot(input, choose_after));
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
    // A drill that quiesced production: its copies are gone, production starts again.
    if !input.options.retain_primary {
        let restart = RestartQuiesced {
            site: input.source.into(),
            test_operation: input.options.test_operation.clone().unwrap_or_default(),
            servers: input.group.members.clone(),
        };
        plan.push(
            StepSpec::new(StepId::restart_primary(), restart, Phase::Finalization)
                .after([StepId::cleanup_test_resources()])
                .timeout(BOOT_TIMEOUT),
        );
    }
    plan
}
