//! The embedded orchestrator: plans (DAGs of steps), the step contract and its kinds, the executor
//! that runs plans with bounded concurrency, timeouts, retries and rollback, and the event bus the
//! CLI and the TUI follow.

pub mod actor;
pub mod discovery;
pub mod engine;
pub mod events;
pub mod executor;
pub mod lab_faults;
pub mod plan;
pub mod plans;
pub mod runner;
pub mod site_runner;
pub mod step;
pub mod steps;

pub use events::{EventBus, EventKind, OperationEvent};
pub use executor::{Executor, LeftBehind, Mode, Outcome, PriorStep, RollbackPolicy};
pub use plan::{Plan, PlanError, RetryPolicy, StepSpec};
pub use runner::{ExecJournal, JournalEntry, NoJournal, StepRunner};
pub use step::{AlreadyDone, Step, StepCtx, StepError, StepId, Undo};
pub use steps::StepKind;
