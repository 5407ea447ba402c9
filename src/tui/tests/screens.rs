//! Every screen and overlay as a snapshot, each also asserting what the operator reads on it:
//! status words with their symbols, the names in prompts, error sentences whole.

use super::*;
use crate::domain::{GroupStatus, OperationType};
use crate::tui::app::{Overlay, Pane, Screen};
use crate::tui::backend::OperationRequest;
use ratatui::style::Color;

#[test]
fn main_screen_80x24() {
    let t = snap(
        "main_80x24",
        &mut app(),
        80,
        24,
        &[
            "Protection groups (3)",
            "web-app    ✓ protected",
            "db-cluster ⟳ failing_over",
            "batch      ◆ failed_over",
            "● site-a   primary",
            "runs web-app, db-cluster",
            "⚠ repl stalled 3m10s",
            "array ✓ connected",
            "PRIMARY ⇢ DR",
            "site-a ⇢ site-b",
            "site-b ⇸ site-a",
            "3m10s stalled",
            "Instances · web-app (3) · runs at site-a",
            "web-1 SHUTOFF",
            "✗ failback",
        ],
    );
    let last = rows(&t).pop().unwrap_or_default();
    assert!(
        last.starts_with(" ? help  / filter  : command  Enter open  m actions  f failover"),
        "{last}"
    );
}

#[test]
fn main_screen_200x60() {
    snap(
        "main_200x60",
        &mut app(),
        200,
        60,
        &[
            "PRIMARY ⇢ DR",
            "web-app    ✓ protected    site-a ⇢ site-b",
            "batch      ◆ failed_over  site-b ⇸ site-a",
            "PRIMARY site-a",
            "DR site-b",
            "Protected instances · web-app (3) · runs at site-a",
            "✓ replicating · 42 s",
            "⟳ unplanned  db-cluster        55%",
        ],
    );
}

#[test]
fn too_small_terminal_says_so() {
    let t = render(&mut app(), 79, 24);
    assert!(text(&t).contains("drconsole needs at least 80×24 (now 79×24)"));
    snap(
        "too_small",
        &mut app(),
        60,
        20,
        &["drconsole needs at least 80×24 (now 60×20)"],
    );
}

#[test]
fn sites_pane_focused_and_unreachable() {
    let mut a = app();
    let mut e = fake::estate();
    e.sites[1].reachable = false;
    e.sites[1].latency_ms = None;
    e.sites[1].error = Some("connection refused\x1b[2J".into());
    let _ = feed_estate(&mut a, e);
    a.focus = Pane::Sites;
    let t = snap(
        "sites_unreachable",
        &mut a,
        80,
        24,
        &[
            "○ site-b   primary down",
            "runs batch",
            "✗ connection refused",
        ],
    );
    assert!(!text(&t).contains('\x1b'), "control characters stripped");
    let wide = render(&mut a, 200, 60);
    assert!(text(&wide).contains("○ site-b   primary unreachable"));
}

#[test]
fn operation_view_running() {
    let mut a = app();
    a.focus = Pane::Operations;
    let actions = key(&mut a, KeyCode::Enter);
    assert!(matches!(actions.as_slice(), [Action::LoadDetail { id, .. }] if id == "op-3"));
    let _ = feed_detail(&mut a, fake::detail_running());
    let expected = [
        "Unplanned Failover · db-cluster · site-a ⇢ site-b · ⟳ running",
        "Steps 3/8",
        "elapsed 2m06s",
        "✓ validate_sites",
        "3/5 12.0 s",
        "· manage_volumes",
        "Storage",
        "33%",
        "3 of 5 done",
    ];
    snap("operation_running_80x24", &mut a, 80, 24, &expected);
    snap(
        "operation_running_200x60",
        &mut a,
        200,
        60,
        &[
            &expected[..],
            &[
                "⟳ create_volumes_from_snapshot",
                "elapsed 2m06s · started 10:40:01 · by operator@jump-1",
            ],
        ]
        .concat(),
    );
}

