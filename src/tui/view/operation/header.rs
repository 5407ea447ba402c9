//! The operation view's top: the title line (type, group, direction, status, elapsed time — the
//! elapsed time is never dropped) and the phase gauges, which follow the steps whose effect
//! stands, so they fall back while a rollback undoes them.

use crate::domain::{OperationRecord, OperationStatus, Phase};
use crate::sanitize::clean;
use crate::tui::app::App;
use crate::tui::backend::OperationDetail;
use crate::tui::symbols;
use crate::tui::theme::{Role, Theme};
use crate::tui::view::duration;
use crate::tui::view::text::width;
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};

/// `Unplanned Failover · db-cluster · site-a ⇢ site-b · ⟳ running · elapsed 2m06s · started …
/// · by …`: the short type name when the long one leaves no room for the elapsed time; the start
/// and the actor only when they fit.
pub fn title_line<'a>(app: &App, r: &OperationRecord, w: u16) -> Line<'a> {
    let t = &app.theme;
    let (sym, role) = symbols::operation_status(r.status);
    let elapsed = r.started_at.map(|s| {
        let end = r.completed_at.unwrap_or(app.now);
        duration((end - s).num_milliseconds().max(0) as f64 / 1000.0)
    });
    let way = match r.operation_type {
        // A fence moves nothing: it names the side it stops.
        crate::domain::OperationType::Fence => clean(&r.direction()),
        _ => format!(
            "{} ⇢ {}",
            clean(&r.source_site_id),
            clean(&r.target_site_id)
        ),
    };
    let rest = format!("· {} · {way} · ", clean(&r.protection_group));
    let status = format!("{sym} {}", r.status);
    let elapsed_text = elapsed
        .as_ref()
        .map(|e| format!(" · elapsed {e}"))
        .unwrap_or_default();
    let fits = |name: &str| width(name) + 2 + width(&rest) + width(&status) + width(&elapsed_text);
    let name = if fits(r.operation_type.label()) <= usize::from(w) {
        r.operation_type.label()
    } else {
        r.operation_type.short_label()
    };
    let mut spans = vec![
        Span::styled(format!(" {name} "), t.style(Role::Title)),
        Span::raw(rest),
        Span::styled(status, t.style(role)),
        Span::styled(elapsed_text, t.style(Role::Text)),
    ];
    let mut room = usize::from(w).saturating_sub(spans.iter().map(Span::width).sum());
    let mut extra = Vec::new();
    if let Some(s) = r.started_at {
        extra.push(format!(" · started {}", s.format("%H:%M:%S")));
    }
    extra.push(format!(" · by {}", clean(&r.actor.to_string())));
    for e in extra {
        if width(&e) <= room {
            room -= width(&e);
            spans.push(Span::styled(e, t.style(Role::Dim)));
        }
    }
    Line::from(spans)
}

/// How far one phase is: the share of its steps whose effect stands now (so a rollback shows
/// as the gauges falling back); the record's progress when the plan lists no step.
pub fn phase_percent(d: &OperationDetail, phase: Phase) -> u8 {
    let r = &d.record;
    let in_phase: Vec<_> = d.steps.iter().filter(|s| s.phase == phase).collect();
    if in_phase.is_empty() {
        if d.steps.is_empty() {
            let (lo, hi) = phase.range();
            let p = r.progress.clamp(lo, hi);
            return ((u32::from(p - lo) * 100) / u32::from(hi - lo)) as u8;
        }
        return if r.status == OperationStatus::Completed {
            100
        } else {
            0
        };
    }
    let standing = in_phase.iter().filter(|s| s.mark.stands()).count();
    ((standing * 100) / in_phase.len()) as u8
}

pub fn draw_gauges(frame: &mut Frame, t: &Theme, d: &OperationDetail, area: Rect) {
    let half = area.width / 2;
    let undoing = matches!(
        d.record.status,
        OperationStatus::RollingBack | OperationStatus::Failed
    );
    for (i, phase) in Phase::ALL.into_iter().enumerate() {
        let x = area.x + if i % 2 == 0 { 0 } else { half };
        let y = area.y + (i / 2) as u16;
        let pct = phase_percent(d, phase);
        let role = match pct {
            100 => Role::Ok,
            p if undoing && p > 0 => Role::Attention,
            0 => Role::Dim,
            _ => Role::Progress,
        };
        let bar_w = usize::from(half).saturating_sub(14 + 6).max(4);
        let line = Line::from(vec![
            Span::styled(format!(" {:<13}", phase.label()), t.style(Role::Title)),
            Span::styled(symbols::bar(pct, bar_w), t.style(role)),
            Span::styled(format!(" {pct:>3}%"), t.style(role)),
        ]);
        frame.render_widget(line, Rect::new(x, y, half, 1));
    }
}
