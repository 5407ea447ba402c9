//! Operation names, statuses and phases, table by table.

use super::*;

#[test]
fn phase_progress_stays_inside_its_range() {
    assert_eq!(Phase::Storage.progress(0, 4), 20);
    assert_eq!(Phase::Storage.progress(2, 4), 40);
    assert_eq!(Phase::Storage.progress(4, 4), 60);
    assert_eq!(Phase::Storage.progress(9, 4), 60);
    assert_eq!(Phase::Instances.progress(0, 0), 90);
}

#[test]
fn what_stops_deletes_or_overwrites_asks_for_the_group_name() {
    use Confirmation as C;
    use OperationType as O;
    let table = [
        (O::PlannedFailover, C::TypeGroupName),
        (O::Failover, C::TypeGroupName),
        (O::Failback, C::TypeGroupName),
        (O::Reprotect, C::TypeGroupName),
        (O::TestFailover, C::YesNo),
        (O::TestCleanup, C::YesNo),
        (O::SyncNow, C::None),
        (O::Fence, C::TypeGroupName),
    ];
    for (op, level) in table {
        assert_eq!(op.confirmation(), level, "{op}");
    }
    assert!(C::TypeGroupName.accepts("web-app", "web-app\n"));
    assert!(!C::TypeGroupName.accepts("web-app", "web"));
    assert!(!C::TypeGroupName.accepts("web-app", "y"));
    assert!(C::YesNo.accepts("web-app", "y"));
    assert!(!C::YesNo.accepts("web-app", ""));
}

#[test]
fn every_operation_has_distinct_names() {
    let labels: std::collections::BTreeSet<_> =
        OperationType::ALL.iter().map(|o| o.label()).collect();
    let shorts: std::collections::BTreeSet<_> =
        OperationType::ALL.iter().map(|o| o.short_label()).collect();
    assert_eq!(labels.len(), OperationType::ALL.len());
    assert_eq!(shorts.len(), OperationType::ALL.len());
}

#[test]
fn statuses_read_as_journaled_and_four_are_finished() {
    for st in OperationStatus::ALL {
        assert_eq!(
            serde_json::to_value(st).unwrap(),
            serde_json::Value::String(st.as_str().into())
        );
    }
    let finished: Vec<&str> = OperationStatus::ALL
        .into_iter()
        .filter(|s| s.is_finished())
        .map(|s| s.as_str())
        .collect();
    assert_eq!(
        finished,
        ["completed", "failed", "cancelled", "rollback_failed"]
    );
}

#[test]
fn operation_names_parse_with_dashes_or_underscores() {
    assert_eq!("test-failover".parse(), Ok(OperationType::TestFailover));
    assert_eq!("sync_now".parse(), Ok(OperationType::SyncNow));
    let err = "explode".parse::<OperationType>().unwrap_err();
    assert!(err.contains("planned_failover"), "{err}");
}
