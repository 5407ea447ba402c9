//! What an operation's end leaves behind it, read from its outcome: the group's fence, what it
//! made and what stands (`result_data`, its leftovers included), and whether the group needs the
//! operator before anything else (its attention).

use crate::domain::{
    Attention, AttentionKind, FencePending, FloatingIpHeld, OperationRecord, OperationStatus,
    OperationType, ResultData, UsedPoint,
};
use crate::orchestrator::Outcome;
use crate::orchestrator::steps::{
    CreateServer, FenceSource, FinalSync, ManageVolumes, MoveFloatingIps, SelectSnapshot,
};
use chrono::Utc;

/// What an operation leaves of the group's fence.
pub(super) enum FenceAfter {
    /// A forced failover went on without reaching the old side: it must be fenced later.
    Pending(FencePending),
    /// A fence completed: nothing is pending any more.
    Done,
    Unchanged,
}

pub(super) fn fence_after(
    record: &OperationRecord,
    ok: bool,
    outcome: Option<&Outcome>,
) -> FenceAfter {
    match (record.operation_type, ok) {
        (OperationType::Fence, true) => FenceAfter::Done,
        (OperationType::Failover, true) => {
            let unfenced =
                outcome.is_some_and(|o| o.outputs_of::<FenceSource>().iter().any(|f| !f.fenced));
            if unfenced {
                FenceAfter::Pending(FencePending {
                    site: record.source_site_id.clone(),
                    operation_id: record.id.clone(),
                    since: Utc::now(),
                })
            } else {
                FenceAfter::Unchanged
            }
        }
        _ => FenceAfter::Unchanged,
    }
}

/// What an operation made, read from its steps' typed outputs: every server it created (its
/// plan's create_server steps), the volumes it managed, and the data it lost.
pub(super) fn result_data(
    op: OperationType,
    ok: bool,
    outcome: &Outcome,
    current_primary: Option<String>,
) -> ResultData {
    // A move rolled back lost nothing and recovered nothing: it claims no data loss.
    let past_no_return = outcome
        .plan
        .steps
        .iter()
        .any(|s| s.no_rollback && outcome.outputs.contains_key(&s.id));
    let moves = (ok || past_no_return)
        && matches!(
            op,
            OperationType::PlannedFailover | OperationType::Failover | OperationType::Failback
        );
    let point = {
        let synced = outcome.outputs_of::<FinalSync>();
        let selected = outcome.outputs_of::<SelectSnapshot>();
        synced.into_iter().chain(selected).next()
    };
    let data_loss_seconds = moves
        .then(|| point.as_ref().map(|s| s.data_loss_seconds))
        .flatten();
    let drill = ok && op == OperationType::TestFailover;
    let recovery_point = point.filter(|_| moves || drill).map(|s| UsedPoint {
        name: s.snapshot,
        created: s.created,
        chosen_at: s.chosen_at,
    });
    // What stands is counted (a failure past the point of no return keeps what it made); what
    // stands only because its undo failed is also listed, resource by resource: the leftovers.
    let managed = outcome.standing::<ManageVolumes>();
    ResultData {
        instances_created: outcome.standing::<CreateServer>().len() as u32,
        volumes_managed: managed.iter().map(|m| m.volumes.len() as u32).sum(),
        current_primary_site: current_primary,
        data_loss_seconds,
        leftovers: outcome.leftovers(),
        resources_created: outcome.resources_standing(),
        recovery_point,
        floating_ips: floating_ips(outcome),
        superseded_by: None,
    }
}

/// The floating IPs moved and not given back.
fn floating_ips(outcome: &Outcome) -> Vec<FloatingIpHeld> {
    let site = |spec: &MoveFloatingIps| spec.target.clone();
    let targets: Vec<String> = outcome
        .plan
        .steps_of::<MoveFloatingIps>()
        .map(|(_, s)| site(s))
        .collect();
    let Some(target) = targets.first() else {
        return Vec::new();
    };
    outcome
        .standing::<MoveFloatingIps>()
        .into_iter()
        .flat_map(|o| o.moved)
        .map(|m| FloatingIpHeld {
            site: target.clone(),
            server: m.server,
            address: m.address,
            id: m.id,
        })
        .collect()
}

/// A failback run without reverse replication: nothing replicates until the operator syncs.
pub(super) fn unreversed_failback(op: OperationType, outcome: &Outcome) -> bool {
    op == OperationType::Failback
        && outcome
            .plan
            .get(crate::orchestrator::StepId::stop_replication())
            .is_some()
}

/// What the group must tell the operator after this outcome: what a failed rollback left
/// behind, or that the operation stopped past its point of no return; `None` otherwise.
pub(super) fn attention_of(record: &OperationRecord, outcome: &Outcome) -> Option<Attention> {
    let (kind, reason, leftovers) = match (outcome.status, &outcome.point_of_no_return) {
        (OperationStatus::RollbackFailed, _) => {
            let leftovers = outcome.leftovers();
            let reason = format!(
                "could not be rolled back: {} not undone",
                plural(outcome.left_behind.len(), "step")
            );
            (AttentionKind::RollbackFailed, reason, leftovers)
        }
        // A fence is never undone and is simply run again (`drconsole fence`, or by itself once
        // the side answers): a failed one holds nothing back.
        (_, Some(_)) if record.operation_type == OperationType::Fence => return None,
        (OperationStatus::Failed | OperationStatus::Cancelled, Some(ponr)) => (
            AttentionKind::PastPointOfNoReturn,
            format!(
                "({} {}) {} past its point of no return ({ponr}): what it did stands",
                record.operation_type.label(),
                record.direction(),
                if outcome.status == OperationStatus::Cancelled {
                    "was cancelled"
                } else {
                    "failed"
                }
            ),
            Vec::new(),
        ),
        _ => return None,
    };
    Some(Attention {
        operation_id: record.id.clone(),
        kind,
        reason,
        source: record.source_site_id.clone(),
        target: record.target_site_id.clone(),
        leftovers,
    })
}

fn plural(n: usize, what: &str) -> String {
    if n == 1 {
        format!("1 {what}")
    } else {
        format!("{n} {what}s")
    }
}
