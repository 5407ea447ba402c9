//! What a report says, computed once from an operation's detail: every format renders these
//! facts (JSON is them as they are), so Markdown, HTML and JSON never disagree.

use crate::domain::{
    Check, OperationDetail, OperationStatus, Phase, Resource, Retry, UsedPoint, Verdict,
    human_seconds,
};
use crate::sanitize::clean;
use chrono::{DateTime, Utc};
use serde::Serialize;

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StepRow {
    pub id: String,
    pub label: String,
    pub kind: String,
    pub phase: Phase,
    /// The step's mark: succeeded, undone, nothing_to_undo, left_behind, never_run…
    pub mark: String,
    pub attempt: u32,
    pub started_at: Option<DateTime<Utc>>,
    pub finished_at: Option<DateTime<Utc>>,
    /// Seconds from the operation's start to the step's start and end (the timeline's axis).
    pub start_offset_seconds: Option<f64>,
    pub end_offset_seconds: Option<f64>,
    pub error: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PhaseRow {
    pub phase: Phase,
    pub label: &'static str,
    pub started_at: Option<DateTime<Utc>>,
    pub finished_at: Option<DateTime<Utc>>,
    pub steps: usize,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Facts {
    pub operation_id: String,
    pub operation_type: String,
    pub title: String,
    pub group: String,
    pub status: String,
    pub cancelled: bool,
    pub from_site: String,
    pub to_site: String,
    pub actor: String,
    pub ssh_client: Option<String>,
    pub started_at: Option<DateTime<Utc>>,
    pub completed_at: Option<DateTime<Utc>>,
    pub elapsed_seconds: Option<f64>,
    pub error: Option<String>,
    pub new_primary: Option<String>,
    pub instances_created: u32,
    pub volumes_managed: u32,
    pub recovery_point: Option<UsedPoint>,
    pub data_loss_seconds: Option<i64>,
    /// Start to the last server ACTIVE.
    pub rto_seconds: Option<i64>,
    /// A drill: start to the end of its cleanup.
    pub to_cleanup_seconds: Option<i64>,
    pub cleanup_operation: Option<String>,
    pub rpo_target_seconds: u64,
    pub rto_target_seconds: Option<u64>,
    pub rpo_verdict: Verdict,
    pub rto_verdict: Verdict,
    /// One sentence: passed or failed, and why.
    pub verdict: String,
    pub passed: bool,
    pub checks: Vec<Check>,
    pub phases: Vec<PhaseRow>,
    pub steps: Vec<StepRow>,
    pub retries: Vec<Retry>,
    pub created: Vec<Resource>,
    pub removed: Vec<Resource>,
    pub generated_at: DateTime<Utc>,
}

impl Facts {
    pub fn of(d: &OperationDetail) -> Facts {
        let r = &d.record;
        let steps = step_rows(d);
        let (passed, verdict) = verdict(d);
        let (created, removed): (Vec<_>, Vec<_>) = d.resources().partition(|(_, _, made)| *made);
        Facts {
            operation_id: clean(&r.id),
            operation_type: r.operation_type.as_str().to_string(),
            title: format!(
                "{} of {}",
                r.operation_type.label(),
                clean(&r.protection_group)
            ),
            group: clean(&r.protection_group),
            status: r.status.as_str().to_string(),
            cancelled: d.was_cancelled(),
            from_site: clean(&r.source_site_id),
            to_site: clean(&r.target_site_id),
            actor: clean(&r.actor.to_string()),
            ssh_client: r.actor.ssh_client.as_deref().map(clean),
            started_at: r.started_at,
            completed_at: r.completed_at,
            elapsed_seconds: d.elapsed_seconds(r.completed_at.unwrap_or_else(Utc::now)),
            error: r.error_message.as_deref().map(clean),
            new_primary: d.new_primary().map(clean),
            instances_created: r.result_data.instances_created,
            volumes_managed: r.result_data.volumes_managed,
            recovery_point: d.recovery_point.clone(),
            data_loss_seconds: d.data_loss_seconds(),
            rto_seconds: d.rto_seconds(),
            to_cleanup_seconds: d.to_cleanup_seconds(),
            cleanup_operation: d.cleanup.as_ref().map(|c| clean(&c.id)),
            rpo_target_seconds: d.targets.rpo_target_seconds,
            rto_target_seconds: d.targets.rto_target_seconds,
            rpo_verdict: d.rpo_verdict(),
            rto_verdict: d.rto_verdict(),
            verdict,
            passed,
            checks: d.checks.clone(),
            phases: phases(&steps),
            steps,
            retries: d.retries.clone(),
            created: created.into_iter().map(|(_, r, _)| r.clone()).collect(),
            removed: removed.into_iter().map(|(_, r, _)| r.clone()).collect(),
            generated_at: Utc::now(),
        }
    }

    /// `site-a ⇢ site-b`.
    pub fn direction(&self) -> String {
        format!("{} ⇢ {}", self.from_site, self.to_site)
    }

    /// `42 s` or `—`.
    pub fn seconds(v: Option<i64>) -> String {
        v.map(human_seconds).unwrap_or_else(|| "—".into())
    }

    /// `who@host (from 10.0.0.7)`.
    pub fn who(&self) -> String {
        match &self.ssh_client {
            Some(c) => format!("{} (SSH from {c})", self.actor),
            None => format!("{} (local terminal)", self.actor),
        }
    }
}

/// Passed when it completed and missed no target it was measured against.
fn verdict(d: &OperationDetail) -> (bool, String) {
    let target = |v: Verdict, what: &str| match v {
        Verdict::Met => format!("{what} met"),
        Verdict::Missed => format!("{what} MISSED"),
        Verdict::NotMeasured => format!("{what} not measured"),
    };
    let parts = format!(
        "{}, {}",
        target(d.rpo_verdict(), "RPO target"),
        target(d.rto_verdict(), "RTO target")
    );
    match d.record.status {
        OperationStatus::Completed => {
            let missed = d.rpo_verdict() == Verdict::Missed || d.rto_verdict() == Verdict::Missed;
            if missed {
                (false, format!("FAILED: completed, but {parts}"))
            } else {
                (true, format!("PASSED: completed; {parts}"))
            }
        }
        _ if d.was_cancelled() => (false, "CANCELLED by the operator (rolled back)".into()),
        s => (false, format!("FAILED: the operation ended {s}")),
    }
}

/// Every step as the timeline shows it, its times as offsets from the operation's start.
fn step_rows(d: &OperationDetail) -> Vec<StepRow> {
    let t0 = d.record.started_at;
    let offset = |at: Option<DateTime<Utc>>| -> Option<f64> {
        Some((at? - t0?).num_milliseconds().max(0) as f64 / 1000.0)
    };
    d.steps
        .iter()
        .map(|s| StepRow {
            id: clean(&s.id),
            label: clean(&s.label),
            kind: clean(&s.kind),
            phase: s.phase,
            mark: if s.pending() {
                "pending".to_string()
            } else {
                s.mark.as_str().to_string()
            },
            attempt: s.attempt,
            started_at: s.started_at,
            finished_at: s.finished_at,
            start_offset_seconds: offset(s.started_at),
            end_offset_seconds: offset(s.finished_at),
            error: s.error.as_deref().map(clean),
        })
        .collect()
}

/// Each phase from its first step's start to its last step's end.
fn phases(steps: &[StepRow]) -> Vec<PhaseRow> {
    Phase::ALL
        .into_iter()
        .filter_map(|p| {
            let of: Vec<&StepRow> = steps.iter().filter(|s| s.phase == p).collect();
            (!of.is_empty()).then(|| PhaseRow {
                phase: p,
                label: p.label(),
                started_at: of.iter().filter_map(|s| s.started_at).min(),
                finished_at: of.iter().filter_map(|s| s.finished_at).max(),
                steps: of.len(),
            })
        })
        .collect()
}
