//! What a console re-reads when an operation ends is already true: the final status is published
//! only after the group state and the operation's record are saved.

mod common;

use common::{lab, req};
use drconsole::domain::{GroupStatus, OperationStatus, OperationType as Op};
use drconsole::orchestrator::EventKind;
use std::time::Duration;

#[tokio::test]
async fn the_final_status_is_published_after_the_group_state_and_the_record_are_saved() {
    let lab = lab().await;
    let engine = lab.engine();
    let mut bus = engine.events().subscribe();
    let id = engine
        .start(req(Op::TestFailover, "web-app"))
        .await
        .expect("the drill starts")
        .id;
    let status = tokio::time::timeout(Duration::from_secs(120), async {
        loop {
            let e = bus.recv().await.expect("the bus stays open");
            if let EventKind::Status { status } = e.kind
                && e.operation_id == id
                && status.is_finished()
            {
                return status;
            }
        }
    })
    .await
    .expect("the drill ends within two minutes");
    // Read at once, as a console does on this event: nothing may be stale.
    let state = engine.group_state("web-app").await.expect("group state");
    let detail = engine.operation_detail(&id, 10).await.expect("detail");
    assert_eq!(status, OperationStatus::Completed);
    assert_eq!(state.status, GroupStatus::TestActive, "the group moved on");
    assert_eq!(detail.record.status, OperationStatus::Completed);
    assert_eq!(detail.record.result_data.instances_created, 3);
    assert_eq!(detail.record.result_data.volumes_managed, 3);
    assert!(detail.record.completed_at.is_some());
}