#[test]
fn operation_view_failed() {
    let mut a = app();
    a.focus = Pane::Operations;
    key(&mut a, KeyCode::Char('G'));
    let actions = key(&mut a, KeyCode::Enter);
    assert!(matches!(actions.as_slice(), [Action::LoadDetail { id, .. }] if id == "op-1"));
    let _ = feed_detail(&mut a, fake::detail_failed());
    snap(
        "operation_failed_120x30",
        &mut a,
        120,
        30,
        &[
            "Failback · batch · site-b ⇢ site-a · ✗ failed",
            "✗ create_server batch-3 (wave 1) failed: compute at site-a answered 500: No valid host was found",
            "What to do next: check site-b and site-a",
            "fix the cause, then start it again with",
            ":failback batch. Full log: /var/lib/drconsole/logs/op-1.log",
            "Rolled back: 2 step(s) undone, 0 had nothing to undo, none left behind",
            "↺ manage_volumes",
            "- update_state",
        ],
    );
}

#[test]
fn more_menu_dims_what_the_status_does_not_allow() {
    let mut a = app();
    key(&mut a, KeyCode::Char('m'));
    snap(
        "more_menu",
        &mut a,
        80,
        24,
        &[
            "More · web-app",
            "▸ Planned Failover",
            "  Unplanned Failover",
            "Reprotect  (not now)",
            "Test Cleanup  (not now)",
            "Enter opens the dialog · Esc closes",
        ],
    );
    // Reprotect (index 2) is not allowed for a protected group: choosing it opens nothing.
    let Some(Overlay::Menu(m)) = &mut a.overlay else {
        panic!("menu not open")
    };
    m.selected = 2;
    let actions = key(&mut a, KeyCode::Enter);
    assert!(actions.is_empty());
    assert!(matches!(a.overlay, Some(Overlay::Menu(_))));
    let why =
        "cannot run reprotect on web-app: its status is protected; reprotect needs failed_over";
    assert_eq!(a.message.as_ref().map(|m| m.text.as_str()), Some(why));
    let t = snap(
        "more_menu_dimmed_reason",
        &mut a,
        80,
        24,
        &["▸ Reprotect  (not now)"],
    );
    // The reason reads whole in the status bar, wrapped, never cut mid-word.
    assert_eq!(prose(&t, 22..24), why);
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
    snap(
        "dialog_planned_failover",
        &mut a,
        80,
        24,
        &[
            "Planned Failover",
            "web-app site-a ⇢ site-b",
            "✓ source site reachable",
            "none: servers stop and a final sync runs before the switch",
            "(•) planned, no data loss   ( ) unplanned",
            "[x] stop production servers first",
        ],
    );
    // Switch to unplanned: the checklist is asked again.
    let actions = key(&mut a, KeyCode::Char(' '));
    assert!(
        matches!(actions.as_slice(), [Action::Check { request, .. }] if request.operation == OperationType::Failover)
    );
    answer_checks(&mut a, &actions);
    snap(
        "dialog_unplanned_failover",
        &mut a,
        100,
        30,
        &[
            "Unplanned Failover",
            "! data loss window             writes after 10:41:25 UTC are lost",
            "writes after 10:41:25 UTC are lost (RPO now 42 s)",
            "( ) planned, no data loss   (•) unplanned",
            "[ ] proceed although the source site is unreachable",
        ],
    );
}

#[test]
fn every_operation_dialog() {
    let cases: [(&str, &str, &[&str]); 5] = [
        (
            "drill web-app",
            "dialog_drill",
            &["Test Failover", "web-app site-a ⇢ site-b"],
        ),
        (
            "sync web-app",
            "dialog_sync",
            &["Sync Now", "Data loss     none"],
        ),
        (
            "failback batch",
            "dialog_failback",
            &[
                "Failback",
                "batch site-b ⇢ site-a",
                "none: a final sync runs before switching back",
            ],
        ),
        (
            "reprotect batch",
            "dialog_reprotect",
            &["Reprotect", "batch site-b ⇢ site-a"],
        ),
        (
            "cleanup reports",
            "dialog_cleanup",
            &["Test Cleanup", "reports site-a ⇢ site-b"],
        ),
    ];
    for (line, name, expected) in cases {
        let mut a = app();
        let mut e = fake::estate();
        let mut reports = e.protection_groups[0].clone();
        reports.name = "reports".into();
        reports.status = GroupStatus::TestActive;
        e.protection_groups.push(reports);
        let _ = feed_estate(&mut a, e);
        open_dialog_via_command(&mut a, line);
        assert!(
            matches!(a.overlay, Some(Overlay::Dialog(_))),
            "{line}: {:?}",
            a.message
        );
        let t = snap(name, &mut a, 80, 24, expected);
        if name == "dialog_drill" {
            // The data-loss line is whole at 80 columns, and the keys stay in the bottom border.
            let screen = prose(&t, 0..24);
            assert!(
                screen.contains("none: production runs on; the drill's data is 42 s old")
                    && screen.contains("Enter confirm"),
                "{}",
                text(&t)
            );
        }
    }
}

