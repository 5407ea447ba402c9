//! One key as the keymap names it: parsed from `[ui.keys]` text (`ctrl-f`, `G`, `pgdn`), matched
//! against terminal events, and written back for the help overlay and the hint bar.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use std::fmt;
use thiserror::Error;

#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error(
    "unknown key {0:?}: use a character (f, G, ?), a name (enter, esc, tab, backtab, space, up, \
     down, left, right, pgup, pgdn, home, end, backspace, delete, f1-f12), optionally prefixed by \
     ctrl-, alt- or shift-"
)]
pub struct KeyParseError(pub String);

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

    pub fn parse(text: &str) -> Result<Key, KeyParseError> {
        let (mut mods, rest) = modifiers(text);
        let mut code = parse_code(rest).ok_or_else(|| KeyParseError(text.to_string()))?;
        if mods.contains(KeyModifiers::SHIFT) {
            match code {
                KeyCode::Tab | KeyCode::BackTab => code = KeyCode::BackTab,
                KeyCode::Char(c) => code = KeyCode::Char(c.to_ascii_uppercase()),
                _ => return Ok(Key { code, mods }),
            }
            mods.remove(KeyModifiers::SHIFT);
        }
        Ok(Key { code, mods })
    }

    /// Space-separated keys: `"j down"`.
    pub fn parse_list(keys: &str) -> Result<Vec<Key>, KeyParseError> {
        keys.split_whitespace().map(Key::parse).collect()
    }
}

/// The `ctrl-`, `alt-` and `shift-` prefixes of `text`, and what follows them.
fn modifiers(text: &str) -> (KeyModifiers, &str) {
    let mut mods = KeyModifiers::NONE;
    let mut rest = text;
    loop {
        let lower = rest.to_ascii_lowercase();
        let (len, m) = if lower.starts_with("ctrl-") {
            (5, KeyModifiers::CONTROL)
        } else if lower.starts_with("alt-") {
            (4, KeyModifiers::ALT)
        } else if lower.starts_with("shift-") && rest.len() > 6 {
            (6, KeyModifiers::SHIFT)
        } else {
            return (mods, rest);
        };
        mods |= m;
        rest = &rest[len..];
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_names_modifiers_and_shifted_characters() {
        let key = |t: &str| Key::parse(t).expect(t);
        assert_eq!(key("f5").code, KeyCode::F(5));
        assert_eq!(key("shift-tab").code, KeyCode::BackTab);
        assert_eq!(key("shift-g"), key("G"));
        let ctrl_f = key("ctrl-f");
        assert_eq!(ctrl_f.code, KeyCode::Char('f'));
        assert_eq!(ctrl_f.mods, KeyModifiers::CONTROL);
        assert_eq!(ctrl_f.to_string(), "ctrl-f");
        assert_eq!(key("pgdn").to_string(), "PgDn");
        assert!(Key::parse("f13").is_err());
        assert_eq!(
            Key::parse("hyper-q").unwrap_err(),
            KeyParseError("hyper-q".into())
        );
    }

    #[test]
    fn a_shifted_character_matches_its_event() {
        let ev = KeyEvent::new(KeyCode::Char('G'), KeyModifiers::SHIFT);
        assert_eq!(Key::from_event(&ev), Key::parse("G").expect("G"));
    }
}
