//! The terminal console (ARCHITECTURE.md §1): Elm-like. `Msg`s from the terminal, the engine's
//! event stream and background tasks go through `update`, which changes the `App` and asks for
//! `Action`s; `view` draws the `App`. The console reaches the engine only via `ConsoleBackend`.

pub mod app;
pub mod backend;
pub mod choices;
pub mod command;
pub mod confirmation;
pub mod dialog;
mod dialog_points;
pub mod engine_backend;
pub mod jobs;
pub mod keymap;
pub mod mapping_text;
pub mod msg;
pub mod overlay;
pub mod run;
pub mod runtime;
pub mod symbols;
pub mod terminal;
pub mod theme;
pub mod update;
pub mod view;

#[cfg(test)]
mod tests;

pub use backend::{
    BackendError, ConsoleBackend, Fault, FaultKind, Mappings, OperationDetail, OperationRequest,
    ReportWriter, SiteFaults, StepState, StepView, WrittenReport,
};
pub use run::{Start, run};
