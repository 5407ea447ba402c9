//! `update` as plain unit tests: what each message does to the state, which work it asks for,
//! and whether it asks for a redraw at all.

use super::screens::to_typed_confirmation;
use super::*;
use crate::domain::{GroupStatus, OperationType};
use crate::orchestrator::{EventKind, OperationEvent};
use crate::tui::app::{Overlay, Pane, Screen, window};
use crate::tui::backend::StepState;
use crate::tui::dialog::Checks;
use crossterm::event::{MouseButton, MouseEvent, MouseEventKind};

fn event(id: &str, kind: EventKind) -> Msg {
    Msg::Event(OperationEvent {
        operation_id: id.into(),
        at: fake::now(),
        kind,
    })
}

fn open_detail(a: &mut App) -> &crate::tui::backend::OperationDetail {
    let Screen::Operation(v) = &a.screen else {
        panic!("not in the operation view")
    };
    v.detail.as_ref().expect("detail")
}

#[test]
fn operation_view_follows_events() {
    let mut a = app();
    let _ = open_operation(&mut a, "op-3");
    let _ = feed_detail(&mut a, fake::detail_running());
    let done = update(
        &mut a,
        event(
            "op-3",
            EventKind::StepSucceeded {
                step: "create_volumes_from_snapshot".into(),
                duration_ms: 12_000,
            },
        ),
    );
    assert!(done.redraw);
    let _ = update(&mut a, event("op-3", EventKind::Progress { percent: 60 }));
    let _ = update(
        &mut a,
        event(
            "op-3",
            EventKind::Log {
                line: "volumes \x07done".into(),
            },
        ),
    );
    let d = open_detail(&mut a);
    assert_eq!(d.record.progress, 60);
    assert_eq!(d.steps[3].status, StepState::Succeeded);
    assert_eq!(
        d.log.last().map(String::as_str),
        Some("10:42:07 volumes done")
    );
    assert_eq!(a.operations[0].progress, 60);
}

#[test]
fn events_before_the_detail_are_not_lost() {
    let mut a = app();
    let _ = open_operation(&mut a, "op-3");
    let _ = update(
        &mut a,
        event(
            "op-3",
            EventKind::StepSucceeded {
                step: "manage_volumes".into(),
                duration_ms: 1,
            },
        ),
    );
    let _ = feed_detail(&mut a, fake::detail_running());
    assert_eq!(open_detail(&mut a).steps[4].status, StepState::Succeeded);
}

#[test]
fn esc_at_every_step_changes_nothing() {
    let base = app();
    let steps: [&dyn Fn(&mut App); 4] = [
        &|a| {
            key(a, KeyCode::Char('m'));
        },
        &|a| {
            let actions = key(a, KeyCode::Char('f'));
            answer_checks(a, &actions);
        },
        &|a| to_typed_confirmation(a),
        &|a| {
            key(a, KeyCode::Char(':'));
            chars(a, "failover web-app");
        },
    ];
    for open in steps {
        let mut a = base.clone();
        open(&mut a);
        assert!(a.overlay.is_some());
        let actions = key(&mut a, KeyCode::Esc);
        assert!(actions.is_empty(), "{actions:?}");
        assert!(a.overlay.is_none());
        assert_eq!(a.estate, base.estate);
        assert_eq!(a.operations, base.operations);
        assert!(a.own_ops.is_empty());
    }
}

#[test]
fn q_quits_at_once_without_own_operations() {
    let mut a = app();
    assert_eq!(key(&mut a, KeyCode::Char('q')), vec![Action::Quit]);
}

