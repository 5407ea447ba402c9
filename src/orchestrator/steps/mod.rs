//! The step kinds a plan is made of, in the seeds' vocabulary. Each kind is a struct with its
//! parameters, a typed output, and its `Step` impl (run, check, undo) in the file of its family;
//! `step_kinds!` below makes the journaled `StepKind` enum of them and its dispatch, so no kind
//! can be left out of a match.
//!
//! Adding a kind touches three files: its family's file (struct, output, `StepId` constructor,
//! `impl Step`), the list below, and the plan fragment that uses it.

mod cleanup;
mod fence;
mod floating;
mod instances;
mod noop;
mod primary;
mod quiesce;
mod replication;
mod runner;
mod servers;
mod snapshot;
mod validate;
mod volumes;

#[cfg(test)]
mod resources_tests;
#[cfg(test)]
mod tests;

pub use cleanup::{CleanupTestResources, Removed};
pub use fence::{FenceSource, Fenced, Verified, VerifyFenced};
pub use floating::{FloatingIpMove, MoveFloatingIps, MovedFloatingIp, MovedFloatingIps};
pub use instances::{
    Active, CreatePorts, CreateServer, CreatedServer, Ports, ServerPlan, WaitActive,
};
pub use noop::Noop;
pub use primary::{PrimarySwapped, SwapPrimary};
pub use quiesce::{RestartQuiesced, Restarted};
pub use replication::{ReplicationStopped, ReverseReplication, Reversed, StopReplication};
pub use servers::{RetireInstances, Retired, StopServers, Stopped};
pub use snapshot::{ChosenSnapshot, FinalSync, ReplicateNow, SelectSnapshot};
pub use validate::{SitesValidated, ValidateSites};
pub use volumes::{
    ArrayVolumes, CreateVolumesFromSnapshot, ManageVolumes, ManagedVolume, ManagedVolumes,
    VolumeCopy,
};

use super::site_runner::SiteRunner;
use super::step::{AlreadyDone, Step, StepCtx, StepError, Undo};
use crate::domain::Resource;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// A step kind as a plan holds it: which `StepKind` variant it is.
pub trait OfKind: Step<Env = SiteRunner> + Into<StepKind> + 'static {
    /// The kind's parameters, when `kind` is of this kind.
    fn of(kind: &StepKind) -> Option<&Self>;
}

/// A step's output as journaled.
fn encode<T: Serialize>(output: T) -> Result<Value, StepError> {
    serde_json::to_value(output)
        .map_err(|e| StepError::fatal(format!("cannot record the step's output: {e}")))
}

/// A journaled output as the step's own; a missing (`null`) one, or one that does not read, is
/// `None`: undo then looks for what the step made the way its check does.
fn decode<T: DeserializeOwned>(output: Option<&Value>) -> Option<T> {
    let value = output.filter(|v| !v.is_null())?;
    T::deserialize(value)
        .inspect_err(|e| tracing::warn!("a journaled step output is unreadable: {e}"))
        .ok()
}

/// The `StepKind` enum (serde-tagged by `kind`, as journaled in plans) with one variant per
/// listed type, and its dispatch of label, run, check and undo to each type's `Step` impl.
macro_rules! step_kinds {
    ($($kind:ident),* $(,)?) => {
        #[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
        #[serde(tag = "kind", rename_all = "snake_case")]
        pub enum StepKind {
            $($kind($kind),)*
        }

        impl StepKind {
            /// The kind's name (`retire_instances`), which its label starts with.
            pub fn name(&self) -> &'static str {
                match self {
                    $(StepKind::$kind(_) => <$kind as Step>::NAME,)*
                }
            }

            /// What the operator reads in the steps list: the name and its subject.
            pub fn label(&self) -> String {
                match self {
                    $(StepKind::$kind(s) => s.label(),)*
                }
            }

            pub(crate) async fn run(
                &self,
                env: &SiteRunner,
                ctx: &StepCtx,
            ) -> Result<Value, StepError> {
                match self {
                    $(StepKind::$kind(s) => encode(s.run(env, ctx).await?),)*
                }
            }

            pub(crate) async fn check(
                &self,
                env: &SiteRunner,
                ctx: &StepCtx,
            ) -> Result<AlreadyDone<Value>, StepError> {
                match self {
                    $(StepKind::$kind(s) => match s.check(env, ctx).await? {
                        AlreadyDone::Found(output) => Ok(AlreadyDone::Found(encode(output)?)),
                        AlreadyDone::NotDone => Ok(AlreadyDone::NotDone),
                        AlreadyDone::RepeatSafe => Ok(AlreadyDone::RepeatSafe),
                    },)*
                }
            }

            pub(crate) async fn undo(
                &self,
                env: &SiteRunner,
                output: Option<&Value>,
                ctx: &StepCtx,
            ) -> Result<Undo, StepError> {
                match self {
                    $(StepKind::$kind(s) => {
                        let output = decode::<<$kind as Step>::Output>(output);
                        s.undo(env, output.as_ref(), ctx).await
                    })*
                }
            }

            /// What the step made, as its journaled output names it; what it would make, by
            /// name, when it has no readable output (it failed part way).
            pub fn resources(&self, output: Option<&Value>) -> Vec<Resource> {
                match self {
                    $(StepKind::$kind(s) => match decode::<<$kind as Step>::Output>(output) {
                        Some(o) => s.resources(&o),
                        None => s.intended_resources(),
                    },)*
                }
            }
        }

        $(
            impl From<$kind> for StepKind {
                fn from(step: $kind) -> Self {
                    StepKind::$kind(step)
                }
            }

            impl OfKind for $kind {
                fn of(kind: &StepKind) -> Option<&Self> {
                    match kind {
                        StepKind::$kind(s) => Some(s),
                        _ => None,
                    }
                }
            }
        )*
    };
}

impl StepKind {
    /// Undoing it changes nothing at the sites (a probe, a snapshot, a wait): it need not be held
    /// back when a step after it could not be undone. Kinds not listed are held back.
    pub fn undo_changes_nothing(&self) -> bool {
        matches!(
            self,
            StepKind::ValidateSites(_)
                | StepKind::FinalSync(_)
                | StepKind::ReplicateNow(_)
                | StepKind::SelectSnapshot(_)
                | StepKind::WaitActive(_)
                | StepKind::Noop(_)
        )
    }
}

step_kinds! {
    ValidateSites,
    StopServers,
    FenceSource,
    VerifyFenced,
    FinalSync,
    SelectSnapshot,
    CreateVolumesFromSnapshot,
    ManageVolumes,
    CreatePorts,
    CreateServer,
    WaitActive,
    MoveFloatingIps,
    ReverseReplication,
    StopReplication,
    SwapPrimary,
    RetireInstances,
    CleanupTestResources,
    RestartQuiesced,
    ReplicateNow,
    Noop,
}
