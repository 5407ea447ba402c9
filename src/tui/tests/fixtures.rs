//! Canned operations at their ends, for the screens that must tell the truth: a failover that
//! moved web-app to site-b, a failed one with a long error, a cancelled drill and a failover
//! rolled back; and the estate after the move.

use super::fake::{ago, detail_defaults, estate, operations, step};
use crate::domain::{
    CANCELLED_BY_OPERATOR, EstateView, GroupStatus, OperationDetail, OperationStatus,
    OperationType, Phase, ResultData, StepMark, UsedPoint,
};

/// The estate once web-app failed over: it runs at site-b, replication stopped.
pub fn estate_after_failover() -> EstateView {
    let mut e = estate();
    let g = &mut e.protection_groups[0];
    g.status = GroupStatus::FailedOver;
    g.current_primary = "site-b".into();
    g.direction = "site-b ⇸ site-a".into();
    g.rpo_seconds = None;
    e.protection_groups[1].status = GroupStatus::Protected;
    e.protection_groups[1].rpo_seconds = Some(48);
    e
}

/// An unplanned failover of web-app, site-a ⇢ site-b, `status`, started 300 s ago.
fn failover(status: OperationStatus) -> OperationDetail {
    use StepMark::*;
    let mut record = operations().remove(0);
    record.id = "op-9".into();
    record.protection_group = "web-app".into();
    record.status = status;
    record.progress = if status == OperationStatus::Completed {
        100
    } else {
        64
    };
    record.started_at = Some(ago(300));
    record.completed_at = Some(ago(228));
    let mut rp = step(
        "select_snapshot",
        "select_snapshot",
        Phase::Preparation,
        Succeeded,
        Some((299, 297)),
    );
    rp.kind = "select_snapshot".into();
    let mut wait = step(
        "wait_active:0",
        "wait_active wave 1",
        Phase::Instances,
        Succeeded,
        Some((270, 246)),
    );
    wait.kind = "wait_active".into();
    OperationDetail {
        record,
        steps: vec![
            step(
                "validate_sites",
                "validate_sites",
                Phase::Preparation,
                Succeeded,
                Some((300, 299)),
            ),
            rp,
            step(
                "create_volumes_from_snapshot",
                "create_volumes_from_snapshot",
                Phase::Storage,
                Succeeded,
                Some((297, 285)),
            ),
            step(
                "manage_volumes",
                "manage_volumes",
                Phase::Storage,
                Succeeded,
                Some((285, 280)),
            ),
            step(
                "create_server:web-1",
                "create_server web-1 (wave 1)",
                Phase::Instances,
                Succeeded,
                Some((280, 271)),
            ),
            wait,
            step(
                "set_primary",
                "set_primary site-b",
                Phase::Finalization,
                Irreversible,
                Some((246, 240)),
            ),
        ],
        log: vec![
            "10:37:07 unplanned failover of web-app started by operator@jump-1".into(),
            "10:38:07 web-1 is ACTIVE at site-b".into(),
        ],
        recovery_point: Some(UsedPoint {
            name: "web-app-pg.2291".into(),
            created: Some(ago(342)),
            chosen_at: Some(ago(300)),
        }),
        ..detail_defaults()
    }
}

/// The failover completed: 3 servers at site-b, the new primary.
pub fn completed() -> OperationDetail {
    let mut d = failover(OperationStatus::Completed);
    d.record.result_data = ResultData {
        instances_created: 3,
        volumes_managed: 3,
        current_primary_site: Some("site-b".into()),
        data_loss_seconds: Some(42),
        leftovers: Vec::new(),
        recovery_point: d.recovery_point.clone(),
        ..ResultData::default()
    };
    d
}

/// The long error a failed create answers with.
pub const LONG_ERROR: &str = "compute at site-b answered 500: Build of instance \
     9f1c2d3e-4b5a-6978-8a9b-0c1d2e3f4a5b aborted: Failed to allocate the network(s) with \
     error No fixed IP addresses available for network net-web-dr (subnet 10.200.0.0/24 is \
     exhausted: 254 of 254 addresses in use), not rescheduling.";

/// The failover failed creating web-1 and rolled back what it did.
pub fn failed() -> OperationDetail {
    let mut d = failover(OperationStatus::Failed);
    d.record.error_message = Some(format!("create_server web-1: {LONG_ERROR}"));
    rolled_back(&mut d);
    let s = &mut d.steps[4];
    s.set_mark(StepMark::Failed, true);
    s.error = Some(LONG_ERROR.into());
    d
}

/// The operator cancelled: what ran was undone.
pub fn cancelled() -> OperationDetail {
    let mut d = failover(OperationStatus::Cancelled);
    d.record.operation_type = OperationType::TestFailover;
    d.record.error_message = Some(format!("{CANCELLED_BY_OPERATOR} (operator@jump-1)"));
    rolled_back(&mut d);
    d.steps[4].set_mark(StepMark::Undone, true);
    d
}

/// A failover of web-app that failed and whose rollback undid every step it had done.
pub fn rolled_back_detail() -> OperationDetail {
    let mut d = failover(OperationStatus::Failed);
    d.record.error_message = Some("wait_active wave 1: web-1 went to ERROR at site-b".into());
    rolled_back(&mut d);
    d.steps[5].set_mark(StepMark::Failed, true);
    d.steps[5].error = Some("web-1 went to ERROR at site-b".into());
    d
}

/// Rollback reached every step: the volumes and servers undone, the probes had nothing to undo.
fn rolled_back(d: &mut OperationDetail) {
    for s in &mut d.steps {
        let mark = match s.id.as_str() {
            "validate_sites" | "select_snapshot" => StepMark::NothingToUndo,
            "set_primary" => StepMark::NeverRun,
            _ => StepMark::Undone,
        };
        s.set_mark(mark, true);
    }
    d.steps[6].started_at = None;
    d.steps[6].finished_at = None;
    d.record.result_data = ResultData {
        current_primary_site: Some("site-a".into()),
        ..ResultData::default()
    };
}
