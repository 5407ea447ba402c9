//! Canned data for screen tests: an estate, operations and their details as the engine would
//! answer them, at a fixed "now" so frames are deterministic.

use crate::domain::StepMark;
use crate::domain::preconditions::{Check, CheckState};
use crate::domain::{
    Actor, ArrayView, EstateView, GroupStatus, GroupView, InstanceView, OperationRecord,
    OperationStatus, OperationType, Phase, ResultData, ServerAtSite, SiteRole, SiteView,
    VolumePairView,
};
use crate::tui::backend::{OperationDetail, OperationRequest, StepView};
use chrono::{DateTime, Duration, TimeZone, Utc};

/// The fixed "now" of the canned data: 2026-11-24 10:42:07 UTC.
pub fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 24, 10, 42, 7)
        .single()
        .unwrap_or_default()
}

pub fn ago(secs: i64) -> DateTime<Utc> {
    now() - Duration::seconds(secs)
}

fn site(name: &str, role: SiteRole, ms: u64, array: &str) -> SiteView {
    SiteView {
        name: name.into(),
        role,
        reachable: true,
        latency_ms: Some(ms),
        identity_ms: Some(ms / 2),
        compute_ms: Some(ms),
        error: None,
        array: ArrayView {
            name: array.into(),
            reachable: true,
            replication: Some("connected".into()),
            error: None,
        },
    }
}

fn group(name: &str, status: GroupStatus, rpo: Option<i64>, target: u64, n: usize) -> GroupView {
    let failed_over = status == GroupStatus::FailedOver;
    GroupView {
        name: name.into(),
        status,
        primary_site: "site-a".into(),
        secondary_site: "site-b".into(),
        current_primary: if failed_over { "site-b" } else { "site-a" }.into(),
        direction: if failed_over {
            "site-b ⇸ site-a".into()
        } else {
            "site-a ⇢ site-b".into()
        },
        rpo_seconds: rpo,
        rpo_target_seconds: target,
        instances: n,
        error: None,
        needs_resync: false,
        attention: None,
        last_operation: None,
        replication_interval_seconds: Some(60),
        fence_pending: None,
        split_brain: Vec::new(),
        missing_members: Vec::new(),
        failover_count: 0,
        peer_sync: None,
    }
}

pub fn estate() -> EstateView {
    EstateView {
        sites: vec![
            site("site-a", SiteRole::Production, 12, "array-a"),
            site("site-b", SiteRole::Dr, 15, "array-b"),
        ],
        protection_groups: vec![
            group("web-app", GroupStatus::Protected, Some(42), 300, 3),
            group("db-cluster", GroupStatus::FailingOver, Some(190), 60, 2),
            group("batch", GroupStatus::FailedOver, None, 900, 5),
        ],
        refreshed_at: now(),
    }
}

/// `n` instances of `group`, named `PREFIX-1…`; the first is shut off.
pub fn instances(group: &str, n: usize) -> Vec<InstanceView> {
    let prefix = group.split('-').next().unwrap_or(group);
    (1..=n)
        .map(|i| {
            let name = format!("{prefix}-{i}");
            InstanceView {
                name: name.clone(),
                group: group.into(),
                servers: vec![
                    ServerAtSite {
                        site: "site-a".into(),
                        server_id: Some(format!("srv-{i:04}")),
                        status: if i == 1 { "SHUTOFF" } else { "ACTIVE" }.into(),
                        flavor: Some(if i % 2 == 0 { "m1.xlarge" } else { "m1.large" }.into()),
                        addresses: vec![format!("10.0.0.{}", i % 250 + 2)],
                        error: None,
                        ports: vec![crate::domain::PortInfo {
                            network: "net-web".into(),
                            ip: Some(format!("10.0.0.{}", i % 250 + 2)),
                            mac: format!("fa:16:3e:00:01:{:02x}", i % 256),
                            floating_ip: None,
                        }],
                        made_by: None,
                        drill_copy: false,
                    },
                    ServerAtSite {
                        site: "site-b".into(),
                        server_id: None,
                        status: "absent".into(),
                        flavor: None,
                        addresses: Vec::new(),
                        error: None,
                        ports: Vec::new(),
                        made_by: None,
                        drill_copy: false,
                    },
                ],
                volumes: (0..(1 + i % 3))
                    .map(|v| VolumePairView {
                        name: format!("{name}-vol{v}"),
                        size_gb: 20,
                        bootable: v == 0,
                        volume_type: "replicated".into(),
                        source_array_volume: format!("{name}-vol{v}"),
                        target: Some(format!("array-a:{group}-pg.1.{name}-vol{v}")),
                        replication: "replicating".into(),
                    })
                    .collect(),
                split_brain: None,
            }
        })
        .collect()
}

