//! Pure domain types: sites, protection groups, instances, operations, phases and the state machine
//! of ARCHITECTURE.md §4. No IO, no async.

pub mod detail;
pub mod estate;
pub mod group;
pub mod inventory;
pub mod journal;
pub mod mapping;
pub mod operation;
pub mod preconditions;
pub mod recovery_point;
pub mod resource;
pub mod site;
pub mod split_brain;
pub mod state_machine;

pub use detail::*;
pub use estate::*;
pub use group::*;
pub use inventory::*;
pub use journal::*;
pub use mapping::{MappingKind, MappingScope, Named};
pub use operation::*;
pub use preconditions::{
    Check, CheckOptions, CheckReport, CheckState, DrillNetworks, Facts, FloatingIpPlan, Listed,
    ManagePolicy, Observed, ReplicationHealth, evaluate, passes,
};
pub use recovery_point::{
    PointChoice, PointError, PointView, RecoveryPoint, RecoveryPoints, data_loss_seconds,
};
pub use resource::{Resource, ResourceKind};
pub use site::*;
pub use split_brain::SplitBrainFinding;
pub use state_machine::*;
