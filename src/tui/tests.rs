//! Screens as insta snapshots on ratatui's TestBackend, and `update` as plain unit tests. The clock
//! is fixed (fake::now) so frames are deterministic.

use super::app::{App, Overlay, Pane, Screen};
use super::backend::OperationRequest;
use super::dialog::Checks;
use super::fake;
use super::keymap::Keymap;
use super::msg::{Action, Msg};
use super::theme::Theme;
use super::update::update;
use super::view;
use crate::domain::{GroupStatus, OperationType};
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers, MouseButton, MouseEvent, MouseEventKind};
use ratatui::Terminal;
use ratatui::backend::TestBackend;

fn app_with(theme: Theme) -> App {
    let mut a = App::new(
        fake::now(),
        "operator@jump-1",
        true,
        theme,
        Keymap::default(),
    );
    let mut estate = fake::estate();
    // A few refreshes so the lag sparkline has a history.
    for rpo in [30, 36, 41, 55, 48, 42] {
        estate.protection_groups[0].rpo_seconds = Some(rpo);
        estate.protection_groups[1].rpo_seconds = Some(rpo * 4);
        update(&mut a, Msg::Estate(Ok(estate.clone())));
    }
    update(&mut a, Msg::Operations(Ok(fake::operations())));
    update(
        &mut a,
        Msg::Instances {
            group: "web-app".into(),
            result: Ok(fake::instances("web-app", 3)),
        },
    );
    a
}

fn app() -> App {
    app_with(Theme::default())
}

fn key(app: &mut App, code: KeyCode) -> Vec<Action> {
    update(app, Msg::Key(KeyEvent::new(code, KeyModifiers::NONE)))
}

fn chars(app: &mut App, s: &str) {
    for c in s.chars() {
        key(app, KeyCode::Char(c));
    }
}

fn render(app: &mut App, w: u16, h: u16) -> Terminal<TestBackend> {
    update(app, Msg::Resize(w, h));
    let mut t = Terminal::new(TestBackend::new(w, h)).expect("terminal");
    t.draw(|f| view::draw(f, app)).expect("draw");
    t
}

fn snap(name: &str, app: &mut App, w: u16, h: u16) {
    let t = render(app, w, h);
    insta::assert_snapshot!(name, t.backend());
}

/// Answer the dialog's pending checklist as the fake engine would.
fn answer_checks(app: &mut App, actions: &[Action]) {
    for a in actions {
        if let Action::Check(req) = a {
            let result = Ok(fake::checks(req));
            update(
                app,
                Msg::Checks {
                    request: req.clone(),
                    result,
                },
            );
        }
    }
}

fn open_dialog_via_command(app: &mut App, line: &str) {
    key(app, KeyCode::Char(':'));
    chars(app, line);
    let actions = key(app, KeyCode::Enter);
    answer_checks(app, &actions);
}

#[test]
fn main_screen_80x24() {
    snap("main_80x24", &mut app(), 80, 24);
}

#[test]
fn main_screen_200x60() {
    snap("main_200x60", &mut app(), 200, 60);
}

#[test]
fn too_small_terminal_says_so() {
    let t = render(&mut app(), 79, 24);
    let text = format!("{}", t.backend());
    assert!(
        text.contains("drconsole needs at least 80×24 (now 79×24)"),
        "{text}"
    );
    snap("too_small", &mut app(), 60, 20);
}

#[test]
fn sites_pane_focused_and_unreachable() {
    let mut a = app();
    let mut e = fake::estate();
    e.sites[1].reachable = false;
    e.sites[1].latency_ms = None;
    e.sites[1].error = Some("connection refused\x1b[2J".into());
    update(&mut a, Msg::Estate(Ok(e)));
    a.focus = Pane::Sites;
    snap("sites_unreachable", &mut a, 80, 24);
}

#[test]
fn operation_view_running() {
    let mut a = app();
    a.focus = Pane::Operations;
    let actions = key(&mut a, KeyCode::Enter);
    assert_eq!(actions, vec![Action::LoadDetail("op-3".into())]);
    update(
        &mut a,
        Msg::Detail {
            id: "op-3".into(),
            result: Ok(Box::new(fake::detail_running())),
        },
    );
    snap("operation_running_80x24", &mut a, 80, 24);
    snap("operation_running_200x60", &mut a, 200, 60);
}

