//! The one queue: terminal input, engine events and background results become a `Msg`; `update`
//! answers with an `Effect`: the `Action`s the runtime carries out in tasks, and whether the
//! screen changed. Replies of background jobs carry the generation of their request.

use super::backend::{
    BackendError, Fault, Mappings, OperationDetail, OperationRequest, SiteFaults, WrittenReport,
};
use super::jobs::Gen;
use super::theme::{Theme, ThemeError};
use crate::domain::preconditions::CheckReport;
use crate::domain::{EstateView, GroupState, InstanceView, OperationRecord};
use crate::orchestrator::OperationEvent;
use chrono::{DateTime, Utc};
use crossterm::event::{KeyEvent, MouseEvent};

#[derive(Debug)]
pub enum Msg {
    Key(KeyEvent),
    Mouse(MouseEvent),
    Resize(u16, u16),
    /// The refresh interval elapsed.
    RefreshDue,
    Estate {
        generation: Gen,
        result: Result<EstateView, BackendError>,
    },
    Instances {
        group: String,
        generation: Gen,
        result: Result<Vec<InstanceView>, BackendError>,
    },
    Operations {
        generation: Gen,
        result: Result<Vec<OperationRecord>, BackendError>,
    },
    /// Each group's RPO history from the journal.
    RpoHistory(Result<std::collections::HashMap<String, Vec<i64>>, BackendError>),
    /// Every group's state as the journal holds it.
    GroupStates {
        generation: Gen,
        result: Result<Vec<GroupState>, BackendError>,
    },
    /// The journal changed (this process or another one wrote): re-read what is shown from it.
    JournalChanged,
    /// The journal cannot be followed: other consoles' work shows only at each refresh.
    JournalUnfollowed(BackendError),
    Detail {
        id: String,
        generation: Gen,
        result: Result<Box<OperationDetail>, BackendError>,
    },
    Mappings {
        group: String,
        result: Result<Mappings, BackendError>,
    },
    Event(OperationEvent),
    /// The event stream dropped events: re-read what is shown.
    EventsLagged(u64),
    Checks {
        request: OperationRequest,
        generation: Gen,
        result: Result<CheckReport, BackendError>,
    },
    Started {
        request: OperationRequest,
        result: Result<String, BackendError>,
    },
    Cancelled {
        id: String,
        result: Result<(), BackendError>,
    },
    Fault(Result<String, BackendError>),
    /// An operation's report was written (the paths, the one to announce first).
    Report {
        id: String,
        /// Written at the operation's end (not on `R`): the card opens.
        at_end: bool,
        result: Result<WrittenReport, BackendError>,
    },
    /// The lab sites' active faults.
    LabFaults(Result<Vec<SiteFaults>, BackendError>),
    Theme(Result<Theme, ThemeError>),
    /// A spinner frame; only sent while an operation runs.
    Tick(DateTime<Utc>),
}

#[derive(Debug, Clone, PartialEq)]
pub enum Action {
    Refresh(Gen),
    LoadOperations(Gen),
    LoadGroupStates(Gen),
    LoadRpoHistory,
    LoadInstances {
        group: String,
        generation: Gen,
    },
    LoadDetail {
        id: String,
        generation: Gen,
    },
    LoadMappings(String),
    Check {
        request: OperationRequest,
        generation: Gen,
    },
    Start(OperationRequest),
    Cancel(String),
    InjectFault {
        site: String,
        fault: Fault,
    },
    ClearFaults(String),
    LoadLabFaults,
    WriteReport {
        id: String,
        at_end: bool,
    },
    LoadTheme(String),
    Quit,
}

/// What one message did: the work to start, and whether anything on screen changed.
#[derive(Debug, Default, PartialEq)]
#[must_use]
pub struct Effect {
    pub actions: Vec<Action>,
    pub redraw: bool,
}

impl Effect {
    /// Nothing changed and nothing is to be done.
    pub fn none() -> Effect {
        Effect::default()
    }

    /// The state changed: draw it.
    pub fn redraw() -> Effect {
        Effect {
            actions: Vec::new(),
            redraw: true,
        }
    }

    /// The state changed and work is to be done.
    pub fn run(actions: Vec<Action>) -> Effect {
        Effect {
            actions,
            redraw: true,
        }
    }

    /// Work is to be done; nothing on screen changed (yet).
    pub fn quiet(actions: Vec<Action>) -> Effect {
        Effect {
            actions,
            redraw: false,
        }
    }

    /// A redraw if `changed`, with no work.
    pub fn changed(changed: bool) -> Effect {
        Effect {
            actions: Vec::new(),
            redraw: changed,
        }
    }
}
