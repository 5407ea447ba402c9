//! The screens issue 10 is about, at 80×24 and 200×50, each asserting the words and figures an
//! operator reads: the main screen after a failover (where each group runs now), the operation
//! view of a completed, a failed (long error), a cancelled and a rolled-back operation, and the
//! card a drill leaves. The whole text of a card is read by scrolling it, so "never cut" is
//! checked, not assumed.

use super::fixtures::{self, LONG_ERROR};
use super::*;
use crate::domain::{OperationType, ServerAtSite};
use crate::tui::app::{Overlay, Screen};
use crate::tui::backend::WrittenReport;

const SIZES: [(u16, u16); 2] = [(80, 24), (200, 50)];

/// web-app's instances after the move: ACTIVE at site-b, shut off at site-a.
fn moved_instances() -> Vec<crate::domain::InstanceView> {
    let mut list = fake::instances("web-app", 3);
    for i in &mut list {
        i.servers[0].status = "SHUTOFF".into();
        i.servers[1] = ServerAtSite {
            server_id: Some(format!("b-{}", i.name)),
            status: "ACTIVE".into(),
            flavor: Some("m1.large".into()),
            ..i.servers[0].clone()
        };
        i.servers[1].site = "site-b".into();
        for v in &mut i.volumes {
            v.replication = "replication stopped".into();
        }
    }
    list
}

#[test]
fn the_main_screen_after_a_failover_shows_where_each_group_runs_now() {
    let mut a = app();
    let _ = feed_estate(&mut a, fixtures::estate_after_failover());
    let _ = feed_instances(&mut a, "web-app", moved_instances());
    let common = [
        "web-app    ◆ failed_over",
        "site-b ⇸ site-a",
        "db-cluster ✓ protected",
        "site-a ⇢ site-b",
        "PRIMARY ⇢ DR",
        "● site-a   primary",
        "runs db-cluster",
        "● site-b   primary",
        "runs web-app, batch",
        "web-app (3) · runs at site-b",
    ];
    snap("truth_main_after_failover_80x24", &mut a, 80, 24, &common);
    let t = snap(
        "truth_main_after_failover_200x50",
        &mut a,
        200,
        50,
        &[
            &common[..],
            &["DR site-a", "PRIMARY site-b", "ACTIVE  m1.large"],
        ]
        .concat(),
    );
    let screen = text(&t);
    assert!(
        !screen.contains("PRODUCTION"),
        "no configured role where the group runs elsewhere:\n{screen}"
    );
}

/// Open `d` in the operation view as Enter on it would.
fn opened(d: crate::domain::OperationDetail) -> App {
    let mut a = app();
    let mut ops = fake::operations();
    ops.insert(0, d.record.clone());
    let _ = feed_operations(&mut a, ops);
    open_operation(&mut a, &d.record.id.clone());
    let _ = feed_detail(&mut a, d);
    a
}

/// The whole card of the operation view at `w`×`h`, read by scrolling it (J) to its end.
fn whole_card(a: &mut App, w: u16, h: u16) -> String {
    if let Screen::Operation(v) = &mut a.screen {
        v.card_scroll = 0;
    }
    let mut seen = String::new();
    for _ in 0..40 {
        let t = render(a, w, h);
        seen.push_str(&prose(&t, 0..usize::from(h)));
        seen.push(' ');
        if !text(&t).contains("more below") {
            return seen;
        }
        key(a, KeyCode::Char('J'));
    }
    panic!("the card never reached its end:\n{seen}");
}

#[test]
fn a_completed_failover_reads_its_figures_from_its_record() {
    let mut a = opened(fixtures::completed());
    for (w, h) in SIZES {
        let name = format!("truth_operation_completed_{w}x{h}");
        let t = snap(&name, &mut a, w, h, &["✓ completed", "elapsed 1m12s"]);
        // An operation that ended offers no cancel.
        assert!(!text(&t).contains("c cancel"), "{}", text(&t));
        let card = whole_card(&mut a, w, h);
        for said in [
            "completed in 1m12s: 3 instances created, 3 volumes managed.",
            "web-app now runs at site-b (primary).",
            "Recovery point: snapshot web-app-pg.2291",
            "data-loss window 42 s: writes after 10:36:25 UTC are not in the copy",
            "(RPO target 1 m: met)",
            "RTO: 54 s to the last server ACTIVE (target 10 m: met).",
        ] {
            assert!(card.contains(said), "{w}x{h}: {said:?} in:\n{card}");
        }
    }
}