#[test]
fn operation_view_failed() {
    let mut a = app();
    a.focus = Pane::Operations;
    key(&mut a, KeyCode::Char('G'));
    assert_eq!(
        key(&mut a, KeyCode::Enter),
        vec![Action::LoadDetail("op-1".into())]
    );
    update(
        &mut a,
        Msg::Detail {
            id: "op-1".into(),
            result: Ok(Box::new(fake::detail_failed())),
        },
    );
    snap("operation_failed_120x30", &mut a, 120, 30);
}

#[test]
fn operation_view_follows_events() {
    use crate::orchestrator::{EventKind, OperationEvent};
    let mut a = app();
    super::update::open_operation(&mut a, "op-3".into());
    update(
        &mut a,
        Msg::Detail {
            id: "op-3".into(),
            result: Ok(Box::new(fake::detail_running())),
        },
    );
    let ev = |kind| {
        Msg::Event(OperationEvent {
            operation_id: "op-3".into(),
            at: fake::now(),
            kind,
        })
    };
    update(
        &mut a,
        ev(EventKind::StepSucceeded {
            step: "create_volumes_from_snapshot".into(),
            duration_ms: 12_000,
        }),
    );
    update(&mut a, ev(EventKind::Progress { percent: 60 }));
    update(
        &mut a,
        ev(EventKind::Log {
            line: "volumes \x07done".into(),
        }),
    );
    let Screen::Operation(v) = &a.screen else {
        panic!("not in the operation view")
    };
    let d = v.detail.as_ref().expect("detail");
    assert_eq!(d.record.progress, 60);
    assert_eq!(d.steps[3].status, super::backend::StepStatus::Succeeded);
    assert_eq!(
        d.log.last().map(String::as_str),
        Some("10:42:07 volumes done")
    );
    assert_eq!(a.operations[0].progress, 60);
}

#[test]
fn more_menu_dims_what_the_status_does_not_allow() {
    let mut a = app();
    key(&mut a, KeyCode::Char('m'));
    snap("more_menu", &mut a, 80, 24);
    // Reprotect (index 2) is not allowed for a protected group: choosing it opens nothing.
    let Some(Overlay::Menu(m)) = &mut a.overlay else {
        panic!("menu not open")
    };
    m.selected = 2;
    let actions = key(&mut a, KeyCode::Enter);
    assert!(actions.is_empty());
    assert!(matches!(a.overlay, Some(Overlay::Menu(_))));
    let msg = a.message.as_ref().expect("reason").text.clone();
    assert!(msg.contains("needs failed_over"), "{msg}");
    snap("more_menu_dimmed_reason", &mut a, 80, 24);
}

#[test]
fn failover_dialog_preselects_planned_while_both_sites_answer() {
    let mut a = app();
    let actions = key(&mut a, KeyCode::Char('f'));
    let Some(Overlay::Dialog(d)) = &a.overlay else {
        panic!("no dialog")
    };
    assert_eq!(d.operation, OperationType::PlannedFailover);
    assert!(actions.contains(&Action::LoadMappings("web-app".into())));
    answer_checks(&mut a, &actions);
    snap("dialog_planned_failover", &mut a, 80, 24);
    // Switch to unplanned: the checklist is asked again.
    let actions = key(&mut a, KeyCode::Char(' '));
    assert!(
        matches!(actions.as_slice(), [Action::Check(r)] if r.operation == OperationType::Failover)
    );
    answer_checks(&mut a, &actions);
    snap("dialog_unplanned_failover", &mut a, 100, 30);
}

#[test]
fn every_operation_dialog() {
    let cases = [
        ("drill web-app", "dialog_drill"),
        ("sync web-app", "dialog_sync"),
        ("failback batch", "dialog_failback"),
        ("reprotect batch", "dialog_reprotect"),
        ("cleanup reports", "dialog_cleanup"),
    ];
    for (line, name) in cases {
        let mut a = app();
        let mut e = fake::estate();
        let mut reports = e.protection_groups[0].clone();
        reports.name = "reports".into();
        reports.status = GroupStatus::TestActive;
        e.protection_groups.push(reports);
        update(&mut a, Msg::Estate(Ok(e)));
        open_dialog_via_command(&mut a, line);
        assert!(
            matches!(a.overlay, Some(Overlay::Dialog(_))),
            "{line}: {:?}",
            a.message
        );
        snap(name, &mut a, 80, 24);
    }
}

