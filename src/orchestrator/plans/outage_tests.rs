//! An unplanned failover during a drill: the drill's copies go first, before the source is
//! verified fenced and before anything is made at the target; without a drill there is no such
//! step.

use super::tests::{deps_of, group, inventory};
use super::*;
use crate::orchestrator::steps::CleanupTestResources;

fn failover(test_operation: Option<&str>) -> Plan {
    let (g, inv) = (group(), inventory());
    let options = OperationOptions {
        test_operation: test_operation.map(str::to_string),
        ..Default::default()
    };
    let plan = build_plan(&PlanInput {
        operation_id: "op-20261202-abcdef12",
        operation: OperationType::Failover,
        group: &g,
        source: "site-a",
        target: "site-b",
        inventory: &inv,
        options: &options,
        final_sync_timeout: Duration::from_secs(90),
    });
    plan.validate().expect("a valid DAG");
    plan
}

#[test]
fn the_drills_copies_go_before_anything_is_made_at_the_target() {
    let plan = failover(Some("drill-1"));
    let (spec, cleanup) = plan
        .steps_of::<CleanupTestResources>()
        .next()
        .expect("a cleanup step");
    assert_eq!(
        (cleanup.site.as_str(), cleanup.test_operation.as_str()),
        ("site-b", "drill-1")
    );
    assert_eq!(spec.deps, [StepId::validate_sites()]);
    assert_eq!(
        deps_of(&plan, "verify_fenced"),
        ["fence_source", "cleanup_test_resources"]
    );
    // Everything made at the target waits for the verification, so for the cleanup too.
    assert_eq!(deps_of(&plan, "create_ports:db-1"), ["verify_fenced"]);
    assert!(deps_of(&plan, "select_snapshot").contains(&StepId::verify_fenced()));
    assert!(failover(None).get("cleanup_test_resources").is_none());
}