#[test]
fn a_failed_operation_shows_its_whole_error_and_what_to_do_next() {
    let mut a = opened(fixtures::failed());
    for (w, h) in SIZES {
        let name = format!("truth_operation_failed_{w}x{h}");
        snap(&name, &mut a, w, h, &["✗ failed", "What failed"]);
        let card = whole_card(&mut a, w, h);
        let error = LONG_ERROR.split_whitespace().collect::<Vec<_>>().join(" ");
        for said in [
            format!("✗ create_server web-1 (wave 1) failed: {error}"),
            "Rolled back: 3 step(s) undone, 2 had nothing to undo, none left behind; web-app \
             is protected."
                .into(),
            "What to do next: check site-a and site-b".into(),
            "start it again with :failover web-app.".into(),
        ] {
            assert!(card.contains(&said), "{w}x{h}: {said:?} in:\n{card}");
        }
    }
}

#[test]
fn a_cancelled_operation_reads_as_a_cancel_not_a_failure() {
    let mut a = opened(fixtures::cancelled());
    for (w, h) in SIZES {
        let name = format!("truth_operation_cancelled_{w}x{h}");
        let t = snap(&name, &mut a, w, h, &["Cancelled"]);
        assert!(!text(&t).contains("What failed"), "{}", text(&t));
        let card = whole_card(&mut a, w, h);
        for said in [
            "Cancelled by the operator: what it had done was rolled back (4 undone, 2 with \
             nothing to undo). This was not a failure.",
            "Start it again when ready: :drill web-app.",
        ] {
            assert!(card.contains(said), "{w}x{h}: {said:?} in:\n{card}");
        }
    }
}

#[test]
fn a_rolled_back_operation_shows_each_mark_and_its_gauges_fall_back() {
    let mut a = opened(fixtures::rolled_back_detail());
    for (w, h) in SIZES {
        let name = format!("truth_operation_rolled_back_{w}x{h}");
        snap(
            &name,
            &mut a,
            w,
            h,
            &[
                "✗ failed",
                "↺ manage_volumes",
                "∅ validate_sites",
                "Storage",
                "  0%",
            ],
        );
        if h > 24 {
            assert!(text(&render(&mut a, w, h)).contains("- set_primary site-b · never run"));
        }
        let card = whole_card(&mut a, w, h);
        for said in [
            "✗ wait_active wave 1 failed: web-1 went to ERROR at site-b",
            "Rolled back: 3 step(s) undone, 2 had nothing to undo, none left behind",
        ] {
            assert!(card.contains(said), "{w}x{h}: {said:?} in:\n{card}");
        }
    }
}

#[test]
fn a_drill_leaves_a_card_with_its_figures_until_dismissed() {
    let mut drill = fixtures::completed();
    drill.record.operation_type = OperationType::TestFailover;
    drill.record.result_data.current_primary_site = Some("site-a".into());
    let mut a = opened(drill.clone());
    let _ = update(
        &mut a,
        Msg::Report {
            id: "op-9".into(),
            at_end: true,
            result: Ok(WrittenReport {
                detail: Box::new(drill),
                paths: vec![
                    "/var/lib/drconsole/reports/op-9.md".into(),
                    "/var/lib/drconsole/reports/op-9.html".into(),
                ],
            }),
        },
    );
    assert!(matches!(a.overlay, Some(Overlay::Card(_))));
    for (w, h) in SIZES {
        let t = snap(
            &format!("truth_drill_card_{w}x{h}"),
            &mut a,
            w,
            h,
            &["Test Failover of web-app: completed"],
        );
        let said = prose(&t, 0..usize::from(h));
        for want in [
            "✓ Test Failover web-app site-a ⇢ site-b completed in 1m12s (3 instances created).",
            "data-loss window 42 s",
            "RTO: 54 s to the last server ACTIVE (target 10 m: met).",
            "Drill copies run at site-b in the test networks; production at site-a is \
             untouched. Clean up with :cleanup web-app.",
            "Verdict: RPO target met, RTO target met.",
            "Report: /var/lib/drconsole/reports/op-9.md",
        ] {
            assert!(said.contains(want), "{w}x{h}: {want:?} in:\n{said}");
        }
    }
    // It stays through other keys, and Esc dismisses it.
    key(&mut a, KeyCode::Char('j'));
    assert!(matches!(a.overlay, Some(Overlay::Card(_))));
    key(&mut a, KeyCode::Esc);
    assert!(a.overlay.is_none());
    assert_eq!(
        a.reports.get("op-9").map(String::as_str),
        Some("/var/lib/drconsole/reports/op-9.md")
    );
}