fn record(
    id: &str,
    op: OperationType,
    group: &str,
    status: OperationStatus,
    progress: u8,
    started: i64,
) -> OperationRecord {
    OperationRecord {
        id: id.into(),
        operation_type: op,
        protection_group: group.into(),
        status,
        progress,
        source_site_id: "site-a".into(),
        target_site_id: "site-b".into(),
        started_at: Some(ago(started)),
        completed_at: status.is_finished().then(|| ago(started - 90)),
        error_message: None,
        steps_completed: Vec::new(),
        steps_failed: Vec::new(),
        result_data: ResultData::default(),
        actor: Actor {
            user: "operator".into(),
            host: "jump-1".into(),
            ssh_client: None,
        },
    }
}

pub fn operations() -> Vec<OperationRecord> {
    let mut failed = record(
        "op-1",
        OperationType::Failback,
        "batch",
        OperationStatus::Failed,
        61,
        3600,
    );
    failed.source_site_id = "site-b".into();
    failed.target_site_id = "site-a".into();
    failed.error_message = Some("create_server batch-3: compute at site-a answered 500".into());
    vec![
        record(
            "op-3",
            OperationType::Failover,
            "db-cluster",
            OperationStatus::Running,
            55,
            126,
        ),
        record(
            "op-2",
            OperationType::TestFailover,
            "web-app",
            OperationStatus::Completed,
            100,
            1800,
        ),
        failed,
    ]
}

/// A step with its mark, in an operation that runs (`NeverRun` reads as pending); an ended
/// operation's fixture sets its never-run steps with `set_mark(NeverRun, true)`.
pub fn step(
    id: &str,
    label: &str,
    phase: Phase,
    mark: StepMark,
    span: Option<(i64, i64)>,
) -> StepView {
    let mut s = StepView::planned(id, label, phase);
    s.set_mark(mark, false);
    s.timeout_ms = Some(120_000);
    s.attempt = u32::from(span.is_some());
    s.started_at = span.map(|(a, _)| ago(a));
    s.finished_at = span.and_then(|(_, b)| (b > 0).then(|| ago(b)));
    s.duration_ms = span.and_then(|(a, b)| (b > 0).then(|| (a - b) as u64 * 1000));
    s
}

/// A failover of db-cluster, running in the storage phase.
pub fn detail_running() -> OperationDetail {
    use StepMark::*;
    let mut volumes = step(
        "create_volumes_from_snapshot",
        "create_volumes_from_snapshot",
        Phase::Storage,
        Running,
        Some((12, 0)),
    );
    volumes.progress = Some((3, 5));
    OperationDetail {
        record: operations().remove(0),
        steps: vec![
            step(
                "validate_sites",
                "validate_sites",
                Phase::Preparation,
                Succeeded,
                Some((126, 125)),
            ),
            step(
                "final_sync",
                "final_sync",
                Phase::Preparation,
                Succeeded,
                Some((125, 107)),
            ),
            step(
                "promote_snapshot",
                "promote_snapshot",
                Phase::Storage,
                Succeeded,
                Some((107, 12)),
            ),
            volumes,
            step(
                "manage_volumes",
                "manage_volumes",
                Phase::Storage,
                NeverRun,
                None,
            ),
            step(
                "create_server:db-1",
                "create_server db-1 (wave 1)",
                Phase::Instances,
                NeverRun,
                None,
            ),
            step(
                "create_server:db-2",
                "create_server db-2 (wave 2)",
                Phase::Instances,
                NeverRun,
                None,
            ),
            step(
                "update_state",
                "update_state",
                Phase::Finalization,
                NeverRun,
                None,
            ),
        ],
        log: vec![
            "10:40:01 failover of db-cluster started by operator@jump-1".into(),
            "10:40:20 final sync done: snapshot db-pg.2291 arrived at array-b".into(),
            "10:42:05 created volume db-1-data (site-b) from snapshot db-pg.2291".into(),
        ],
        log_path: None,
        ..detail_defaults()
    }
}

