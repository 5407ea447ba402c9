//! The keymap as tables: what each key does in each view, overrides, and the lists made from it.

use super::*;
use crossterm::event::{KeyCode, KeyModifiers};

fn key(text: &str) -> Key {
    Key::parse(text).expect(text)
}

fn one(name: &str, keys: &str) -> Result<Keymap, KeymapError> {
    let mut o = BTreeMap::new();
    o.insert(name.to_string(), keys.to_string());
    Keymap::from_overrides(&o)
}

#[test]
fn every_default_key_parses_and_no_view_binds_a_key_twice() {
    for view in View::ALL {
        for b in view.defaults() {
            let keys = Key::parse_list(b.keys).expect(b.keys);
            assert!(!keys.is_empty(), "{b:?}");
        }
        check_conflicts(Keymap::default().rows(view)).expect("defaults agree");
    }
}

#[test]
fn resolving_a_key_depends_on_the_view() {
    let k = Keymap::default();
    let cases = [
        (View::Main, "f", Some(KeyAction::Failover)),
        (View::Main, "G", Some(KeyAction::Bottom)),
        (View::Main, "backtab", Some(KeyAction::PrevPane)),
        (View::Main, "down", Some(KeyAction::Down)),
        (View::Main, "esc", Some(KeyAction::Back)),
        (View::Main, "c", None),
        (View::Main, "x", None),
        (View::Operation, "c", Some(KeyAction::CancelOperation)),
        (View::Operation, "f", None),
        (View::Operation, "esc", Some(KeyAction::Back)),
        (View::Operation, "q", Some(KeyAction::Quit)),
    ];
    for (view, text, want) in cases {
        assert_eq!(resolve(k.rows(view), key(text)), want, "{view:?} {text}");
    }
    let shifted = KeyEvent::new(KeyCode::Char('G'), KeyModifiers::SHIFT);
    assert_eq!(k.action(View::Main, &shifted), Some(KeyAction::Bottom));
}

#[test]
fn an_override_replaces_the_keys_of_an_action_in_every_view() {
    let k = one("down", "n ctrl-n").expect("keymap");
    for view in View::ALL {
        assert_eq!(resolve(k.rows(view), key("n")), Some(KeyAction::Down));
        assert_eq!(resolve(k.rows(view), key("j")), None);
        assert_eq!(k.keys_of(view, KeyAction::Down), "n/ctrl-n");
    }
    let k = one("failover", "ctrl-f").expect("keymap");
    assert_eq!(
        resolve(k.rows(View::Main), key("ctrl-f")),
        Some(KeyAction::Failover)
    );
    assert_eq!(resolve(k.rows(View::Main), key("f")), None);
}

#[test]
fn a_key_is_free_in_a_view_that_does_not_use_it() {
    // `c` cancels in the operation view only, so the main screen may use it.
    let k = one("failover", "c").expect("no conflict across views");
    assert_eq!(
        resolve(k.rows(View::Main), key("c")),
        Some(KeyAction::Failover)
    );
    assert_eq!(
        resolve(k.rows(View::Operation), key("c")),
        Some(KeyAction::CancelOperation)
    );
}

#[test]
fn bad_overrides_say_what_is_wrong() {
    assert_eq!(
        one("failover", "hyper-q").unwrap_err(),
        KeymapError::BadKey {
            action: "failover",
            source: KeyParseError("hyper-q".into())
        }
    );
    let unknown = one("explode", "x").unwrap_err().to_string();
    assert!(unknown.starts_with("[ui.keys] \"explode\" is not an action; actions are help, "));
    assert_eq!(
        one("failover", "t").unwrap_err().to_string(),
        "[ui.keys] key t is bound to both failover and drill"
    );
    assert_eq!(
        one("quit", " ").unwrap_err(),
        KeymapError::NoKey { action: "quit" }
    );
}

#[test]
fn the_hint_bar_and_the_help_come_from_the_same_rows() {
    let k = one("menu", "a").expect("keymap");
    let hints = k.hints(View::Main);
    let words: Vec<&str> = hints.iter().map(|h| h.short).collect();
    assert_eq!(
        words,
        [
            "help", "filter", "command", "open", "actions", "failover", "drill", "next", "quit"
        ]
    );
    assert_eq!(hints[4].keys, "a", "an override shows in the hint bar");
    let help = k.help(View::Main);
    assert!(
        help.iter()
            .any(|r| r.keys == "a" && r.desc == "actions of the group")
    );
    assert!(
        help.iter().all(|r| r.desc != "clear the filter"),
        "unlisted rows stay out of the help"
    );
    let op: Vec<&str> = k.hints(View::Operation).iter().map(|h| h.short).collect();
    assert_eq!(
        op,
        [
            "help", "command", "back", "step", "cancel", "more", "log", "report", "quit"
        ]
    );
}
