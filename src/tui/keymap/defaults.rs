//! The default keys (UI.md) as data: one table per view, each row a key, the action it runs and
//! what it does. The help overlay and the hint bar are generated from these rows, and
//! `[ui.keys]` replaces an action's keys wherever it appears.

use super::action::KeyAction::{self, *};

/// Where a binding is listed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shown {
    /// In the hint bar under this short word, and in the help overlay.
    Hint(&'static str),
    /// In the help overlay only.
    Help,
    /// Works but is not listed (Esc on the main screen clears the filter the filter line shows).
    Unlisted,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Binding {
    /// Space-separated key names (`"j down"`), as `[ui.keys]` writes them.
    pub keys: &'static str,
    pub action: KeyAction,
    pub desc: &'static str,
    pub shown: Shown,
}

const fn bind(keys: &'static str, action: KeyAction, desc: &'static str, shown: Shown) -> Binding {
    Binding {
        keys,
        action,
        desc,
        shown,
    }
}

use Shown::{Help as H, Hint, Unlisted};

/// The main screen: sites, groups, instances and operations.
pub const MAIN: &[Binding] = &[
    bind("?", Help, "help", Hint("help")),
    bind("/", Filter, "filter the focused list", Hint("filter")),
    bind(":", Command, "command line", Hint("command")),
    bind(
        "enter",
        Open,
        "open the selected row's detail",
        Hint("open"),
    ),
    bind("esc", Back, "clear the filter", Unlisted),
    bind("m", Menu, "actions of the group", Hint("actions")),
    bind("f", Failover, "failover", Hint("failover")),
    bind("t", Drill, "drill (test failover)", Hint("drill")),
    bind("r", Refresh, "refresh now", H),
    bind("tab", NextPane, "next pane", Hint("next")),
    bind("backtab", PrevPane, "previous pane", H),
    bind("j down", Down, "move down", H),
    bind("k up", Up, "move up", H),
    bind("g home", Top, "first row", H),
    bind("G end", Bottom, "last row", H),
    bind("pgdn", PageDown, "page down", H),
    bind("pgup", PageUp, "page up", H),
    bind("R", Report, "write the report of the selected operation", H),
    bind("F", Faults, "lab fault menu (lab only)", H),
    bind("q", Quit, "quit", Hint("quit")),
];

/// The operation view: one operation's steps, timeline and log.
pub const OPERATION: &[Binding] = &[
    bind("?", Help, "help", Hint("help")),
    bind(":", Command, "command line", Hint("command")),
    bind("esc", Back, "back", Hint("back")),
    bind("r", Refresh, "refresh now", H),
    bind("j down", Down, "move down", H),
    bind("k up", Up, "move up", H),
    bind("g home", Top, "first row", H),
    bind("G end", Bottom, "last row", H),
    bind("pgdn", PageDown, "page down", H),
    bind("pgup", PageUp, "page up", H),
    bind(
        "enter",
        Open,
        "the selected step: what it waits for, attempts, timeout, point of no return",
        Hint("step"),
    ),
    bind(
        "c",
        CancelOperation,
        "cancel this operation",
        Hint("cancel"),
    ),
    bind(
        "J",
        ScrollDown,
        "scroll the result or error down",
        Hint("more"),
    ),
    bind("K", ScrollUp, "scroll the result or error up", H),
    bind("L", ToggleLog, "enlarge or shrink the log", Hint("log")),
    bind("R", Report, "write this operation's report", Hint("report")),
    bind("F", Faults, "lab fault menu (lab only)", H),
    bind("q", Quit, "quit", Hint("quit")),
];