#[test]
fn blocked_checklist_keeps_the_dialog_open() {
    let mut a = app();
    let actions = key(&mut a, KeyCode::Char('f'));
    answer_checks(&mut a, &actions);
    // Untick "stop servers": the canned engine then reports running servers as a failure.
    key(&mut a, KeyCode::Tab);
    let actions = key(&mut a, KeyCode::Char(' '));
    answer_checks(&mut a, &actions);
    assert!(key(&mut a, KeyCode::Enter).is_empty());
    let Some(Overlay::Dialog(d)) = &a.overlay else {
        panic!("dialog closed")
    };
    assert!(d.error.as_deref().is_some_and(|e| e.starts_with("blocked")));
    snap(
        "dialog_blocked",
        &mut a,
        100,
        30,
        &[
            "✗ source servers stopped",
            "[ ] stop production servers first",
            "blocked: source servers stopped: web-2, web-3 are ACTIVE; stop them or choose \"stop servers\"",
        ],
    );
}

pub(super) fn to_typed_confirmation(a: &mut App) {
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
    let t = render(&mut a, 80, 24);
    assert!(text(&t).contains("(name does not match yet)"));
    assert!(key(&mut a, KeyCode::Enter).is_empty());
    chars(&mut a, "pp");
    assert!(
        key(&mut a, KeyCode::Enter).is_empty(),
        "web-appp must not match"
    );
    key(&mut a, KeyCode::Backspace);
    let t = snap(
        "confirm_typed",
        &mut a,
        80,
        24,
        &[
            "Unplanned Failover of web-app from site-a to site-b",
            "This is destructive. Type the group's name (web-app) to confirm:",
            "> web-app",
            "[ Enter: start ]",
        ],
    );
    assert!(!text(&t).contains("does not match"));
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
    snap(
        "confirm_yes_no",
        &mut a,
        80,
        24,
        &[
            "Test Failover of web-app from site-a to site-b",
            "Start Test Failover of web-app? (y/N)",
        ],
    );
    // Enter means No.
    assert!(key(&mut a, KeyCode::Enter).is_empty());
    assert!(a.overlay.is_none());
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
    )
    .actions;
    assert!(
        actions
            .iter()
            .any(|x| matches!(x, Action::LoadDetail { id, .. } if id == "op-4"))
    );
    assert!(matches!(&a.screen, Screen::Operation(v) if v.id == "op-4"));
    assert!(key(&mut a, KeyCode::Char('q')).is_empty());
    assert!(matches!(a.overlay, Some(Overlay::QuitConfirm)));
    let t = snap(
        "quit_confirm",
        &mut a,
        80,
        24,
        &["Quit?", "loading operation op-4…"],
    );
    let screen = text(&t);
    for row in crate::tui::view::text::wrap(&crate::tui::view::quit_text(&a), 61) {
        assert!(screen.contains(&row), "{row:?} whole on screen:\n{screen}");
    }
    assert!(!screen.contains("keeps running"), "{screen}");
    assert!(key(&mut a, KeyCode::Char('n')).is_empty());
    assert!(!a.quit);
    key(&mut a, KeyCode::Char('q'));
    assert_eq!(key(&mut a, KeyCode::Char('y')), vec![Action::Quit]);
    assert!(a.quit);
}

#[test]
fn help_overlay_lists_keys_of_the_view() {
    let mut a = app();
    key(&mut a, KeyCode::Char('?'));
    let t = snap(
        "help_main",
        &mut a,
        120,
        60,
        &[
            "?             help",
            "/             filter the focused list",
            "m             actions of the group",
            "F             lab fault menu",
            "j/↓           move down",
            "(Tab completes)",
        ],
    );
    assert!(
        !text(&t).contains("cancel this operation"),
        "not a key of this view"
    );
    key(&mut a, KeyCode::Esc);
    assert!(a.overlay.is_none());
}

#[test]
fn help_overlay_in_the_operation_view() {
    let mut a = app();
    let _ = open_operation(&mut a, "op-1");
    let _ = feed_detail(&mut a, fake::detail_failed());
    key(&mut a, KeyCode::Char('?'));
    let t = snap(
        "help_operation_view",
        &mut a,
        120,
        60,
        &["Esc           back", "c             cancel this operation"],
    );
    assert!(!text(&t).contains("filter the focused list"));
}

