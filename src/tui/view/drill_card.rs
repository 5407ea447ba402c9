//! The card a finished drill or failover leaves on screen until dismissed: the result, the
//! achieved RTO (and a drill's span to its cleanup), the data-loss window, where the workload
//! runs now, the verdict against the group's targets, and where the report was written. Every
//! sentence wraps; a card taller than the screen scrolls.

use super::operation::card::figures;
use super::sentences::{self, Sentences};
use crate::domain::{OperationStatus, OperationType, Verdict, human_seconds};
use crate::sanitize::clean;
use crate::tui::app::{App, CardState};
use crate::tui::symbols;
use crate::tui::theme::Role;
use crate::tui::view::duration;
use ratatui::Frame;
use ratatui::layout::Rect;

/// The card's width on a wide screen.
const WIDTH: u16 = 76;

/// The card's title and sentences.
pub fn content(app: &App, c: &CardState) -> (String, Vec<(String, Role)>) {
    let d = &c.detail;
    let r = &d.record;
    let kind = r.operation_type.label();
    let group = clean(&r.protection_group);
    let (sym, role) = symbols::operation_status(r.status);
    let took = d.elapsed_seconds(app.now).map(duration).unwrap_or_default();
    let title = format!("{kind} of {group}: {}", r.status);
    let mut out = vec![(
        match r.status {
            OperationStatus::Completed => format!(
                "{sym} {kind} {group} {} ⇢ {} completed in {took} ({} instances created).",
                clean(&r.source_site_id),
                clean(&r.target_site_id),
                r.result_data.instances_created
            ),
            _ => format!(
                "{sym} {kind} {group} {} ⇢ {} ended {} after {took}: {}",
                clean(&r.source_site_id),
                clean(&r.target_site_id),
                r.status,
                r.error_message.as_deref().map(clean).unwrap_or_default()
            ),
        },
        role,
    )];
    out.extend(figures(d));
    if let Some(secs) = d.to_cleanup_seconds() {
        out.push((
            format!("Drill to the end of its cleanup: {}.", human_seconds(secs)),
            Role::Text,
        ));
    }
    out.push((where_now(d), Role::Text));
    out.push(verdict_line(d));
    match &c.path {
        Some(p) => out.push((format!("Report: {p}"), Role::Accent)),
        None => out.push((
            "No report was written (see the status line).".into(),
            Role::Failed,
        )),
    }
    (title, out)
}

/// The new primary after a move; where a drill's copies run and what is left to do.
fn where_now(d: &crate::domain::OperationDetail) -> String {
    let r = &d.record;
    let group = clean(&r.protection_group);
    match (r.operation_type, r.status, &d.cleanup) {
        (OperationType::TestFailover, _, Some(c)) => format!(
            "Drill copies at {} were cleaned up ({} {}); production at {} never stopped.",
            clean(&r.target_site_id),
            clean(&c.id),
            c.status,
            clean(&r.source_site_id)
        ),
        (OperationType::TestFailover, OperationStatus::Completed, None) => format!(
            "Drill copies run at {} in the test networks; production at {} is untouched. \
             Clean up with :cleanup {group}.",
            clean(&r.target_site_id),
            clean(&r.source_site_id)
        ),
        _ => match d.new_primary() {
            Some(p) => format!("New primary: {group} runs at {} now.", clean(p)),
            None => format!("{group} runs where it ran before."),
        },
    }
}

fn verdict_line(d: &crate::domain::OperationDetail) -> (String, Role) {
    let (rpo, rto) = (d.rpo_verdict(), d.rto_verdict());
    let role = if rpo == Verdict::Missed || rto == Verdict::Missed {
        Role::Failed
    } else if rpo == Verdict::Met && rto != Verdict::NotMeasured {
        Role::Ok
    } else {
        Role::Attention
    };
    (
        format!(
            "Verdict: RPO target {}, RTO target {}.",
            rpo.as_str(),
            rto.as_str()
        ),
        role,
    )
}

pub fn draw(frame: &mut Frame, app: &App, c: &CardState, area: Rect) {
    let (title, paras) = content(app, c);
    let s = Sentences {
        title: &title,
        paras,
        hint: "Enter open the operation · j/k scroll · Esc dismiss",
    };
    sentences::draw(frame, &app.theme, s, WIDTH, c.scroll, area);
}
