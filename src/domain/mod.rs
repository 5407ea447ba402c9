//! Pure domain types: sites, protection groups, instances, operations, phases and the state machine
//! of ARCHITECTURE.md §4. No IO, no async.

pub mod site;

pub use site::*;
