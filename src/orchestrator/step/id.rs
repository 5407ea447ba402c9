//! A step's stable id within its plan (`final_sync`, `create_server:web-1`, `wait_active:wave2`).
//! Built by constructors next to the step kind each names (`StepId::create_server(name)`), never
//! by formatting at a call site; journaled as the plain string.

use serde::{Deserialize, Serialize};
use std::borrow::Borrow;
use std::fmt;

#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct StepId(String);

impl StepId {
    /// An id for one step of a plan, alone of its kind.
    pub(crate) fn single(name: &str) -> Self {
        Self(name.to_string())
    }

    /// An id for one of several steps of a kind, told apart by their subject (a server, a wave).
    pub(crate) fn of(name: &str, subject: impl fmt::Display) -> Self {
        Self(format!("{name}:{subject}"))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for StepId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl AsRef<str> for StepId {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

/// Lets maps keyed by id be read with a `&str` (ids read back from the journal).
impl Borrow<str> for StepId {
    fn borrow(&self) -> &str {
        &self.0
    }
}

/// Ids as the journal and tests spell them.
impl From<&str> for StepId {
    fn from(s: &str) -> Self {
        Self(s.to_string())
    }
}

impl From<String> for StepId {
    fn from(s: String) -> Self {
        Self(s)
    }
}

impl From<StepId> for String {
    fn from(id: StepId) -> Self {
        id.0
    }
}

impl PartialEq<str> for StepId {
    fn eq(&self, other: &str) -> bool {
        self.0 == other
    }
}

impl PartialEq<&str> for StepId {
    fn eq(&self, other: &&str) -> bool {
        self.0 == *other
    }
}
