//! The step contract: every step kind states, in one impl the compiler checks, how it runs, how
//! it tells whether it already happened (so a resumed operation never does it twice), and how it
//! is undone — or that it cannot be, or that it leaves nothing to undo. The kinds themselves live
//! in `orchestrator::steps`.

mod ctx;
mod id;

pub use crate::domain::{Resource, ResourceKind, Undo};
pub use ctx::{Outputs, StepCtx, StepError};
pub use id::StepId;

use serde::Serialize;
use serde::de::DeserializeOwned;
use std::future::Future;

/// Whether a step that may have run before a crash had its effect.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AlreadyDone<T> {
    /// It happened: this is what it made, found at the sites or in the journal. It is not run.
    Found(T),
    /// It has not happened (or not all of it): run it.
    NotDone,
    /// The step never looks: running it again is harmless (a probe, a snapshot, a wait, a stop,
    /// a delete of what is already gone).
    RepeatSafe,
}

impl<T> AlreadyDone<T> {
    pub fn map<U>(self, f: impl FnOnce(T) -> U) -> AlreadyDone<U> {
        match self {
            AlreadyDone::Found(t) => AlreadyDone::Found(f(t)),
            AlreadyDone::NotDone => AlreadyDone::NotDone,
            AlreadyDone::RepeatSafe => AlreadyDone::RepeatSafe,
        }
    }

    /// `Found` when `found` holds a value, else `NotDone`.
    pub fn found_or_not(found: Option<T>) -> Self {
        found.map_or(AlreadyDone::NotDone, AlreadyDone::Found)
    }
}

/// One kind of step. `run`, `check` and `undo` have no default: a kind that does not say how it is
/// checked and undone does not compile.
///
/// A complete step:
///
/// ```
/// use drconsole::domain::Resource;
/// use drconsole::orchestrator::step::{AlreadyDone, Step, StepCtx, StepError, Undo};
///
/// struct Ping;
///
/// impl Step for Ping {
///     type Env = ();
///     type Output = ();
///     const NAME: &'static str = "ping";
///
///     async fn run(&self, _: &(), _: &StepCtx) -> Result<(), StepError> {
///         Ok(())
///     }
///     async fn check(&self, _: &(), _: &StepCtx) -> Result<AlreadyDone<()>, StepError> {
///         Ok(AlreadyDone::RepeatSafe)
///     }
///     async fn undo(&self, _: &(), _: Option<&()>, _: &StepCtx) -> Result<Undo, StepError> {
///         Ok(Undo::NothingToUndo)
///     }
///     fn resources(&self, _: &()) -> Vec<Resource> {
///         Vec::new()
///     }
///     fn intended_resources(&self) -> Vec<Resource> {
///         Vec::new()
///     }
/// }
/// ```
///
/// The same step without `undo` is rejected (E0046: not all trait items implemented):
///
/// ```compile_fail,E0046
/// use drconsole::domain::Resource;
/// use drconsole::orchestrator::step::{AlreadyDone, Step, StepCtx, StepError, Undo};
///
/// struct Ping;
///
/// impl Step for Ping {
///     type Env = ();
///     type Output = ();
///     const NAME: &'static str = "ping";
///
///     async fn run(&self, _: &(), _: &StepCtx) -> Result<(), StepError> {
///         Ok(())
///     }
///     async fn check(&self, _: &(), _: &StepCtx) -> Result<AlreadyDone<()>, StepError> {
///         Ok(AlreadyDone::RepeatSafe)
///     }
///     fn resources(&self, _: &()) -> Vec<Resource> {
///         Vec::new()
///     }
///     fn intended_resources(&self) -> Vec<Resource> {
///         Vec::new()
///     }
/// }
/// ```
///
/// And so is the same step without `check`:
///
/// ```compile_fail,E0046
/// use drconsole::domain::Resource;
/// use drconsole::orchestrator::step::{AlreadyDone, Step, StepCtx, StepError, Undo};
///
/// struct Ping;
///
/// impl Step for Ping {
///     type Env = ();
///     type Output = ();
///     const NAME: &'static str = "ping";
///
///     async fn run(&self, _: &(), _: &StepCtx) -> Result<(), StepError> {
///         Ok(())
///     }
///     async fn undo(&self, _: &(), _: Option<&()>, _: &StepCtx) -> Result<Undo, StepError> {
///         Ok(Undo::NothingToUndo)
///     }
///     fn resources(&self, _: &()) -> Vec<Resource> {
///         Vec::new()
///     }
///     fn intended_resources(&self) -> Vec<Resource> {
///         Vec::new()
///     }
/// }
/// ```
///
/// And so is the same step that does not say what it makes (`resources`):
///
/// ```compile_fail,E0046
/// use drconsole::domain::Resource;
/// use drconsole::orchestrator::step::{AlreadyDone, Step, StepCtx, StepError, Undo};
///
/// struct Ping;
///
/// impl Step for Ping {
///     type Env = ();
///     type Output = ();
///     const NAME: &'static str = "ping";
///
///     async fn run(&self, _: &(), _: &StepCtx) -> Result<(), StepError> {
///         Ok(())
///     }
///     async fn check(&self, _: &(), _: &StepCtx) -> Result<AlreadyDone<()>, StepError> {
///         Ok(AlreadyDone::RepeatSafe)
///     }
///     async fn undo(&self, _: &(), _: Option<&()>, _: &StepCtx) -> Result<Undo, StepError> {
///         Ok(Undo::NothingToUndo)
///     }
///     fn intended_resources(&self) -> Vec<Resource> {
///         Vec::new()
///     }
/// }
/// ```
pub trait Step: Send + Sync {
    /// What the step acts through: the sites and the journal (`SiteRunner`) for real steps.
    type Env: Sync;
    /// What it made, journaled when it succeeds; read back typed by the steps after it, by its
    /// own `undo`, and by the engine when the operation ends.
    type Output: Serialize + DeserializeOwned + Send + Sync;
    /// The step's name in the seeds' vocabulary (`final_sync`, `create_server`, …).
    const NAME: &'static str;

    /// What the operator reads in the steps list: the name, and the subject when there is one.
    fn label(&self) -> String {
        Self::NAME.to_string()
    }

    /// Do it. The output is journaled before any step that waits for this one starts.
    fn run(
        &self,
        env: &Self::Env,
        ctx: &StepCtx,
    ) -> impl Future<Output = Result<Self::Output, StepError>> + Send;

    /// Asked of a step that had started before a crash: did it happen? Answer from what the
    /// sites show (by name, or by the `drconsole:operation` metadata), never by doing it.
    fn check(
        &self,
        env: &Self::Env,
        ctx: &StepCtx,
    ) -> impl Future<Output = Result<AlreadyDone<Self::Output>, StepError>> + Send;

    /// Reverse its effect during a rollback. `output` is `None` for a step that failed part way
    /// (or whose output is lost): find what it made the way `check` does.
    fn undo(
        &self,
        env: &Self::Env,
        output: Option<&Self::Output>,
        ctx: &StepCtx,
    ) -> impl Future<Output = Result<Undo, StepError>> + Send;

    /// The resources at the sites that `output` says this step made (servers, ports, volumes,
    /// array volumes): what is left behind when its undo cannot run, and what `ops cleanup`
    /// removes then. Empty for a step that makes nothing (a stop, a wait, a delete).
    fn resources(&self, output: &Self::Output) -> Vec<Resource>;

    /// What running this step makes, by name, before any id is known: listed as possibly left
    /// behind when the step failed before saying what it made and could not be undone.
    fn intended_resources(&self) -> Vec<Resource>;
}