#[test]
fn ctrl_c_quits_from_anywhere_asking_while_own_operation_runs() {
    let ctrl_c = || Msg::Key(KeyEvent::new(KeyCode::Char('c'), KeyModifiers::CONTROL));
    let mut a = app();
    key(&mut a, KeyCode::Char(':'));
    assert_eq!(update(&mut a, ctrl_c()).actions, vec![Action::Quit]);
    let mut a = app();
    a.own_ops.insert("op-3".into());
    key(&mut a, KeyCode::Char('m'));
    assert!(update(&mut a, ctrl_c()).actions.is_empty());
    assert!(matches!(a.overlay, Some(Overlay::QuitConfirm)));
    // A second quick Ctrl-C asks again: only `y` quits while an operation runs here.
    assert!(update(&mut a, ctrl_c()).actions.is_empty());
    assert!(matches!(a.overlay, Some(Overlay::QuitConfirm)));
    assert_eq!(key(&mut a, KeyCode::Char('y')), vec![Action::Quit]);
}

#[test]
fn mouse_click_selects_and_wheel_scrolls() {
    let mut a = app();
    render(&mut a, 80, 24);
    let g = view::layout::MainLayout::of(&a).groups;
    let click = MouseEvent {
        kind: MouseEventKind::Down(MouseButton::Left),
        column: g.x + 3,
        row: g.y + 3, // border, header, first row → the second group
        modifiers: KeyModifiers::NONE,
    };
    let actions = update(&mut a, Msg::Mouse(click)).actions;
    assert_eq!(
        a.selected_group().map(|g| g.name.as_str()),
        Some("db-cluster")
    );
    assert!(
        matches!(actions.as_slice(), [Action::LoadInstances { group, .. }] if group == "db-cluster")
    );
    let wheel = MouseEvent {
        kind: MouseEventKind::ScrollDown,
        ..click
    };
    let _ = update(&mut a, Msg::Mouse(wheel));
    assert_eq!(a.selected_group().map(|g| g.name.as_str()), Some("batch"));
}

#[test]
fn ten_thousand_instances_render_only_the_visible_rows() {
    let mut a = app();
    let _ = feed_instances(&mut a, "web-app", fake::instances("web-app", 10_000));
    a.focus = Pane::Instances;
    key(&mut a, KeyCode::Char('G'));
    // Speed is measured by `cargo bench --bench console`; here: the end of the list is reachable.
    let t = render(&mut a, 200, 60);
    assert!(text(&t).contains("web-10000"));
}

#[test]
fn failover_mode_switch_respects_the_state_machine() {
    let mut a = app();
    let mut e = fake::estate();
    e.protection_groups[0].status = GroupStatus::FailoverFailed;
    let _ = feed_estate(&mut a, e);
    key(&mut a, KeyCode::Char('f'));
    let Some(Overlay::Dialog(d)) = &a.overlay else {
        panic!("no dialog: {:?}", a.message)
    };
    assert_eq!(d.operation, OperationType::Failover);
    assert!(key(&mut a, KeyCode::Char(' ')).is_empty());
    let Some(Overlay::Dialog(d)) = &a.overlay else {
        panic!("dialog closed")
    };
    assert_eq!(d.operation, OperationType::Failover);
    assert!(
        d.error
            .as_deref()
            .is_some_and(|e| e.contains("planned_failover needs"))
    );
}

#[test]
fn stale_checklist_answers_are_dropped() {
    let mut a = app();
    let first = key(&mut a, KeyCode::Char('f'));
    let [
        Action::Check {
            request,
            generation,
        },
        ..,
    ] = first.as_slice()
    else {
        panic!("{first:?}")
    };
    // Switching mode asks again; the first answer then arrives late, for another request.
    let _ = key(&mut a, KeyCode::Char(' '));
    let late = update(
        &mut a,
        Msg::Checks {
            request: request.clone(),
            generation: *generation,
            result: Ok(Vec::new().into()),
        },
    );
    assert!(!late.redraw);
    let Some(Overlay::Dialog(d)) = &a.overlay else {
        panic!("no dialog")
    };
    assert_eq!(d.checks, Checks::Pending);
    // Back to planned: the newest answer is applied, and the first one, for the same request
    // but older, no longer overwrites it.
    let third = key(&mut a, KeyCode::Char(' '));
    answer_checks(&mut a, &third);
    let older = update(
        &mut a,
        Msg::Checks {
            request: request.clone(),
            generation: *generation,
            result: Ok(Vec::new().into()),
        },
    );
    assert!(!older.redraw);
    let Some(Overlay::Dialog(d)) = &a.overlay else {
        panic!("no dialog")
    };
    assert!(
        matches!(&d.checks, Checks::Ready(c) if !c.is_empty()),
        "{:?}",
        d.checks
    );
}

