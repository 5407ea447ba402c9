//! Keymaps are data: every action has a name, a description and keys; defaults follow UI.md and
//! `[ui.keys]` in the configuration overrides them (`failover = "ctrl-f"`). The hint bar and the
//! help overlay are generated from this table.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use std::collections::BTreeMap;
use std::fmt;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum KeyAction {
    Help,
    Filter,
    Command,
    Open,
    Back,
    Menu,
    Failover,
    Drill,
    Refresh,
    Quit,
    NextPane,
    PrevPane,
    Down,
    Up,
    Top,
    Bottom,
    PageDown,
    PageUp,
    Faults,
    CancelOperation,
}

/// Where an action applies, for the help overlay and the hint bar.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    Everywhere,
    Main,
    OperationView,
}

struct Spec {
    action: KeyAction,
    name: &'static str,
    keys: &'static str,
    help: &'static str,
    scope: Scope,
    hint: bool,
}

const SPECS: &[Spec] = &[
    spec(
        KeyAction::Help,
        "help",
        "?",
        "help",
        Scope::Everywhere,
        true,
    ),
    spec(
        KeyAction::Filter,
        "filter",
        "/",
        "filter the focused list",
        Scope::Main,
        true,
    ),
    spec(
        KeyAction::Command,
        "command",
        ":",
        "command line",
        Scope::Everywhere,
        true,
    ),
    spec(KeyAction::Open, "open", "enter", "open", Scope::Main, true),
    spec(
        KeyAction::Back,
        "back",
        "esc",
        "back",
        Scope::OperationView,
        true,
    ),
    spec(
        KeyAction::Menu,
        "menu",
        "m",
        "actions of the group",
        Scope::Main,
        true,
    ),
    spec(
        KeyAction::Failover,
        "failover",
        "f",
        "failover",
        Scope::Main,
        true,
    ),
    spec(
        KeyAction::Drill,
        "drill",
        "t",
        "drill (test failover)",
        Scope::Main,
        true,
    ),
    spec(
        KeyAction::Refresh,
        "refresh",
        "r",
        "refresh now",
        Scope::Everywhere,
        false,
    ),
    spec(
        KeyAction::NextPane,
        "next_pane",
        "tab",
        "next pane",
        Scope::Main,
        true,
    ),
    spec(
        KeyAction::PrevPane,
        "prev_pane",
        "backtab",
        "previous pane",
        Scope::Main,
        false,
    ),
    spec(
        KeyAction::Down,
        "down",
        "j down",
        "move down",
        Scope::Everywhere,
        false,
    ),
    spec(
        KeyAction::Up,
        "up",
        "k up",
        "move up",
        Scope::Everywhere,
        false,
    ),
    spec(
        KeyAction::Top,
        "top",
        "g home",
        "first row",
        Scope::Everywhere,
        false,
    ),
    spec(
        KeyAction::Bottom,
        "bottom",
        "G end",
        "last row",
        Scope::Everywhere,
        false,
    ),
    spec(
        KeyAction::PageDown,
        "page_down",
        "pgdn",
        "page down",
        Scope::Everywhere,
        false,
    ),
    spec(
        KeyAction::PageUp,
        "page_up",
        "pgup",
        "page up",
        Scope::Everywhere,
        false,
    ),
    spec(
        KeyAction::Faults,
        "faults",
        "F",
        "lab fault menu",
        Scope::Main,
        false,
    ),
    spec(
        KeyAction::CancelOperation,
        "cancel_operation",
        "c",
        "cancel this operation",
        Scope::OperationView,
        true,
    ),
    spec(
        KeyAction::Quit,
        "quit",
        "q",
        "quit",
        Scope::Everywhere,
        true,
    ),
];

