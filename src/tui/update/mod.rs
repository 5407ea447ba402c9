//! `update`: the only place state changes. It takes one `Msg`, changes the `App`, and answers with
//! an `Effect`: the `Action`s the runtime should carry out and whether the screen changed. Pure:
//! no IO, no clock, no async. One handler per kind of message.

mod follow;
mod keys;
mod menus;
mod mouse;
mod nav;
mod overlays;
mod replies;
mod reports;

pub use follow::{apply_event, replay};
pub use nav::{open_operation, resumed, start};

use super::app::App;
use super::msg::{Effect, Msg};
use crossterm::event::KeyEventKind;

pub fn update(app: &mut App, msg: Msg) -> Effect {
    let mut effect = dispatch(app, msg);
    effect.redraw |= reports::show_pending_card(app);
    effect
}

fn dispatch(app: &mut App, msg: Msg) -> Effect {
    match msg {
        Msg::Key(ev) if ev.kind == KeyEventKind::Release => Effect::none(),
        Msg::Key(ev) => keys::key(app, ev),
        Msg::Mouse(m) => mouse::mouse(app, m),
        Msg::Resize(w, h) => replies::resize(app, w, h),
        Msg::RefreshDue => Effect::quiet(nav::refresh(app)),
        Msg::Estate { generation, result } => replies::estate(app, generation, result),
        Msg::Instances {
            group,
            generation,
            result,
        } => replies::instances(app, &group, generation, result),
        Msg::Operations { generation, result } => replies::operations(app, generation, result),
        Msg::GroupStates { generation, result } => replies::group_states(app, generation, result),
        Msg::JournalChanged => replies::journal_changed(app),
        Msg::RpoHistory(r) => replies::rpo_history(app, r),
        Msg::JournalUnfollowed(e) => replies::journal_unfollowed(app, e),
        Msg::Detail {
            id,
            generation,
            result,
        } => replies::detail(app, &id, generation, result),
        Msg::Mappings { group, result } => menus::on_mappings(app, &group, result),
        Msg::Event(e) => follow::on_event(app, e),
        Msg::EventsLagged(_) => replies::lagged(app),
        Msg::Checks {
            request,
            generation,
            result,
        } => menus::on_checks(app, request, generation, result),
        Msg::Started { request, result } => replies::started(app, request, result),
        Msg::Cancelled { id, result } => replies::cancelled(app, &id, result),
        Msg::Fault(r) => replies::fault(app, r),
        Msg::LabFaults(r) => replies::lab_faults(app, r),
        Msg::Report { id, at_end, result } => reports::written(app, &id, at_end, result),
        Msg::Theme(r) => replies::theme(app, r),
        Msg::Tick(now) => replies::tick(app, now),
    }
}