#[test]
fn blocked_checklist_keeps_the_dialog_open() {
    let mut a = app();
    let actions = key(&mut a, KeyCode::Char('f'));
    answer_checks(&mut a, &actions);
    // Untick "stop servers": the fake engine then reports running servers as a failure.
    key(&mut a, KeyCode::Tab);
    let actions = key(&mut a, KeyCode::Char(' '));
    answer_checks(&mut a, &actions);
    assert!(key(&mut a, KeyCode::Enter).is_empty());
    let Some(Overlay::Dialog(d)) = &a.overlay else {
        panic!("dialog closed")
    };
    assert!(d.error.as_deref().is_some_and(|e| e.starts_with("blocked")));
    snap("dialog_blocked", &mut a, 100, 30);
}

fn to_typed_confirmation(a: &mut App) {
    let actions = key(a, KeyCode::Char('f'));
    answer_checks(a, &actions);
    let actions = key(a, KeyCode::Char(' ')); // unplanned
    answer_checks(a, &actions);
    assert!(key(a, KeyCode::Enter).is_empty());
    assert!(matches!(a.overlay, Some(Overlay::Confirm(_))));
}

#[test]
fn typed_confirmation_requires_the_exact_group_name() {
    let mut a = app();
    to_typed_confirmation(&mut a);
    chars(&mut a, "web-ap");
    assert!(key(&mut a, KeyCode::Enter).is_empty());
    chars(&mut a, "pp");
    assert!(
        key(&mut a, KeyCode::Enter).is_empty(),
        "web-appp must not match"
    );
    key(&mut a, KeyCode::Backspace);
    snap("confirm_typed", &mut a, 80, 24);
    let actions = key(&mut a, KeyCode::Enter);
    let [Action::Start(req)] = actions.as_slice() else {
        panic!("{actions:?}")
    };
    assert_eq!(req.operation, OperationType::Failover);
    assert_eq!(req.group, "web-app");
    assert_eq!(req.network_mapping.len(), 0);
    assert!(a.overlay.is_none());
}

