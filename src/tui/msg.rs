//! The one queue: terminal input, engine events and background results become a `Msg`; `update`
//! answers with `Action`s, requests the runtime carries out in tasks.

use super::backend::{BackendError, Fault, Mappings, OperationDetail, OperationRequest};
use super::theme::{Theme, ThemeError};
use crate::domain::preconditions::Check;
use crate::domain::{EstateView, InstanceView, OperationRecord};
use crate::orchestrator::OperationEvent;
use chrono::{DateTime, Utc};
use crossterm::event::{KeyEvent, MouseEvent};

#[derive(Debug, Clone)]
pub enum Msg {
    Key(KeyEvent),
    Mouse(MouseEvent),
    Resize(u16, u16),
    /// The refresh interval elapsed.
    RefreshDue,
    Estate(Result<EstateView, BackendError>),
    Instances {
        group: String,
        result: Result<Vec<InstanceView>, BackendError>,
    },
    Operations(Result<Vec<OperationRecord>, BackendError>),
    Detail {
        id: String,
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
        result: Result<Vec<Check>, BackendError>,
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
    Theme(Result<Theme, ThemeError>),
    /// A spinner frame; only sent while an operation runs.
    Tick(DateTime<Utc>),
}

#[derive(Debug, Clone, PartialEq)]
pub enum Action {
    Refresh,
    LoadOperations,
    LoadInstances(String),
    LoadDetail(String),
    LoadMappings(String),
    Check(OperationRequest),
    Start(OperationRequest),
    Cancel(String),
    InjectFault { site: String, fault: Fault },
    ClearFaults(String),
    LoadTheme(String),
    Quit,
}