#[test]
fn command_line_completes_with_tab() {
    let mut a = app();
    key(&mut a, KeyCode::Char(':'));
    chars(&mut a, "fa");
    key(&mut a, KeyCode::Tab);
    snap(
        "command_candidates",
        &mut a,
        80,
        24,
        &[":fail", "│ failover │", "│ failback │"],
    );
    chars(&mut a, "over w");
    key(&mut a, KeyCode::Tab);
    let Some(Overlay::Command(c)) = &a.overlay else {
        panic!("command line closed")
    };
    assert_eq!(c.input.value(), "failover web-app");
    let actions = key(&mut a, KeyCode::Enter);
    assert!(actions.iter().any(|a| matches!(a, Action::Check { .. })));
    assert!(matches!(a.overlay, Some(Overlay::Dialog(_))));
}

#[test]
fn unknown_command_is_explained() {
    let mut a = app();
    key(&mut a, KeyCode::Char(':'));
    chars(&mut a, "explode");
    key(&mut a, KeyCode::Enter);
    let t = snap("command_unknown", &mut a, 80, 24, &[]);
    assert_eq!(
        prose(&t, 22..24),
        "unknown command :explode; commands are :failover :drill :cleanup :failback :reprotect \
         :sync :fence :ops :theme :q"
    );
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
    let t = snap(
        "filter_groups",
        &mut a,
        80,
        24,
        &[
            "Protection groups (1/3) /ba",
            "batch      ◆ failed_over",
            "Instances · batch (0) · runs at site-b",
        ],
    );
    assert!(!text(&t).contains("web-app    ✓"), "filtered out");
}

#[test]
fn faults_menu_in_lab_mode() {
    let mut a = app();
    key(&mut a, KeyCode::Char('F'));
    snap(
        "faults_menu",
        &mut a,
        80,
        24,
        &[
            "Lab faults",
            "site:  site-a   site-b",
            "▸ site down",
            "clear all faults",
        ],
    );
    key(&mut a, KeyCode::Right);
    key(&mut a, KeyCode::Down);
    let actions = key(&mut a, KeyCode::Enter);
    let [Action::InjectFault { site, fault }] = actions.as_slice() else {
        panic!("{actions:?}")
    };
    assert_eq!(site, "site-b");
    assert_eq!(fault.kind, crate::tui::backend::FaultKind::ErrorRate);
    assert_eq!(fault.rate, Some(0.5));
}

#[test]
fn monochrome_theme_pins_styles() {
    let mut a = app_with(Theme::monochrome());
    let t = render(&mut a, 80, 24);
    let buf = t.backend().buffer();
    assert!(
        buf.content()
            .iter()
            .all(|c| c.fg == Color::Reset && c.bg == Color::Reset),
        "monochrome draws no colour: meaning is in words and symbols"
    );
    assert!(text(&t).contains("web-app    ✓ protected"));
    snap_styled("monochrome_styled", &t);
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
    let _ = feed_estate(&mut a, e);
    let mut list = fake::instances("web-app", 3);
    list[0].split_brain = Some(finding);
    let _ = feed_instances(&mut a, "web-app", list);
    let t = render(&mut a, 80, 24);
    let screen = text(&t);
    for needle in [
        "✗ split_brain",
        "web-1 SHUTOFF   —           2 ✗ SPLIT-BRAIN",
        "✗ SPLIT-BRAIN · run :fence web-app",
    ] {
        assert!(
            screen.contains(needle),
            "{needle:?} not on screen:\n{screen}"
        );
    }
}

#[test]
fn a_group_that_needs_attention_says_so_in_the_groups_pane() {
    let mut a = app();
    let mut e = fake::estate();
    e.protection_groups[0].status = crate::domain::GroupStatus::PlannedFailoverFailed;
    e.protection_groups[0].attention = Some(crate::domain::Attention {
        operation_id: "0badc0de-1111".into(),
        kind: crate::domain::AttentionKind::RollbackFailed,
        reason: "could not be rolled back: 1 step not undone".into(),
        source: "site-a".into(),
        target: "site-b".into(),
        leftovers: Vec::new(),
    });
    let _ = feed_estate(&mut a, e);
    let screen = text(&render(&mut a, 100, 24));
    assert!(screen.contains("web-app    ⚠ attention"), "{screen}");
}