#[test]
fn a_stale_estate_never_overwrites_a_newer_one() {
    let mut a = app();
    let older = a.jobs.issue(Job::Estate);
    let newer = a.jobs.issue(Job::Estate);
    let mut fresh = fake::estate();
    fresh.protection_groups[0].status = GroupStatus::FailedOver;
    let applied = update(
        &mut a,
        Msg::Estate {
            generation: newer,
            result: Ok(fresh),
        },
    );
    assert!(applied.redraw);
    let late = update(
        &mut a,
        Msg::Estate {
            generation: older,
            result: Ok(fake::estate()),
        },
    );
    assert!(!late.redraw && late.actions.is_empty());
    assert_eq!(a.groups()[0].status, GroupStatus::FailedOver);
}

#[test]
fn a_stale_detail_never_overwrites_a_newer_one() {
    let mut a = app();
    let first = open_operation(&mut a, "op-3");
    let [
        Action::LoadDetail {
            generation: older, ..
        },
    ] = first.as_slice()
    else {
        panic!("{first:?}")
    };
    let mut newer = fake::detail_running();
    newer.record.progress = 70;
    let _ = feed_detail(&mut a, newer);
    let late = update(
        &mut a,
        Msg::Detail {
            id: "op-3".into(),
            generation: *older,
            result: Ok(Box::new(fake::detail_running())),
        },
    );
    assert!(!late.redraw);
    assert_eq!(open_detail(&mut a).record.progress, 70);
}

#[test]
fn r_and_the_timer_share_one_refresh_in_flight() {
    let mut a = app();
    let due = update(&mut a, Msg::RefreshDue);
    assert!(matches!(due.actions.first(), Some(Action::Refresh(_))));
    assert!(!due.redraw, "asking for data changes nothing on screen");
    assert!(
        key(&mut a, KeyCode::Char('r')).is_empty(),
        "r while a refresh is in flight starts no second one"
    );
    assert!(update(&mut a, Msg::RefreshDue).actions.is_empty());
    let [Action::Refresh(generation), ..] = due.actions.as_slice() else {
        panic!("{:?}", due.actions)
    };
    let _ = update(
        &mut a,
        Msg::Estate {
            generation: *generation,
            result: Ok(fake::estate()),
        },
    );
    let again = key(&mut a, KeyCode::Char('r'));
    assert!(
        matches!(again.first(), Some(Action::Refresh(_))),
        "{again:?}"
    );
}

#[test]
fn nothing_is_redrawn_when_nothing_changed() {
    let mut a = app();
    assert!(
        !feed_operations(&mut a, fake::operations()).redraw,
        "same list"
    );
    assert!(
        !feed_instances(&mut a, "web-app", fake::instances("web-app", 3)).redraw,
        "same instances"
    );
    let unbound = Msg::Key(KeyEvent::new(KeyCode::Char('x'), KeyModifiers::NONE));
    assert_eq!(update(&mut a, unbound), Effect::none());
    // An event of an operation the list does not show asks for the list once, quietly.
    let unknown = update(&mut a, event("op-9", EventKind::Progress { percent: 5 }));
    assert!(!unknown.redraw);
    assert!(matches!(
        unknown.actions.as_slice(),
        [Action::LoadOperations(_)]
    ));
    let burst = update(&mut a, event("op-9", EventKind::Progress { percent: 6 }));
    assert!(
        burst.actions.is_empty(),
        "one list request in flight is enough"
    );
    // The spinner turns only while something runs.
    assert!(update(&mut a, Msg::Tick(fake::now())).redraw, "op-3 runs");
    let mut ended = fake::operations();
    ended[0].status = crate::domain::OperationStatus::Completed;
    assert!(
        feed_operations(&mut a, ended).redraw,
        "a changed list is drawn"
    );
    assert!(
        !update(&mut a, Msg::Tick(fake::now())).redraw,
        "nothing spins"
    );
    assert!(update(&mut a, Msg::Resize(100, 30)).redraw);
}