const fn spec(
    action: KeyAction,
    name: &'static str,
    keys: &'static str,
    help: &'static str,
    scope: Scope,
    hint: bool,
) -> Spec {
    Spec {
        action,
        name,
        keys,
        help,
        scope,
        hint,
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Key {
    pub code: KeyCode,
    pub mods: KeyModifiers,
}

impl Key {
    /// Shift is part of the character itself (`G`), and of Shift-Tab.
    pub fn from_event(ev: &KeyEvent) -> Key {
        let mut mods = ev.modifiers;
        if matches!(ev.code, KeyCode::Char(_) | KeyCode::BackTab) {
            mods.remove(KeyModifiers::SHIFT);
        }
        Key {
            code: ev.code,
            mods,
        }
    }

    pub fn parse(text: &str) -> Result<Key, String> {
        let mut mods = KeyModifiers::NONE;
        let mut rest = text;
        loop {
            let lower = rest.to_ascii_lowercase();
            let (prefix, m) = if lower.starts_with("ctrl-") {
                (5, KeyModifiers::CONTROL)
            } else if lower.starts_with("alt-") {
                (4, KeyModifiers::ALT)
            } else if lower.starts_with("shift-") && rest.len() > 6 {
                (6, KeyModifiers::SHIFT)
            } else {
                break;
            };
            mods |= m;
            rest = &rest[prefix..];
        }
        let code = parse_code(rest).ok_or_else(|| {
            format!(
                "unknown key {text:?}: use a character (f, G, ?), a name (enter, esc, tab, backtab, \
                 space, up, down, left, right, pgup, pgdn, home, end, backspace, delete, f1-f12), \
                 optionally prefixed by ctrl-, alt- or shift-"
            )
        })?;
        if code == KeyCode::BackTab {
            mods.remove(KeyModifiers::SHIFT);
        }
        let code = match (code, mods.contains(KeyModifiers::SHIFT)) {
            (KeyCode::Tab, true) => {
                mods.remove(KeyModifiers::SHIFT);
                KeyCode::BackTab
            }
            (KeyCode::Char(c), true) => {
                mods.remove(KeyModifiers::SHIFT);
                KeyCode::Char(c.to_ascii_uppercase())
            }
            (c, _) => c,
        };
        Ok(Key { code, mods })
    }
}

fn parse_code(name: &str) -> Option<KeyCode> {
    let mut chars = name.chars();
    if let (Some(c), None) = (chars.next(), chars.next()) {
        return Some(KeyCode::Char(c));
    }
    let code = match name.to_ascii_lowercase().as_str() {
        "enter" | "return" => KeyCode::Enter,
        "esc" | "escape" => KeyCode::Esc,
        "tab" => KeyCode::Tab,
        "backtab" => KeyCode::BackTab,
        "space" => KeyCode::Char(' '),
        "up" => KeyCode::Up,
        "down" => KeyCode::Down,
        "left" => KeyCode::Left,
        "right" => KeyCode::Right,
        "pgup" | "pageup" => KeyCode::PageUp,
        "pgdn" | "pgdown" | "pagedown" => KeyCode::PageDown,
        "home" => KeyCode::Home,
        "end" => KeyCode::End,
        "backspace" => KeyCode::Backspace,
        "delete" | "del" => KeyCode::Delete,
        f if f.starts_with('f') => {
            let n: u8 = f[1..].parse().ok()?;
            if !(1..=12).contains(&n) {
                return None;
            }
            KeyCode::F(n)
        }
        _ => return None,
    };
    Some(code)
}

impl fmt::Display for Key {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.mods.contains(KeyModifiers::CONTROL) {
            f.write_str("ctrl-")?;
        }
        if self.mods.contains(KeyModifiers::ALT) {
            f.write_str("alt-")?;
        }
        match self.code {
            KeyCode::Char(' ') => f.write_str("Space"),
            KeyCode::Char(c) => write!(f, "{c}"),
            KeyCode::Enter => f.write_str("Enter"),
            KeyCode::Esc => f.write_str("Esc"),
            KeyCode::Tab => f.write_str("Tab"),
            KeyCode::BackTab => f.write_str("Shift-Tab"),
            KeyCode::Up => f.write_str("↑"),
            KeyCode::Down => f.write_str("↓"),
            KeyCode::PageUp => f.write_str("PgUp"),
            KeyCode::PageDown => f.write_str("PgDn"),
            KeyCode::Home => f.write_str("Home"),
            KeyCode::End => f.write_str("End"),
            KeyCode::F(n) => write!(f, "F{n}"),
            other => write!(f, "{other:?}"),
        }
    }
}

/// One row of the help overlay or the hint bar.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HelpRow {
    pub keys: String,
    pub short: String,
    pub help: &'static str,
}

#[derive(Debug, Clone)]
pub struct Keymap {
    bindings: Vec<(KeyAction, Vec<Key>)>,
}

impl Default for Keymap {
    fn default() -> Self {
        let bindings = SPECS
            .iter()
            .map(|s| (s.action, parse_list(s.keys).unwrap_or_default()))
            .collect();
        Keymap { bindings }
    }
}

fn parse_list(keys: &str) -> Result<Vec<Key>, String> {
    keys.split_whitespace().map(Key::parse).collect()
}

impl Keymap {
    /// The defaults with `overrides` (action name → space-separated keys) applied.
    pub fn from_overrides(overrides: &BTreeMap<String, String>) -> Result<Keymap, String> {
        let mut map = Keymap::default();
        for (name, keys) in overrides {
            let spec = SPECS.iter().find(|s| s.name == name).ok_or_else(|| {
                let names: Vec<&str> = SPECS.iter().map(|s| s.name).collect();
                format!(
                    "[ui.keys] {name:?} is not an action; actions are {}",
                    names.join(", ")
                )
            })?;
            let parsed = parse_list(keys).map_err(|e| format!("[ui.keys] {name}: {e}"))?;
            if parsed.is_empty() {
                return Err(format!("[ui.keys] {name}: no key given"));
            }
            if let Some(slot) = map.bindings.iter_mut().find(|(a, _)| *a == spec.action) {
                slot.1 = parsed;
            }
        }
        map.check_conflicts()?;
        Ok(map)
    }

