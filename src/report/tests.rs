//! Reports of a canned drill: the figures a reader looks for are there in every format, the HTML
//! names nothing outside itself, and text from the journal cannot inject markup.

use super::*;
use crate::domain::{
    Actor, Check, CheckState, CleanupRef, OperationRecord, OperationStatus, OperationType, Phase,
    Resource, ResourceKind, ResultData, Retry, StepMark, StepView, Targets, UsedPoint,
};
use chrono::{DateTime, Duration, TimeZone, Utc};

fn t0() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 24, 10, 40, 0)
        .single()
        .expect("a valid time")
}

fn step(id: &str, phase: Phase, from: i64, to: i64) -> StepView {
    let mut s = StepView::planned(id, id, phase);
    s.set_mark(StepMark::Succeeded, true);
    s.attempt = 1;
    s.started_at = Some(t0() + Duration::seconds(from));
    s.finished_at = Some(t0() + Duration::seconds(to));
    s
}

pub fn drill() -> OperationDetail {
    let mut server = step("create_server:web-1", Phase::Instances, 20, 30);
    server.label = "create_server web-<b>1</b> (wave 1)".into();
    server.created = vec![Resource::new(
        "site-b",
        ResourceKind::Server,
        "srv-9",
        "test-web-1",
    )];
    OperationDetail {
        record: OperationRecord {
            id: "op-20261124-104000-abcd".into(),
            operation_type: OperationType::TestFailover,
            protection_group: "web-app".into(),
            status: OperationStatus::Completed,
            progress: 100,
            source_site_id: "site-a".into(),
            target_site_id: "site-b".into(),
            started_at: Some(t0()),
            completed_at: Some(t0() + Duration::seconds(62)),
            error_message: None,
            steps_completed: Vec::new(),
            steps_failed: Vec::new(),
            result_data: ResultData {
                instances_created: 1,
                volumes_managed: 2,
                current_primary_site: Some("site-a".into()),
                data_loss_seconds: None,
                leftovers: Vec::new(),
                recovery_point: None,
                ..ResultData::default()
            },
            actor: Actor {
                user: "operator".into(),
                host: "jump-1".into(),
                ssh_client: Some("10.0.0.7".into()),
            },
        },
        steps: vec![
            step("validate_sites", Phase::Preparation, 0, 1),
            step("select_snapshot", Phase::Storage, 1, 3),
            server,
            step("wait_active:wave1", Phase::Instances, 30, 55),
        ],
        log: Vec::new(),
        log_path: None,
        checks: vec![Check {
            label: "replication pairs".into(),
            state: CheckState::Ok,
            reason: "every volume is replicated".into(),
        }],
        recovery_point: Some(UsedPoint {
            name: "array-a:web-app-pg.42".into(),
            created: Some(t0() - Duration::seconds(42)),
            chosen_at: Some(t0()),
        }),
        targets: Targets {
            rpo_target_seconds: 60,
            rto_target_seconds: Some(600),
        },
        retries: vec![Retry {
            at: t0() + Duration::seconds(21),
            step: "create_server:web-1".into(),
            error: "compute answered 503".into(),
        }],
        cleanup: Some(CleanupRef {
            id: "op-cleanup".into(),
            status: OperationStatus::Completed,
            completed_at: Some(t0() + Duration::seconds(300)),
        }),
    }
}

#[test]
fn markdown_holds_the_figures_an_auditor_reads() {
    let md = render(&drill(), Format::Markdown).expect("renders");
    for expected in [
        "# Test Failover of web-app — PASSED: completed; RPO target met, RTO target met",
        "| Direction | site-a ⇢ site-b |",
        "| Run by | operator@jump-1 (SSH from 10.0.0.7) |",
        "snapshot array-a:web-app-pg.42 taken 2026-11-24 10:39:18 UTC",
        "| Data-loss window | 42 s (RPO target 1 m: met) |",
        "55 s from start to the last server ACTIVE (target 10 m: met); 5 m to the end of its cleanup (op-cleanup)",
        "| ✓ | replication pairs | every volume is replicated |",
        "compute answered 503",
        "| site-b | server | test-web-1 | srv-9 |",
        "+20.0s     10.0s  succeeded",
    ] {
        assert!(md.contains(expected), "{expected:?} in:\n{md}");
    }
}

#[test]
fn html_is_self_contained_escaped_and_has_one_bar_per_step() {
    let d = drill();
    let html = render(&d, Format::Html).expect("renders");
    assert_eq!(html.matches("<rect class=\"bar").count(), d.steps.len());
    for outside in [
        "http:", "https:", "src=", "href=", "<script", "@import", "url(",
    ] {
        assert!(!html.contains(outside), "{outside} in the HTML");
    }
    assert!(html.contains("web-&lt;b&gt;1&lt;/b&gt;"), "escaped");
    assert!(!html.contains("web-<b>1"), "never raw");
    assert!(html.contains("@media print"));
    assert!(html.contains("PASSED"));
}

#[test]
fn a_missed_target_fails_the_verdict_and_json_says_so() {
    let mut d = drill();
    d.targets.rto_target_seconds = Some(30);
    let json: serde_json::Value =
        serde_json::from_str(&render(&d, Format::Json).expect("renders")).expect("json");
    assert_eq!(json["passed"], false);
    assert_eq!(json["rto_seconds"], 55);
    assert_eq!(json["data_loss_seconds"], 42);
    assert_eq!(json["rto_verdict"], "missed");
    assert!(
        json["verdict"]
            .as_str()
            .is_some_and(|v| v.contains("RTO target MISSED"))
    );
    assert_eq!(json["steps"].as_array().map(Vec::len), Some(4));
}

#[test]
fn the_audit_summary_lists_every_drill_since_a_date() {
    let since = parse_since("2026-11-01").expect("a date");
    let mut failed = drill();
    failed.record.status = OperationStatus::Failed;
    let text = drills_summary(&[drill(), failed], since, false).expect("renders");
    assert!(text.contains("2 drills, 1 passed."), "{text}");
    assert!(text.contains("| 42 s | 55 s | 5 m |"), "{text}");
    assert!(parse_since("yesterday").is_err());
}

#[test]
fn a_report_is_written_whole_as_markdown_and_html() {
    let dir = tempfile::tempdir().expect("dir");
    let [md, html] = write_pair(&drill(), &dir.path().join("reports")).expect("written");
    assert!(md.ends_with("op-20261124-104000-abcd.md"));
    assert!(std::fs::read_to_string(&html).is_ok_and(|h| h.starts_with("<!DOCTYPE html>")));
    assert!(
        !dir.path()
            .join("reports/op-20261124-104000-abcd.tmp")
            .exists()
    );
}
