//! Reports and the drill card: the console writes the report of every drill and failover that
//! it sees end (a cleanup completes its drill's), opens a card with the figures, and `R` writes
//! the report of any operation.

use crate::domain::{OperationRecord, OperationType};
use crate::tui::app::{App, CardState, Overlay, Screen};
use crate::tui::backend::{BackendError, WrittenReport};
use crate::tui::msg::{Action, Effect};
use crossterm::event::{KeyCode, KeyEvent};

/// Operations whose end is reported: they move or copy the workload, or end a drill.
fn reported_kind(op: OperationType) -> bool {
    matches!(
        op,
        OperationType::TestFailover
            | OperationType::TestCleanup
            | OperationType::PlannedFailover
            | OperationType::Failover
            | OperationType::Failback
    )
}

/// The engine saved the operation's result: its report can be written. (The engine journals
/// the final status together with the result, after the group's state.)
fn result_saved(o: &OperationRecord) -> bool {
    o.status.is_finished()
}

/// The operations of the list whose result was saved since `before` (or that appeared already
/// saved after this console started): each is reported once.
pub fn ended_since(app: &mut App, before: &[OperationRecord]) -> Vec<Action> {
    let ended: Vec<String> = app
        .operations
        .iter()
        .filter(|o| result_saved(o) && reported_kind(o.operation_type))
        .filter(|o| match before.iter().find(|b| b.id == o.id) {
            Some(b) => !result_saved(b),
            None => o.started_at.is_some_and(|s| s >= app.since),
        })
        .map(|o| o.id.clone())
        .collect();
    ended.into_iter().flat_map(|id| at_end(app, id)).collect()
}

/// Report `id` at its end, unless it was already.
pub fn at_end(app: &mut App, id: String) -> Option<Action> {
    let kind = app.operations.iter().find(|o| o.id == id)?.operation_type;
    (reported_kind(kind) && app.reported.insert(id.clone()))
        .then_some(Action::WriteReport { id, at_end: true })
}

/// `R`: the report of the open operation, or of the one selected in the Operations pane.
pub fn report_key(app: &mut App) -> Vec<Action> {
    let id = match &app.screen {
        Screen::Operation(v) => Some(v.id.clone()),
        Screen::Main => app.selected_operation().map(|o| o.id.clone()),
    };
    match id {
        Some(id) => {
            app.info(format!("writing the report of {id}…"));
            vec![Action::WriteReport { id, at_end: false }]
        }
        None => {
            app.info("no operation selected: select one in the Operations pane, then R");
            Vec::new()
        }
    }
}

pub fn written(
    app: &mut App,
    id: &str,
    at_end: bool,
    result: Result<WrittenReport, BackendError>,
) -> Effect {
    let report = match result {
        Ok(r) => r,
        Err(e) => {
            app.error(format!("the report of {id} was not written: {e}"));
            return Effect::redraw();
        }
    };
    let path = report.paths.first().map(|p| p.display().to_string());
    let told = report.detail.record.id.clone();
    if let Some(p) = &path {
        app.reports.insert(told.clone(), p.clone());
        app.reports.insert(id.to_string(), p.clone());
        let also = report
            .paths
            .iter()
            .skip(1)
            .map(|p| format!(" (and {})", p.display()))
            .collect::<String>();
        let of = if told == id {
            format!("report of {id}")
        } else {
            format!("report of drill {told} with its cleanup {id}")
        };
        app.info(format!("{of} written to {p}{also}"));
    }
    if at_end {
        let card = Box::new(CardState {
            detail: report.detail,
            ended: id.to_string(),
            path,
            scroll: 0,
        });
        if app.overlay.is_none() {
            app.overlay = Some(Overlay::Card(card));
        } else {
            app.pending_cards.push(card);
        }
    }
    Effect::redraw()
}

/// A card waiting for the overlay on screen to close takes its place.
pub fn show_pending_card(app: &mut App) -> bool {
    if app.overlay.is_some() || app.pending_cards.is_empty() {
        return false;
    }
    let card = app.pending_cards.remove(0);
    app.overlay = Some(Overlay::Card(card));
    true
}

/// The card's keys: Enter opens the operation, j/k scroll, Esc (or q) dismisses.
pub fn card_key(app: &mut App, mut card: Box<CardState>, ev: KeyEvent) -> Vec<Action> {
    match ev.code {
        KeyCode::Esc | KeyCode::Char('q') | KeyCode::Char('x') => Vec::new(),
        KeyCode::Enter => {
            let id = card.detail.record.id.clone();
            let open = matches!(&app.screen, Screen::Operation(v) if v.id == id);
            if open {
                Vec::new()
            } else {
                super::nav::open_operation(app, id)
            }
        }
        KeyCode::Down | KeyCode::Char('j') | KeyCode::Char('J') => {
            card.scroll = card.scroll.saturating_add(1);
            app.overlay = Some(Overlay::Card(card));
            Vec::new()
        }
        KeyCode::Up | KeyCode::Char('k') | KeyCode::Char('K') => {
            card.scroll = card.scroll.saturating_sub(1);
            app.overlay = Some(Overlay::Card(card));
            Vec::new()
        }
        _ => {
            app.overlay = Some(Overlay::Card(card));
            Vec::new()
        }
    }
}