#[test]
fn an_ended_operation_is_re_read_until_the_journal_has_its_result() {
    let mut a = app();
    let _ = open_operation(&mut a, "op-3");
    let mut last_step_done = fake::detail_running();
    for s in &mut last_step_done.steps {
        s.status = StepState::Succeeded;
    }
    let _ = feed_detail(&mut a, last_step_done);
    let _ = update(
        &mut a,
        event(
            "op-3",
            EventKind::Status {
                status: crate::domain::OperationStatus::Completed,
            },
        ),
    );
    assert!(open_detail(&mut a).record.status.is_finished());
    let t = render(&mut a, 120, 30);
    assert!(
        text(&t).contains("✓ completed; reading its result from the journal…"),
        "no result is claimed before the journal has it:\n{}",
        text(&t)
    );
    // The events said it ended; the result (instances created…) is the journal's to tell.
    let estate_done = |a: &mut App| {
        let _ = feed_estate(a, fake::estate());
    };
    estate_done(&mut a);
    let due = update(&mut a, Msg::RefreshDue).actions;
    assert!(
        due.iter()
            .any(|x| matches!(x, Action::LoadDetail { id, .. } if id == "op-3"))
    );
    let mut journaled = fake::detail_running();
    journaled.record.status = crate::domain::OperationStatus::Completed;
    journaled.record.result_data.instances_created = 2;
    journaled.record.result_data.current_primary_site = Some("site-b".into());
    for s in &mut journaled.steps {
        s.status = StepState::Succeeded;
    }
    let _ = feed_detail(&mut a, journaled);
    estate_done(&mut a);
    let due = update(&mut a, Msg::RefreshDue).actions;
    assert!(
        !due.iter().any(|x| matches!(x, Action::LoadDetail { .. })),
        "{due:?}"
    );
    let t = render(&mut a, 120, 30);
    assert!(
        text(&t).contains("completed in 2m06s: 2 instances created"),
        "{}",
        text(&t)
    );
}

// The list window and the Tab order of the panes.
#[test]
fn window_keeps_the_selection_visible() {
    assert_eq!(window(0, 0, 10, 100), 0);
    assert_eq!(window(15, 0, 10, 100), 6);
    assert_eq!(window(3, 6, 10, 100), 3);
    assert_eq!(window(99, 95, 10, 100), 90);
    assert_eq!(window(0, 5, 0, 100), 0);
}

#[test]
fn tab_order_cycles() {
    assert_eq!(Pane::Groups.next(), Pane::Instances);
    assert_eq!(Pane::Sites.next(), Pane::Groups);
    assert_eq!(Pane::Groups.prev(), Pane::Sites);
}

#[test]
fn a_drill_dialog_uses_the_test_networks_and_production_only_when_ticked() {
    let mut a = app();
    open_dialog_via_command(&mut a, "drill web-app");
    let mut m = crate::tui::backend::Mappings::default();
    m.network.insert("net-web".into(), "net-web".into());
    m.test_network
        .insert("net-web".into(), "net-web-test".into());
    let _ = update(
        &mut a,
        Msg::Mappings {
            group: "web-app".into(),
            result: Ok(m),
        },
    );
    let Some(Overlay::Dialog(d)) = &mut a.overlay else {
        panic!("no dialog")
    };
    let req = d.request().expect("request");
    assert_eq!(
        req.network_mapping.get("net-web").map(String::as_str),
        Some("net-web-test"),
        "the drill is sent with the test networks"
    );
    assert!(!req.allow_production_network);
    let last = d.fields().len() - 1;
    assert_eq!(
        d.fields()[last],
        crate::tui::dialog::Field::AllowProductionNetwork
    );
    d.field = last;
    d.key(&KeyEvent::new(KeyCode::Char(' '), KeyModifiers::NONE));
    assert!(d.request().expect("request").allow_production_network);
}
