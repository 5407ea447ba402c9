//! The layers over a screen — help, menus, dialogs, confirmations, the command line, the faults
//! menu, a row's detail, a finished operation's card, the quit and cancel questions — and the
//! state each keeps while it has the keyboard.

use super::backend::OperationDetail;
use super::dialog::{ConfirmState, DialogState};
use tui_input::Input;

#[derive(Debug, Clone)]
pub struct MenuState {
    pub group: String,
    pub selected: usize,
}

#[derive(Debug, Clone, Default)]
pub struct CommandState {
    pub input: Input,
    /// Candidates of the last Tab, shown under the line.
    pub candidates: Vec<String>,
}

#[derive(Debug, Clone, Default)]
pub struct FaultMenu {
    pub site: usize,
    pub selected: usize,
}

/// The summary a finished drill or failover leaves on screen until dismissed.
#[derive(Debug, Clone)]
pub struct CardState {
    /// The operation the report tells (a drill, for its cleanup).
    pub detail: Box<OperationDetail>,
    /// The operation whose end opened the card (the cleanup, for a drill's card after it).
    pub ended: String,
    /// The report file as announced.
    pub path: Option<String>,
    pub scroll: u16,
}

/// What a row's detail shows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DetailKind {
    Instance(String),
    Site(String),
    /// A step of the operation on screen, by step id.
    Step(String),
}

#[derive(Debug, Clone)]
pub struct DetailState {
    pub kind: DetailKind,
    pub scroll: u16,
}

#[derive(Debug, Clone)]
pub enum Overlay {
    /// The help, scrolled down this many rows.
    Help(u16),
    Detail(DetailState),
    Card(Box<CardState>),
    Menu(MenuState),
    Dialog(Box<DialogState>),
    Confirm(Box<ConfirmState>),
    Command(CommandState),
    Filter(Input),
    Faults(FaultMenu),
    QuitConfirm,
    CancelConfirm(String),
}
