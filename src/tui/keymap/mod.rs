//! Keymaps are data: the default table of each view (`defaults`) with `[ui.keys]` merged over it
//! (`failover = "ctrl-f"` replaces that action's keys wherever it appears). Resolving a key is a
//! pure lookup in the view's table; the help overlay and the hint bar are generated from it.

mod action;
mod defaults;
mod key;

pub use action::KeyAction;
pub use defaults::{Binding, Shown};
pub use key::{Key, KeyParseError};

use crossterm::event::KeyEvent;
use std::collections::BTreeMap;
use thiserror::Error;

/// The screens that have a key table of their own.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum View {
    Main,
    Operation,
}

impl View {
    pub const ALL: [View; 2] = [View::Main, View::Operation];

    pub fn defaults(self) -> &'static [Binding] {
        match self {
            View::Main => defaults::MAIN,
            View::Operation => defaults::OPERATION,
        }
    }

    fn index(self) -> usize {
        match self {
            View::Main => 0,
            View::Operation => 1,
        }
    }
}

/// What is wrong with `[ui.keys]`; the console does not start until it is fixed.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum KeymapError {
    #[error(
        "[ui.keys] {name:?} is not an action; actions are {}",
        KeyAction::ALL.map(KeyAction::name).join(", ")
    )]
    UnknownAction { name: String },
    #[error("[ui.keys] {action}: {source}")]
    BadKey {
        action: &'static str,
        source: KeyParseError,
    },
    #[error("[ui.keys] {action}: no key given")]
    NoKey { action: &'static str },
    #[error("[ui.keys] key {key} is bound to both {first} and {second}")]
    Conflict {
        key: String,
        first: &'static str,
        second: &'static str,
    },
}

/// A row of a view's table with its keys parsed (and overridden).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Bound {
    pub keys: Vec<Key>,
    pub binding: Binding,
}

/// One row of the help overlay or the hint bar.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HelpRow {
    pub action: KeyAction,
    pub keys: String,
    pub short: &'static str,
    pub desc: &'static str,
}

/// The action bound to `key` in a view's rows, if any.
pub fn resolve(rows: &[Bound], key: Key) -> Option<KeyAction> {
    rows.iter()
        .find(|r| r.keys.contains(&key))
        .map(|r| r.binding.action)
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Keymap {
    views: [Vec<Bound>; 2],
}

impl Default for Keymap {
    /// The tables as shipped; a test proves every default key parses.
    fn default() -> Self {
        let table = |v: View| {
            v.defaults()
                .iter()
                .map(|b| Bound {
                    keys: Key::parse_list(b.keys).unwrap_or_default(),
                    binding: *b,
                })
                .collect()
        };
        Keymap {
            views: View::ALL.map(table),
        }
    }
}

impl Keymap {
    /// The defaults with `overrides` (action name → space-separated keys) merged over them.
    pub fn from_overrides(overrides: &BTreeMap<String, String>) -> Result<Keymap, KeymapError> {
        let mut map = Keymap::default();
        for (name, keys) in overrides {
            let action = KeyAction::from_name(name)
                .ok_or_else(|| KeymapError::UnknownAction { name: name.clone() })?;
            let parsed = Key::parse_list(keys).map_err(|source| KeymapError::BadKey {
                action: action.name(),
                source,
            })?;
            if parsed.is_empty() {
                return Err(KeymapError::NoKey {
                    action: action.name(),
                });
            }
            let rows = map.views.iter_mut().flatten();
            for row in rows.filter(|r| r.binding.action == action) {
                row.keys = parsed.clone();
            }
        }
        for rows in &map.views {
            check_conflicts(rows)?;
        }
        Ok(map)
    }

    pub fn rows(&self, view: View) -> &[Bound] {
        &self.views[view.index()]
    }

    pub fn action(&self, view: View, ev: &KeyEvent) -> Option<KeyAction> {
        resolve(self.rows(view), Key::from_event(ev))
    }

    pub fn keys_of(&self, view: View, action: KeyAction) -> String {
        self.rows(view)
            .iter()
            .find(|r| r.binding.action == action)
            .map(|r| join_keys(&r.keys))
            .unwrap_or_default()
    }

    /// Every listed key of the view, for the help overlay.
    pub fn help(&self, view: View) -> Vec<HelpRow> {
        self.listed(view, |s| !matches!(s, Shown::Unlisted))
    }

    /// The short list for the hint bar.
    pub fn hints(&self, view: View) -> Vec<HelpRow> {
        self.listed(view, |s| matches!(s, Shown::Hint(_)))
    }

    fn listed(&self, view: View, keep: impl Fn(Shown) -> bool) -> Vec<HelpRow> {
        self.rows(view)
            .iter()
            .filter(|r| keep(r.binding.shown))
            .map(|r| HelpRow {
                action: r.binding.action,
                keys: join_keys(&r.keys),
                short: match r.binding.shown {
                    Shown::Hint(word) => word,
                    _ => r.binding.desc,
                },
                desc: r.binding.desc,
            })
            .collect()
    }
}

fn join_keys(keys: &[Key]) -> String {
    keys.iter()
        .map(Key::to_string)
        .collect::<Vec<_>>()
        .join("/")
}

/// Two actions of one view may not share a key.
fn check_conflicts(rows: &[Bound]) -> Result<(), KeymapError> {
    for (i, a) in rows.iter().enumerate() {
        for b in &rows[i + 1..] {
            if let Some(k) = a.keys.iter().find(|k| b.keys.contains(k)) {
                return Err(KeymapError::Conflict {
                    key: k.to_string(),
                    first: a.binding.action.name(),
                    second: b.binding.action.name(),
                });
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests;