    fn check_conflicts(&self) -> Result<(), String> {
        for (i, (a, keys)) in self.bindings.iter().enumerate() {
            for (b, other) in &self.bindings[i + 1..] {
                if let Some(k) = keys.iter().find(|k| other.contains(k)) {
                    return Err(format!(
                        "[ui.keys] key {k} is bound to both {} and {}",
                        name_of(*a),
                        name_of(*b)
                    ));
                }
            }
        }
        Ok(())
    }

    pub fn action(&self, ev: &KeyEvent) -> Option<KeyAction> {
        let key = Key::from_event(ev);
        self.bindings
            .iter()
            .find(|(_, keys)| keys.contains(&key))
            .map(|(a, _)| *a)
    }

    pub fn keys_of(&self, action: KeyAction) -> String {
        self.bindings
            .iter()
            .find(|(a, _)| *a == action)
            .map(|(_, keys)| {
                keys.iter()
                    .map(|k| k.to_string())
                    .collect::<Vec<_>>()
                    .join("/")
            })
            .unwrap_or_default()
    }

    /// Every action that applies in `scope`, for the help overlay.
    pub fn help(&self, scope: Scope) -> Vec<HelpRow> {
        self.rows(scope, false)
    }

    /// The short list for the hint bar.
    pub fn hints(&self, scope: Scope) -> Vec<HelpRow> {
        self.rows(scope, true)
    }

    fn rows(&self, scope: Scope, hints_only: bool) -> Vec<HelpRow> {
        SPECS
            .iter()
            .filter(|s| s.scope == scope || s.scope == Scope::Everywhere)
            .filter(|s| !hints_only || s.hint)
            .map(|s| HelpRow {
                keys: self.keys_of(s.action),
                short: s
                    .help
                    .split_whitespace()
                    .next()
                    .unwrap_or(s.name)
                    .to_string(),
                help: s.help,
            })
            .collect()
    }
}

fn name_of(action: KeyAction) -> &'static str {
    SPECS
        .iter()
        .find(|s| s.action == action)
        .map(|s| s.name)
        .unwrap_or("?")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ev(code: KeyCode, mods: KeyModifiers) -> KeyEvent {
        KeyEvent::new(code, mods)
    }

    #[test]
    fn defaults_resolve_per_ui_md() {
        let k = Keymap::default();
        let none = KeyModifiers::NONE;
        assert_eq!(
            k.action(&ev(KeyCode::Char('f'), none)),
            Some(KeyAction::Failover)
        );
        assert_eq!(
            k.action(&ev(KeyCode::Char('G'), KeyModifiers::SHIFT)),
            Some(KeyAction::Bottom)
        );
        assert_eq!(
            k.action(&ev(KeyCode::BackTab, KeyModifiers::SHIFT)),
            Some(KeyAction::PrevPane)
        );
        assert_eq!(k.action(&ev(KeyCode::Down, none)), Some(KeyAction::Down));
        assert_eq!(k.action(&ev(KeyCode::Char('x'), none)), None);
    }

    #[test]
    fn overrides_replace_the_keys_of_an_action() {
        let mut o = BTreeMap::new();
        o.insert("failover".to_string(), "ctrl-f".to_string());
        let k = Keymap::from_overrides(&o).expect("keymap");
        assert_eq!(
            k.action(&ev(KeyCode::Char('f'), KeyModifiers::CONTROL)),
            Some(KeyAction::Failover)
        );
        assert_eq!(k.action(&ev(KeyCode::Char('f'), KeyModifiers::NONE)), None);
        assert_eq!(k.keys_of(KeyAction::Failover), "ctrl-f");
    }

    #[test]
    fn bad_overrides_say_what_is_wrong() {
        let one = |a: &str, b: &str| {
            let mut o = BTreeMap::new();
            o.insert(a.to_string(), b.to_string());
            Keymap::from_overrides(&o).unwrap_err()
        };
        assert!(one("failover", "hyper-q").contains("unknown key \"hyper-q\""));
        assert!(one("explode", "x").contains("not an action"));
        assert!(one("failover", "t").contains("bound to both"));
        assert_eq!(Key::parse("shift-tab").expect("key").code, KeyCode::BackTab);
        assert_eq!(Key::parse("f5").expect("key").code, KeyCode::F(5));
    }
}