#[test]
fn enter_on_a_step_shows_its_task_view_as_ops_show_does() {
    let mut d = fixtures::failed();
    let upstream = d.steps[3].id.clone();
    let s = &mut d.steps[4];
    s.upstream = vec![upstream];
    s.attempt = 2;
    s.attempt_limit = Some(3);
    s.timeout_ms = Some(600_000);
    d.steps[6].point_of_no_return = true;
    let mut a = opened(d);
    for _ in 0..4 {
        key(&mut a, KeyCode::Char('j'));
    }
    key(&mut a, KeyCode::Enter);
    assert!(
        matches!(a.overlay, Some(Overlay::Detail(_))),
        "Enter opens the step"
    );
    for (w, h) in SIZES {
        let t = snap(
            &format!("truth_step_detail_{w}x{h}"),
            &mut a,
            w,
            h,
            &["Step create_server web-1 (wave 1)"],
        );
        let said = prose(&t, 0..usize::from(h));
        for want in [
            "✗ failed — create_server web-1 (wave 1)",
            "Waits for: manage_volumes.",
            "Attempts: attempt 2 of 3; each may take 10m00s.",
            "Error: ",
        ] {
            assert!(said.contains(want), "{w}x{h}: {want:?} in:\n{said}");
        }
        assert!(!said.contains("Point of no return"), "{said}");
    }
    // The point of no return says so, and a step that never ran says that too.
    key(&mut a, KeyCode::Esc);
    key(&mut a, KeyCode::Char('G'));
    key(&mut a, KeyCode::Enter);
    let said = prose(&render(&mut a, 200, 50), 0..50);
    assert!(said.contains("Point of no return: never undone"), "{said}");
}

#[test]
fn a_long_checklist_at_80x24_folds_what_passes_and_keeps_every_option_in_view() {
    use crate::domain::preconditions::{Check, CheckState};
    use crate::tui::dialog::Checks;
    let mut a = app();
    open_dialog_via_command(&mut a, "failover web-app");
    let Some(Overlay::Dialog(d)) = &mut a.overlay else {
        panic!("no dialog")
    };
    let mut list: Vec<Check> = (1..=15)
        .map(|i| Check {
            label: format!("check {i}"),
            state: CheckState::Ok,
            reason: format!("reason {i} holds"),
        })
        .collect();
    list.push(Check {
        label: "production stopped".into(),
        state: CheckState::Warn,
        reason: "will be stopped first, then verified stopped: web-1, web-2, web-3".into(),
    });
    d.checks = Checks::Ready(list);
    let said = prose(&render(&mut a, 80, 24), 0..24);
    for want in [
        "✓ 15 checks pass (a taller terminal lists them)",
        "! production stopped",
        "verified stopped: web-1, web-2, web-3",
        "Floating IPs",
        "Enter confirm",
    ] {
        assert!(said.contains(want), "80x24: {want:?} in:\n{said}");
    }
    // With room, every check is listed.
    let tall = prose(&render(&mut a, 200, 50), 0..50);
    assert!(
        tall.contains("check 15") && !tall.contains("checks pass"),
        "{tall}"
    );
}
