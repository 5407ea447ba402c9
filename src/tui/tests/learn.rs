//! What makes the console learnable and fresh: the help starts with how to run a drill and has
//! a legend; Enter opens any row's detail (an instance at both sites with its ports and
//! replication pairs, a drill copy marked as such; a site); lab faults show on their site and in
//! the menu; the journal's changes re-read what is shown, coalesced; quitting says what happens
//! to an operation that runs here, and Ctrl-C keeps asking.

use super::*;
use crate::domain::{GroupState, GroupStatus};
use crate::tui::app::{Overlay, Pane};
use crate::tui::backend::{Fault, FaultKind, SiteFaults};
use crossterm::event::{KeyEvent, KeyModifiers};

#[test]
fn help_starts_with_how_to_run_a_drill_and_explains_every_symbol() {
    let mut a = app();
    key(&mut a, KeyCode::Char('?'));
    let t = snap("learn_help_80x24", &mut a, 80, 24, &["Run a drill"]);
    let first = prose(&t, 0..24);
    for said in [
        "1. Select a group in Protection groups",
        "2. Press t (or m for every operation). Read the checklist",
        "3. Confirm with y.",
    ] {
        assert!(first.contains(said), "{said:?}:\n{first}");
    }
    let mut all = String::new();
    for _ in 0..30 {
        all.push_str(&prose(&render(&mut a, 80, 24), 0..24));
        key(&mut a, KeyCode::Char('j'));
    }
    for said in [
        "◇ drill active",
        "⇸ replication is stopped",
        "⚑ lab fault active",
        "◇ drill copy",
        "∅ nothing to undo",
        "■ stands (cannot be undone)",
        "write the report of the selected operation",
    ] {
        assert!(all.contains(said), "{said:?} in the help:\n{all}");
    }
}

#[test]
fn enter_on_an_instance_shows_both_sites_ports_and_replication_pairs() {
    let mut a = app();
    let mut list = fake::instances("web-app", 3);
    let copy = &mut list[1].servers[1];
    copy.server_id = Some("b-web-2".into());
    copy.status = "ACTIVE".into();
    copy.flavor = Some("m1.xlarge".into());
    copy.made_by = Some("op-2".into());
    copy.drill_copy = true;
    copy.ports = vec![crate::domain::PortInfo {
        network: "net-web-test".into(),
        ip: Some("10.100.0.3".into()),
        mac: "fa:16:3e:00:02:02".into(),
        floating_ip: None,
    }];
    let _ = feed_instances(&mut a, "web-app", list);
    let main = text(&render(&mut a, 80, 24));
    assert!(text(&render(&mut a, 200, 50)).contains("· ◇ drill copy"));
    assert!(main.contains("ACTIVE  ◇"), "the copy is marked:\n{main}");
    a.focus = Pane::Instances;
    key(&mut a, KeyCode::Char('j'));
    key(&mut a, KeyCode::Enter);
    assert!(matches!(a.overlay, Some(Overlay::Detail(_))));
    let t = snap(
        "learn_instance_detail_80x24",
        &mut a,
        80,
        24,
        &["Instance web-2"],
    );
    let said = prose(&t, 0..24);
    for want in [
        "At site-a (primary): server srv-0002 ACTIVE, flavor m1.xlarge",
        "· port on net-web: IP 10.0.0.4, MAC fa:16:3e:00:01:02",
        "At site-b (dr): ◇ drill copy (made by drill op-2), not production; server b-web-2 ACTIVE",
        "port on net-web-test: IP 10.100.0.3, MAC fa:16:3e:00:02:02",
        "Volume web-2-vol0 (20 GB, replicated, boots): array volume web-2-vol0 ⇢ \
         array-a:web-app-pg.1.web-2-vol0 — replicating",
    ] {
        assert!(said.contains(want), "{want:?}:\n{said}");
    }
    key(&mut a, KeyCode::Esc);
    assert!(a.overlay.is_none());
}

fn site_down() -> Vec<SiteFaults> {
    let mut stalled = Fault::new(FaultKind::ReplicationStalled);
    stalled.server = None;
    vec![
        SiteFaults {
            site: "site-a".into(),
            faults: Vec::new(),
            error: None,
        },
        SiteFaults {
            site: "site-b".into(),
            faults: vec![Fault::new(FaultKind::SiteDown), stalled],
            error: None,
        },
    ]
}

#[test]
fn lab_faults_show_on_their_site_and_in_the_menu_and_boots_name_a_server() {
    let mut a = app();
    let _ = update(&mut a, Msg::LabFaults(Ok(site_down())));
    let main = text(&render(&mut a, 80, 24));
    assert!(main.contains("⚑ 2 lab faults (F)"), "{main}");
    let wide = text(&render(&mut a, 200, 50));
    assert!(wide.contains("⚑ site down, replication stalled"), "{wide}");
    key(&mut a, KeyCode::Char('F'));
    key(&mut a, KeyCode::Right);
    let t = snap(
        "learn_faults_menu_80x24",
        &mut a,
        80,
        24,
        &[
            "⚑ at site-b now: site down, replication stalled",
            "site down (⚑ on)",
            "boots of web-1 fail",
        ],
    );
    drop(t);
    for _ in 0..4 {
        key(&mut a, KeyCode::Down);
    }
    let actions = key(&mut a, KeyCode::Enter);
    let named = actions.iter().any(|x| {
        matches!(x, Action::InjectFault { site, fault }
            if site == "site-b" && fault.server.as_deref() == Some("web-1"))
    });
    assert!(named, "boots fail names the selected instance: {actions:?}");
}