/// The parts of a detail a test does not care about.
pub fn detail_defaults() -> OperationDetail {
    OperationDetail {
        record: operations().remove(0),
        steps: Vec::new(),
        log: Vec::new(),
        log_path: None,
        checks: Vec::new(),
        recovery_point: None,
        targets: crate::domain::Targets {
            rpo_target_seconds: 60,
            rto_target_seconds: Some(600),
        },
        retries: Vec::new(),
        cleanup: None,
    }
}

/// A failback of batch that failed creating a server.
pub fn detail_failed() -> OperationDetail {
    use StepMark::*;
    let mut server = step(
        "create_server:batch-3",
        "create_server batch-3 (wave 1)",
        Phase::Instances,
        Failed,
        Some((3560, 3540)),
    );
    server.error = Some("compute at site-a answered 500: No valid host was found".into());
    let mut d = OperationDetail {
        record: operations().remove(2),
        steps: vec![
            step(
                "validate_sites",
                "validate_sites",
                Phase::Preparation,
                Succeeded,
                Some((3600, 3599)),
            ),
            step(
                "final_sync",
                "final_sync",
                Phase::Preparation,
                Succeeded,
                Some((3599, 3580)),
            ),
            step(
                "manage_volumes",
                "manage_volumes",
                Phase::Storage,
                Undone,
                Some((3580, 3570)),
            ),
            step(
                "create_server:batch-1",
                "create_server batch-1 (wave 1)",
                Phase::Instances,
                Undone,
                Some((3570, 3550)),
            ),
            server,
            step(
                "update_state",
                "update_state",
                Phase::Finalization,
                NeverRun,
                None,
            ),
        ],
        log: vec![
            "09:42:47 create_server batch-3 failed: No valid host was found".into(),
            "09:42:48 rolling back: deleting server batch-1".into(),
            "09:43:37 failback of batch failed; batch is failed_over again".into(),
        ],
        log_path: Some("/var/lib/drconsole/logs/op-1.log".into()),
        ..detail_defaults()
    };
    d.record.completed_at = Some(ago(3510));
    for st in &mut d.steps {
        let mark = st.mark;
        st.set_mark(mark, true);
    }
    d
}

pub fn checks(req: &OperationRequest) -> Vec<Check> {
    let c = |label: &str, state, reason: &str| Check {
        label: label.into(),
        state,
        reason: reason.into(),
    };
    let mut out = vec![
        c("source site reachable", CheckState::Ok, "site-a answers"),
        c("target site reachable", CheckState::Ok, "site-b answers"),
        c(
            "replication pairs",
            CheckState::Ok,
            "every volume is replicated",
        ),
        c(
            "networks mapped",
            CheckState::Ok,
            "every network exists at site-b",
        ),
    ];
    if req.operation == OperationType::Failover {
        out.push(c(
            "data loss window",
            CheckState::Warn,
            "writes after 10:41:25 UTC are lost",
        ));
    }
    if req.operation == OperationType::PlannedFailover && !req.stop_servers {
        out.push(c(
            "source servers stopped",
            CheckState::Fail,
            "web-2, web-3 are ACTIVE; stop them or choose \"stop servers\"",
        ));
    }
    out
}
