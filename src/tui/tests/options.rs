//! What the seed services show an operator in the console: a failback's reverse replication and a
//! drill's retained (or quiesced) production, a move's floating IP mapping, sent and named in the
//! confirmation; a member missing at the primary, loud in the groups pane.

use super::{app, key, open_dialog_via_command, render, text};
use crate::tui::app::Overlay;
use crate::tui::dialog::Field;
use crossterm::event::KeyCode;

/// Focus `field` in the open dialog and toggle it with Space.
fn toggle(a: &mut crate::tui::app::App, field: Field) {
    let Some(Overlay::Dialog(d)) = &mut a.overlay else {
        panic!("no dialog")
    };
    d.field = d.fields().iter().position(|f| *f == field).expect("field");
    let _ = key(a, KeyCode::Char(' '));
}

fn confirm(a: &mut crate::tui::app::App) -> String {
    // The first Enter asks for the checklist of the toggled options; the next one confirms.
    let actions = key(a, KeyCode::Enter);
    if matches!(a.overlay, Some(Overlay::Dialog(_))) {
        super::answer_checks(a, &actions);
        let _ = key(a, KeyCode::Enter);
    }
    assert!(
        matches!(a.overlay, Some(Overlay::Confirm(_))),
        "{:?}",
        a.overlay
    );
    text(&render(a, 100, 30))
}

#[test]
fn a_failback_without_reverse_replication_says_so_in_the_confirmation() {
    let mut a = app();
    open_dialog_via_command(&mut a, "failback batch");
    let shown = text(&render(&mut a, 100, 30));
    assert!(
        shown.contains("[x] replicate from site-a again afterwards"),
        "{shown}"
    );
    toggle(&mut a, Field::ReverseReplication);
    let Some(Overlay::Dialog(d)) = &a.overlay else {
        panic!("no dialog")
    };
    assert!(!d.request().expect("request").reverse_replication);
    let screen = confirm(&mut a);
    assert!(
        screen.contains("no reverse replication: replication stays stopped afterwards"),
        "{screen}"
    );
}

#[test]
fn a_drill_that_does_not_retain_production_quiesces_it_and_says_so() {
    let mut a = app();
    open_dialog_via_command(&mut a, "drill web-app");
    let screen = confirm(&mut a);
    assert!(
        screen.contains("retain primary: production keeps running at site-a"),
        "{screen}"
    );
    let _ = key(&mut a, KeyCode::Esc);
    open_dialog_via_command(&mut a, "drill web-app");
    toggle(&mut a, Field::RetainPrimary);
    let Some(Overlay::Dialog(d)) = &a.overlay else {
        panic!("no dialog")
    };
    assert!(!d.request().expect("request").retain_primary);
    let screen = confirm(&mut a);
    assert!(
        screen.contains("quiesce primary: production at site-a is stopped for the drill"),
        "{screen}"
    );
}

#[test]
fn a_member_missing_at_the_primary_is_loud_in_the_groups_pane() {
    let mut a = app();
    let mut estate = super::fake::estate();
    let g = &mut estate.protection_groups[0];
    g.instances = 2;
    g.missing_members = vec!["web-2".into()];
    let _ = super::feed_estate(&mut a, estate);
    let screen = text(&render(&mut a, 80, 24));
    let row = screen
        .lines()
        .find(|l| l.contains("web-app "))
        .expect("web-app's row");
    assert!(row.contains("⚠2/3"), "{screen}");
}

#[test]
fn a_failback_takes_a_floating_ip_mapping_and_a_drill_offers_none() {
    let mut a = app();
    open_dialog_via_command(&mut a, "failback batch");
    let shown = text(&render(&mut a, 100, 30));
    assert!(
        shown.contains("Floating IPs  (same address; ADDR=NEW|auto, …)"),
        "{shown}"
    );
    let Some(Overlay::Dialog(d)) = &mut a.overlay else {
        panic!("no dialog")
    };
    d.field = d
        .fields()
        .iter()
        .position(|f| *f == Field::FloatingIps)
        .expect("field");
    for c in "203.0.113.7=auto, x".chars() {
        let _ = key(&mut a, KeyCode::Char(c));
    }
    // A malformed pair is refused by name and nothing starts.
    let _ = key(&mut a, KeyCode::Enter);
    let shown = text(&render(&mut a, 100, 30));
    assert!(
        shown.contains("floating IP mapping: \"x\" is not source=target"),
        "{shown}"
    );
    for _ in 0..3 {
        let _ = key(&mut a, KeyCode::Backspace);
    }
    let Some(Overlay::Dialog(d)) = &a.overlay else {
        panic!("no dialog")
    };
    let req = d.request().expect("request");
    assert_eq!(
        req.floating_ip_mapping
            .get("203.0.113.7")
            .map(String::as_str),
        Some("auto")
    );
    let screen = confirm(&mut a);
    assert!(screen.contains("floating IPs 203.0.113.7=auto"), "{screen}");

    let mut b = app();
    open_dialog_via_command(&mut b, "drill web-app");
    let Some(Overlay::Dialog(d)) = &b.overlay else {
        panic!("no dialog")
    };
    assert!(
        !d.fields().contains(&Field::FloatingIps),
        "a drill moves no floating IP"
    );
}
