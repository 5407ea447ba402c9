//! Every status has a symbol and a colour role, so the screen reads right without colour.

use super::backend::StepView;
use super::theme::Role;
use crate::domain::StepMark;
use crate::domain::preconditions::CheckState;
use crate::domain::{GroupStatus, OperationStatus};

pub const OK: &str = "✓";
pub const FAILED: &str = "✗";
pub const RUNNING: &str = "⟳";
pub const ATTENTION: &str = "⚠";
pub const PENDING: &str = "·";
pub const UNDONE: &str = "↺";
pub const SKIPPED: &str = "-";
pub const VERIFIED: &str = "✔";
pub const NOTHING: &str = "∅";
pub const STANDS: &str = "■";
pub const UP: &str = "●";
pub const DOWN: &str = "○";
/// An active lab fault (one column wide everywhere, unlike the emoji).
pub const FAULT: &str = "⚑";
/// A drill's copy of an instance (not production).
pub const DRILL_COPY: &str = "◇";

/// Spinner frames for running work; animated only while an operation runs.
pub const SPINNER: [&str; 4] = ["⟳", "◴", "◷", "◶"];

pub fn group_status(s: GroupStatus) -> (&'static str, Role) {
    match s {
        GroupStatus::Protected => (OK, Role::Ok),
        GroupStatus::FailedOver => ("◆", Role::Attention),
        GroupStatus::TestActive => ("◇", Role::Progress),
        s if s.is_transient() => (RUNNING, Role::Progress),
        _ => (FAILED, Role::Failed),
    }
}

pub fn operation_status(s: OperationStatus) -> (&'static str, Role) {
    match s {
        OperationStatus::Pending => (PENDING, Role::Dim),
        OperationStatus::Running => (RUNNING, Role::Progress),
        OperationStatus::RollingBack => (UNDONE, Role::Attention),
        OperationStatus::Completed => (OK, Role::Ok),
        OperationStatus::Failed => (FAILED, Role::Failed),
        OperationStatus::Cancelled => (UNDONE, Role::Dim),
        OperationStatus::RollbackFailed => (ATTENTION, Role::Failed),
    }
}

/// A step's symbol and colour from its mark; a step not started yet (its operation runs) is
/// pending, one that never ran in an ended operation is skipped.
pub fn step_status(s: &StepView) -> (&'static str, Role) {
    match s.mark {
        StepMark::NeverRun if s.pending() => (PENDING, Role::Dim),
        StepMark::NeverRun => (SKIPPED, Role::Dim),
        StepMark::Running => (RUNNING, Role::Progress),
        StepMark::Succeeded => (OK, Role::Ok),
        StepMark::Verified => (VERIFIED, Role::Ok),
        StepMark::Failed => (FAILED, Role::Failed),
        StepMark::Undone => (UNDONE, Role::Attention),
        StepMark::NothingToUndo => (NOTHING, Role::Dim),
        StepMark::Irreversible => (STANDS, Role::Attention),
        StepMark::LeftBehind => (ATTENTION, Role::Failed),
    }
}

pub fn check_state(s: CheckState) -> (&'static str, Role) {
    let role = match s {
        CheckState::Ok => Role::Ok,
        CheckState::Warn => Role::Attention,
        CheckState::Fail => Role::Failed,
    };
    (s.symbol(), role)
}

/// RPO now against its target: attention past 80 %, failed past the target.
pub fn rpo_role(rpo_seconds: Option<i64>, target_seconds: u64) -> Role {
    match rpo_seconds {
        None => Role::Dim,
        Some(s) if s > target_seconds as i64 => Role::Failed,
        Some(s) if s * 10 > target_seconds as i64 * 8 => Role::Attention,
        Some(_) => Role::Ok,
    }
}

/// A text sparkline of the last `width` samples on the target's scale: a full bar is the
/// target (or more), so one group's lines compare across time and with other groups. Without a
/// target, scaled to the largest shown.
pub fn sparkline_scaled(samples: &[u64], width: usize, target: u64) -> String {
    const BARS: [char; 8] = ['▁', '▂', '▃', '▄', '▅', '▆', '▇', '█'];
    let start = samples.len().saturating_sub(width);
    let shown = &samples[start..];
    let scale = if target > 0 {
        target
    } else {
        shown.iter().copied().max().unwrap_or(0)
    }
    .max(1);
    shown
        .iter()
        .map(|v| BARS[((v * 7) / scale).min(7) as usize])
        .collect()
}

/// A text progress bar `████░░░░` of `width` cells.
pub fn bar(percent: u8, width: usize) -> String {
    let full = (usize::from(percent.min(100)) * width) / 100;
    let mut s = "█".repeat(full);
    s.push_str(&"░".repeat(width - full));
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_group_status_has_a_symbol() {
        for s in GroupStatus::ALL {
            assert!(!group_status(s).0.is_empty());
        }
        assert_eq!(group_status(GroupStatus::FailoverFailed).1, Role::Failed);
    }

    #[test]
    fn rpo_turns_attention_past_80_percent() {
        assert_eq!(rpo_role(Some(240), 300), Role::Ok);
        assert_eq!(rpo_role(Some(241), 300), Role::Attention);
        assert_eq!(rpo_role(Some(301), 300), Role::Failed);
        assert_eq!(rpo_role(None, 300), Role::Dim);
    }

    #[test]
    fn bars_and_sparklines_have_the_asked_width() {
        assert_eq!(bar(50, 10), "█████░░░░░");
        assert_eq!(bar(200, 4), "████");
        assert_eq!(sparkline_scaled(&[0, 7, 14], 2, 0), "▄█");
        assert_eq!(sparkline_scaled(&[], 5, 60), "");
        // On the target's scale: half the target is half a bar, past it the full bar.
        assert_eq!(sparkline_scaled(&[30, 60, 600], 3, 60), "▄██");
    }
}
