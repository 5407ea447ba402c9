//! What a key can do in a view, and the name `[ui.keys]` gives each action.

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
    Report,
    ScrollDown,
    ScrollUp,
    ToggleLog,
}

impl KeyAction {
    pub const ALL: [KeyAction; 24] = [
        KeyAction::Help,
        KeyAction::Filter,
        KeyAction::Command,
        KeyAction::Open,
        KeyAction::Back,
        KeyAction::Menu,
        KeyAction::Failover,
        KeyAction::Drill,
        KeyAction::Refresh,
        KeyAction::Quit,
        KeyAction::NextPane,
        KeyAction::PrevPane,
        KeyAction::Down,
        KeyAction::Up,
        KeyAction::Top,
        KeyAction::Bottom,
        KeyAction::PageDown,
        KeyAction::PageUp,
        KeyAction::Faults,
        KeyAction::CancelOperation,
        KeyAction::Report,
        KeyAction::ScrollDown,
        KeyAction::ScrollUp,
        KeyAction::ToggleLog,
    ];

    /// The name in `[ui.keys]`.
    pub fn name(self) -> &'static str {
        match self {
            KeyAction::Help => "help",
            KeyAction::Filter => "filter",
            KeyAction::Command => "command",
            KeyAction::Open => "open",
            KeyAction::Back => "back",
            KeyAction::Menu => "menu",
            KeyAction::Failover => "failover",
            KeyAction::Drill => "drill",
            KeyAction::Refresh => "refresh",
            KeyAction::Quit => "quit",
            KeyAction::NextPane => "next_pane",
            KeyAction::PrevPane => "prev_pane",
            KeyAction::Down => "down",
            KeyAction::Up => "up",
            KeyAction::Top => "top",
            KeyAction::Bottom => "bottom",
            KeyAction::PageDown => "page_down",
            KeyAction::PageUp => "page_up",
            KeyAction::Faults => "faults",
            KeyAction::CancelOperation => "cancel_operation",
            KeyAction::Report => "report",
            KeyAction::ScrollDown => "scroll_down",
            KeyAction::ScrollUp => "scroll_up",
            KeyAction::ToggleLog => "toggle_log",
        }
    }

    pub fn from_name(name: &str) -> Option<KeyAction> {
        KeyAction::ALL.into_iter().find(|a| a.name() == name)
    }
}