#[test]
fn f_and_r_work_in_the_operation_view() {
    let mut a = app();
    a.focus = Pane::Operations;
    key(&mut a, KeyCode::Enter);
    let _ = feed_detail(&mut a, fake::detail_running());
    key(&mut a, KeyCode::Char('F'));
    assert!(
        matches!(a.overlay, Some(Overlay::Faults(_))),
        "F opens the faults"
    );
    key(&mut a, KeyCode::Esc);
    let actions = key(&mut a, KeyCode::Char('R'));
    assert_eq!(
        actions,
        vec![Action::WriteReport {
            id: "op-3".into(),
            at_end: false
        }]
    );
}

#[test]
fn journal_changes_reread_the_lists_once_each_and_again_after_a_burst() {
    let mut a = app();
    let first = update(&mut a, Msg::JournalChanged).actions;
    assert!(matches!(
        first.as_slice(),
        [Action::LoadOperations(_), Action::LoadGroupStates(_)]
    ));
    // A burst while those are in flight asks nothing more now…
    for _ in 0..5 {
        assert!(update(&mut a, Msg::JournalChanged).actions.is_empty());
    }
    // …and once each more when they land, so the last change is read too.
    let Action::LoadGroupStates(g) = first[1] else {
        panic!("{first:?}")
    };
    let mut moved = GroupState::initial("web-app", "site-a");
    moved.status = GroupStatus::Testing;
    let again = update(
        &mut a,
        Msg::GroupStates {
            generation: g,
            result: Ok(vec![moved]),
        },
    );
    assert!(matches!(
        again.actions.first(),
        Some(Action::LoadGroupStates(_))
    ));
    assert!(again.redraw);
    assert_eq!(
        a.group("web-app").map(|g| g.status),
        Some(GroupStatus::Testing),
        "the journal's status shows at once"
    );
    // A slower estate read from before the change does not put the old status back.
    let _ = feed_estate(&mut a, fake::estate());
    assert_eq!(
        a.group("web-app").map(|g| g.status),
        Some(GroupStatus::Testing)
    );
}

#[test]
fn quitting_says_the_operation_pauses_and_ctrl_c_keeps_asking() {
    let mut a = app();
    a.own_ops.insert("op-3".into());
    key(&mut a, KeyCode::Char('q'));
    let said = crate::tui::view::quit_text(&a);
    for want in [
        "Quitting pauses it: it stops mid-step and resumes from the journal when the console \
         starts again.",
        "The lab stops with it; both resume at the next drconsole --lab.",
    ] {
        assert!(said.contains(want), "{want:?}:\n{said}");
    }
    let screen = text(&render(&mut a, 80, 24));
    for row in crate::tui::view::text::wrap(&said, 61) {
        assert!(screen.contains(&row), "{row:?} whole on screen:\n{screen}");
    }
    let ctrl_c = || Msg::Key(KeyEvent::new(KeyCode::Char('c'), KeyModifiers::CONTROL));
    for _ in 0..3 {
        let _ = update(&mut a, ctrl_c());
        assert!(!a.quit, "Ctrl-C asks while an operation runs here");
        assert!(matches!(a.overlay, Some(Overlay::QuitConfirm)));
    }
    key(&mut a, KeyCode::Char('y'));
    assert!(a.quit);
}

#[test]
fn a_drill_seen_ending_is_reported_once_and_opens_a_card() {
    let mut a = app();
    let drill = fake::operations()
        .into_iter()
        .map(|mut o| {
            if o.id == "op-2" {
                o.status = crate::domain::OperationStatus::Running;
                o.completed_at = None;
            }
            o
        })
        .collect();
    let _ = feed_operations(&mut a, drill);
    let ended = crate::orchestrator::OperationEvent {
        operation_id: "op-2".into(),
        at: fake::now(),
        kind: crate::orchestrator::EventKind::Status {
            status: crate::domain::OperationStatus::Completed,
        },
    };
    let actions = update(&mut a, Msg::Event(ended.clone())).actions;
    assert!(actions.contains(&Action::WriteReport {
        id: "op-2".into(),
        at_end: true
    }));
    let report = Action::WriteReport {
        id: "op-2".into(),
        at_end: true,
    };
    assert!(actions.contains(&report), "{actions:?}");
    // The journal's list says the same a moment later: no second report.
    let again = feed_operations(&mut a, fake::operations()).actions;
    assert!(!again.contains(&report), "{again:?}");
    // Seen first in the journal's list (another console ran it), it is reported from there.
    let mut b = app();
    let running: Vec<_> = fake::operations()
        .into_iter()
        .map(|mut o| {
            o.status = crate::domain::OperationStatus::Running;
            o
        })
        .collect();
    let _ = feed_operations(&mut b, running);
    let listed = feed_operations(&mut b, fake::operations()).actions;
    assert!(listed.contains(&report), "{listed:?}");
    assert!(!update(&mut b, Msg::Event(ended)).actions.contains(&report));
}