#[test]
fn y_n_confirmation_for_a_drill() {
    let mut a = app();
    let actions = key(&mut a, KeyCode::Char('t'));
    answer_checks(&mut a, &actions);
    key(&mut a, KeyCode::Enter);
    snap("confirm_yes_no", &mut a, 80, 24);
    // Enter means No.
    assert!(key(&mut a, KeyCode::Enter).is_empty());
    assert!(a.overlay.is_none());
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
fn started_operation_opens_its_view_and_q_then_asks() {
    let mut a = app();
    let req = OperationRequest::new(OperationType::TestFailover, "web-app");
    let actions = update(
        &mut a,
        Msg::Started {
            request: req,
            result: Ok("op-4".into()),
        },
    );
    assert!(actions.contains(&Action::LoadDetail("op-4".into())));
    assert!(matches!(&a.screen, Screen::Operation(v) if v.id == "op-4"));
    assert!(key(&mut a, KeyCode::Char('q')).is_empty());
    assert!(matches!(a.overlay, Some(Overlay::QuitConfirm)));
    snap("quit_confirm", &mut a, 80, 24);
    assert!(key(&mut a, KeyCode::Char('n')).is_empty());
    assert!(!a.quit);
    key(&mut a, KeyCode::Char('q'));
    assert_eq!(key(&mut a, KeyCode::Char('y')), vec![Action::Quit]);
    assert!(a.quit);
}

#[test]
fn q_quits_at_once_without_own_operations() {
    let mut a = app();
    assert_eq!(key(&mut a, KeyCode::Char('q')), vec![Action::Quit]);
}

#[test]
fn help_overlay_lists_keys_of_the_view() {
    let mut a = app();
    key(&mut a, KeyCode::Char('?'));
    snap("help_main", &mut a, 80, 24);
    key(&mut a, KeyCode::Esc);
    assert!(a.overlay.is_none());
}

#[test]
fn command_line_completes_with_tab() {
    let mut a = app();
    key(&mut a, KeyCode::Char(':'));
    chars(&mut a, "fa");
    key(&mut a, KeyCode::Tab);
    snap("command_candidates", &mut a, 80, 24);
    chars(&mut a, "over w");
    key(&mut a, KeyCode::Tab);
    let Some(Overlay::Command(c)) = &a.overlay else {
        panic!("command line closed")
    };
    assert_eq!(c.input.value(), "failover web-app");
    let actions = key(&mut a, KeyCode::Enter);
    assert!(actions.iter().any(|a| matches!(a, Action::Check(_))));
    assert!(matches!(a.overlay, Some(Overlay::Dialog(_))));
}

#[test]
fn unknown_command_is_explained() {
    let mut a = app();
    key(&mut a, KeyCode::Char(':'));
    chars(&mut a, "explode");
    key(&mut a, KeyCode::Enter);
    snap("command_unknown", &mut a, 80, 24);
}

#[test]
fn filter_narrows_the_focused_list() {
    let mut a = app();
    key(&mut a, KeyCode::Char('/'));
    chars(&mut a, "ba");
    assert_eq!(a.rows(Pane::Groups), vec![2]);
    key(&mut a, KeyCode::Enter);
    assert!(a.overlay.is_none());
    assert_eq!(a.selected_group().map(|g| g.name.as_str()), Some("batch"));
    snap("filter_groups", &mut a, 80, 24);
}

#[test]
fn mouse_click_selects_and_wheel_scrolls() {
    let mut a = app();
    render(&mut a, 80, 24);
    let layout = view::layout::MainLayout::of(&a);
    let g = layout.groups;
    let click = MouseEvent {
        kind: MouseEventKind::Down(MouseButton::Left),
        column: g.x + 3,
        row: g.y + 3, // border, header, first row → the second group
        modifiers: KeyModifiers::NONE,
    };
    let actions = update(&mut a, Msg::Mouse(click));
    assert_eq!(
        a.selected_group().map(|g| g.name.as_str()),
        Some("db-cluster")
    );
    assert_eq!(actions, vec![Action::LoadInstances("db-cluster".into())]);
    let wheel = MouseEvent {
        kind: MouseEventKind::ScrollDown,
        ..click
    };
    update(&mut a, Msg::Mouse(wheel));
    assert_eq!(a.selected_group().map(|g| g.name.as_str()), Some("batch"));
}

#[test]
fn faults_menu_in_lab_mode() {
    let mut a = app();
    key(&mut a, KeyCode::Char('F'));
    snap("faults_menu", &mut a, 80, 24);
    key(&mut a, KeyCode::Right);
    key(&mut a, KeyCode::Down);
    let actions = key(&mut a, KeyCode::Enter);
    let [Action::InjectFault { site, fault }] = actions.as_slice() else {
        panic!("{actions:?}")
    };
    assert_eq!(site, "site-b");
    assert_eq!(fault.kind, "error_rate");
}

#[test]
fn monochrome_theme_pins_styles() {
    let mut a = app_with(Theme::monochrome());
    let t = render(&mut a, 80, 24);
    insta::assert_snapshot!("monochrome_styled", format!("{:?}", t.backend().buffer()));
}

#[test]
fn stale_checklist_answers_are_dropped() {
    let mut a = app();
    key(&mut a, KeyCode::Char('f'));
    let stale = OperationRequest::new(OperationType::Failover, "web-app");
    update(
        &mut a,
        Msg::Checks {
            request: stale,
            result: Ok(Vec::new()),
        },
    );
    let Some(Overlay::Dialog(d)) = &a.overlay else {
        panic!("no dialog")
    };
    assert_eq!(d.checks, Checks::Pending);
}

#[test]
fn ten_thousand_instances_render_only_the_visible_rows() {
    let mut a = app();
    update(
        &mut a,
        Msg::Instances {
            group: "web-app".into(),
            result: Ok(fake::instances("web-app", 10_000)),
        },
    );
    a.focus = Pane::Instances;
    key(&mut a, KeyCode::Char('G'));
    // Speed is measured by `cargo bench --bench console`; here: the end of the list is reachable.
    let t = render(&mut a, 200, 60);
    assert!(format!("{}", t.backend()).contains("web-10000"));
}

#[test]
fn events_before_the_detail_are_not_lost() {
    use crate::orchestrator::{EventKind, OperationEvent};
    let mut a = app();
    super::update::open_operation(&mut a, "op-3".into());
    let ev = OperationEvent {
        operation_id: "op-3".into(),
        at: fake::now(),
        kind: EventKind::StepSucceeded {
            step: "manage_volumes".into(),
            duration_ms: 1,
        },
    };
    update(&mut a, Msg::Event(ev));
    update(
        &mut a,
        Msg::Detail {
            id: "op-3".into(),
            result: Ok(Box::new(fake::detail_running())),
        },
    );
    let Screen::Operation(v) = &a.screen else {
        panic!("not in the operation view")
    };
    let d = v.detail.as_ref().expect("detail");
    assert_eq!(d.steps[4].status, super::backend::StepStatus::Succeeded);
}

#[test]
fn ctrl_c_quits_from_anywhere_asking_while_own_operation_runs() {
    let mut a = app();
    let ctrl_c = || Msg::Key(KeyEvent::new(KeyCode::Char('c'), KeyModifiers::CONTROL));
    key(&mut a, KeyCode::Char(':'));
    assert_eq!(update(&mut a, ctrl_c()), vec![Action::Quit]);
    let mut a = app();
    a.own_ops.insert("op-3".into());
    key(&mut a, KeyCode::Char('m'));
    assert!(update(&mut a, ctrl_c()).is_empty());
    assert!(matches!(a.overlay, Some(Overlay::QuitConfirm)));
    assert_eq!(update(&mut a, ctrl_c()), vec![Action::Quit]);
}

#[test]
fn help_overlay_in_the_operation_view() {
    let mut a = app();
    super::update::open_operation(&mut a, "op-1".into());
    update(
        &mut a,
        Msg::Detail {
            id: "op-1".into(),
            result: Ok(Box::new(fake::detail_failed())),
        },
    );
    key(&mut a, KeyCode::Char('?'));
    snap("help_operation_view", &mut a, 80, 24);
}

#[test]
fn failover_mode_switch_respects_the_state_machine() {
    let mut a = app();
    let mut e = fake::estate();
    e.protection_groups[0].status = GroupStatus::FailoverFailed;
    update(&mut a, Msg::Estate(Ok(e)));
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
fn a_drill_dialog_uses_the_test_networks_and_production_only_when_ticked() {
    let mut a = app();
    open_dialog_via_command(&mut a, "drill web-app");
    let mut m = super::backend::Mappings::default();
    m.network.insert("net-web".into(), "net-web".into());
    m.test_network
        .insert("net-web".into(), "net-web-test".into());
    update(
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
        super::dialog::Field::AllowProductionNetwork
    );
    d.field = last;
    d.key(&KeyEvent::new(KeyCode::Char(' '), KeyModifiers::NONE));
    assert!(d.request().expect("request").allow_production_network);
}

#[test]
fn split_brain_is_loud_in_the_groups_and_instances_panes_at_80_columns() {
    let mut a = app();
    let finding = crate::domain::SplitBrainFinding {
        instance: "web-1".into(),
        active_at: vec!["site-a".into(), "site-b".into()],
        shared_ips: vec!["10.0.0.3".into()],
    };
    let mut e = fake::estate();
    e.protection_groups[0].split_brain = vec![finding.clone()];
    update(&mut a, Msg::Estate(Ok(e)));
    let mut list = fake::instances("web-app", 3);
    list[0].split_brain = Some(finding);
    update(
        &mut a,
        Msg::Instances {
            group: "web-app".into(),
            result: Ok(list),
        },
    );
    let t = render(&mut a, 80, 24);
    let text: String = t
        .backend()
        .buffer()
        .content()
        .iter()
        .map(|c| c.symbol())
        .collect();
    for needle in [
        "✗ split_brain",
        "web-1 SHUTOFF  —          2 ✗ SPLIT-BRAIN",
        "✗ SPLIT-BRAIN · run :fence web-app",
    ] {
        assert!(text.contains(needle), "{needle:?} not on screen:\n{text}");
    }
}
