//! The console's state: what was last heard from the engine, what the operator is looking at, and
//! the one overlay (menu, dialog, confirmation, command line…) that has the keyboard.

use super::backend::{Fault, OperationDetail, SiteFaults};
use super::jobs::Jobs;
use super::keymap::{Keymap, View};
use super::theme::{Role, Theme};
use crate::domain::{EstateView, GroupState, GroupView, InstanceView, OperationRecord};
use crate::sanitize::clean;
use chrono::{DateTime, Utc};
use std::collections::{BTreeSet, HashMap};

pub use super::overlay::{
    CardState, CommandState, DetailKind, DetailState, FaultMenu, MenuState, Overlay,
};

/// RPO samples read per group from the journal's history for the lag sparkline.
pub const RPO_HISTORY_LEN: usize = 60;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Pane {
    Sites,
    Groups,
    Instances,
    Operations,
}

impl Pane {
    /// Tab order.
    pub const ORDER: [Pane; 4] = [Pane::Groups, Pane::Instances, Pane::Operations, Pane::Sites];

    pub fn index(self) -> usize {
        match self {
            Pane::Sites => 0,
            Pane::Groups => 1,
            Pane::Instances => 2,
            Pane::Operations => 3,
        }
    }

    fn step(self, forward: bool) -> Pane {
        let i = Pane::ORDER.iter().position(|p| *p == self).unwrap_or(0);
        let n = Pane::ORDER.len();
        Pane::ORDER[if forward {
            (i + 1) % n
        } else {
            (i + n - 1) % n
        }]
    }

    pub fn next(self) -> Pane {
        self.step(true)
    }

    pub fn prev(self) -> Pane {
        self.step(false)
    }
}

/// Selection and scroll of one list; `selected` indexes the filtered rows.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ListCursor {
    pub selected: usize,
    pub offset: usize,
    pub filter: String,
}

/// The first visible row so that `selected` is on screen.
pub fn window(selected: usize, offset: usize, height: usize, len: usize) -> usize {
    if height == 0 || len == 0 {
        return 0;
    }
    let max_offset = len.saturating_sub(height);
    let offset = offset.min(max_offset);
    if selected < offset {
        selected
    } else if selected >= offset + height {
        selected + 1 - height
    } else {
        offset
    }
}

#[derive(Debug, Clone)]
pub struct OpView {
    pub id: String,
    pub detail: Option<OperationDetail>,
    pub error: Option<String>,
    pub cursor: ListCursor,
    /// Events that arrived before the detail; applied when it does.
    pub pending: Vec<crate::orchestrator::OperationEvent>,
    /// The journal (not only the event stream) says the operation ended: its detail, result
    /// included, is final and is no longer re-read.
    pub settled: bool,
    /// Its events arrive on this process's bus (it runs here): the view follows them, and a
    /// journal change need not re-read it.
    pub live: bool,
    /// Rows the result or error card is scrolled down.
    pub card_scroll: u16,
    /// The log pane takes most of the screen.
    pub log_large: bool,
}

impl OpView {
    pub fn new(id: String) -> OpView {
        OpView {
            id,
            detail: None,
            error: None,
            cursor: ListCursor::default(),
            pending: Vec::new(),
            settled: false,
            live: false,
            card_scroll: 0,
            log_large: false,
        }
    }
}

#[derive(Debug, Clone)]
pub enum Screen {
    Main,
    Operation(Box<OpView>),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Message {
    pub role: Role,
    pub text: String,
}

#[derive(Debug, Clone)]
pub struct App {
    /// The injected clock: set by the runtime, fixed in tests.
    pub now: DateTime<Utc>,
    /// `operator@jump-1` and the like, for the header.
    pub context: String,
    pub lab: bool,
    /// Each lab site's active faults, as its control API last said.
    pub lab_faults: Vec<SiteFaults>,
    pub estate: Option<EstateView>,
    pub estate_error: Option<String>,
    /// Each group's state as the journal last said: newer than a discovery that read it before
    /// the sites answered, so it is laid over every estate that arrives.
    pub journal_groups: HashMap<String, GroupState>,
    /// The journal cannot be followed (said once in the status bar).
    pub journal_unfollowed: Option<String>,
    /// Each group's RPO history (seconds, oldest first), as the journal keeps it.
    pub rpo_history: HashMap<String, Vec<u64>>,
    pub instances: Vec<InstanceView>,
    pub instances_group: Option<String>,
    pub instances_error: Option<String>,
    pub operations: Vec<OperationRecord>,
    pub focus: Pane,
    pub cursors: [ListCursor; 4],
    pub screen: Screen,
    pub overlay: Option<Overlay>,
    /// Operations started from this console.
    pub own_ops: BTreeSet<String>,
    /// Reports written by this console: operation id → where (as announced).
    pub reports: HashMap<String, String>,
    /// Operations whose end this console has reported (each once).
    pub reported: BTreeSet<String>,
    /// Cards of ended operations that wait for the overlay on screen to close.
    pub pending_cards: Vec<Box<CardState>>,
    /// When this console started: an operation that ended before is not reported at its end.
    pub since: DateTime<Utc>,
    pub theme: Theme,
    pub keymap: Keymap,
    pub message: Option<Message>,
    pub spinner: usize,
    pub size: (u16, u16),
    /// Generations of the background jobs; the estate's also guards against a second refresh.
    pub jobs: Jobs,
    pub quit: bool,
}

impl App {
    pub fn new(now: DateTime<Utc>, context: &str, lab: bool, theme: Theme, keymap: Keymap) -> Self {
        App {
            now,
            context: context.to_string(),
            lab,
            lab_faults: Vec::new(),
            estate: None,
            estate_error: None,
            journal_groups: HashMap::new(),
            journal_unfollowed: None,
            rpo_history: HashMap::new(),
            instances: Vec::new(),
            instances_group: None,
            instances_error: None,
            operations: Vec::new(),
            focus: Pane::Groups,
            cursors: Default::default(),
            screen: Screen::Main,
            overlay: None,
            own_ops: BTreeSet::new(),
            reports: HashMap::new(),
            reported: BTreeSet::new(),
            pending_cards: Vec::new(),
            since: now,
            theme,
            keymap,
            message: None,
            spinner: 0,
            size: (80, 24),
            jobs: Jobs::default(),
            quit: false,
        }
    }

    /// The screen whose key table applies.
    pub fn view(&self) -> View {
        match self.screen {
            Screen::Main => View::Main,
            Screen::Operation(_) => View::Operation,
        }
    }

    pub fn cursor(&self, pane: Pane) -> &ListCursor {
        &self.cursors[pane.index()]
    }

    pub fn cursor_mut(&mut self, pane: Pane) -> &mut ListCursor {
        &mut self.cursors[pane.index()]
    }

    pub fn groups(&self) -> &[GroupView] {
        self.estate
            .as_ref()
            .map(|e| e.protection_groups.as_slice())
            .unwrap_or(&[])
    }

    pub fn len(&self, pane: Pane) -> usize {
        match pane {
            Pane::Sites => self.estate.as_ref().map(|e| e.sites.len()).unwrap_or(0),
            Pane::Groups => self.groups().len(),
            Pane::Instances => self.instances.len(),
            Pane::Operations => self.operations.len(),
        }
    }

    fn row_text(&self, pane: Pane, i: usize) -> String {
        match pane {
            Pane::Sites => self
                .estate
                .as_ref()
                .and_then(|e| e.sites.get(i))
                .map(|s| s.name.clone())
                .unwrap_or_default(),
            Pane::Groups => self
                .groups()
                .get(i)
                .map(|g| g.name.clone())
                .unwrap_or_default(),
            Pane::Instances => self
                .instances
                .get(i)
                .map(|x| x.name.clone())
                .unwrap_or_default(),
            Pane::Operations => self
                .operations
                .get(i)
                .map(|o| {
                    let kind = o.operation_type;
                    format!(
                        "{} {} {} {}",
                        kind.short_label(),
                        kind.label(),
                        o.protection_group,
                        o.status
                    )
                })
                .unwrap_or_default(),
        }
    }

    /// Indices of the rows that pass the pane's filter.
    pub fn rows(&self, pane: Pane) -> Vec<usize> {
        let filter = self.cursor(pane).filter.to_lowercase();
        let n = self.len(pane);
        if filter.is_empty() {
            return (0..n).collect();
        }
        (0..n)
            .filter(|&i| self.row_text(pane, i).to_lowercase().contains(&filter))
            .collect()
    }

    /// The index (into the unfiltered list) of the selected row.
    pub fn selected_index(&self, pane: Pane) -> Option<usize> {
        self.rows(pane).get(self.cursor(pane).selected).copied()
    }

    pub fn selected_group(&self) -> Option<&GroupView> {
        self.selected_index(Pane::Groups)
            .and_then(|i| self.groups().get(i))
    }

    pub fn group(&self, name: &str) -> Option<&GroupView> {
        self.groups().iter().find(|g| g.name == name)
    }

    pub fn selected_operation(&self) -> Option<&OperationRecord> {
        self.selected_index(Pane::Operations)
            .and_then(|i| self.operations.get(i))
    }

    pub fn both_sites_reachable(&self, group: &GroupView) -> bool {
        let up = |name: &str| {
            self.estate
                .as_ref()
                .and_then(|e| e.site(name))
                .map(|s| s.reachable)
                .unwrap_or(false)
        };
        up(&group.primary_site) && up(&group.secondary_site)
    }

    /// An operation started here is still running: quitting asks first.
    pub fn own_operation_running(&self) -> bool {
        self.operations
            .iter()
            .any(|o| self.own_ops.contains(&o.id) && !o.status.is_finished())
            || self
                .own_ops
                .iter()
                .any(|id| !self.operations.iter().any(|o| &o.id == id))
    }

    /// Something spins: the runtime sends `Tick`s only while this holds.
    pub fn animating(&self) -> bool {
        self.operations.iter().any(|o| !o.status.is_finished())
    }

    /// A line for the status bar; control characters are stripped, whatever its source.
    pub fn info(&mut self, text: impl AsRef<str>) {
        self.message = Some(Message {
            role: Role::Text,
            text: clean(text.as_ref()),
        });
    }

    pub fn error(&mut self, text: impl AsRef<str>) {
        self.message = Some(Message {
            role: Role::Failed,
            text: clean(text.as_ref()),
        });
    }

    /// The faults a lab site holds now (none outside the lab).
    pub fn faults_at(&self, site: &str) -> &[Fault] {
        self.lab_faults
            .iter()
            .find(|f| f.site == site)
            .map(|f| f.faults.as_slice())
            .unwrap_or(&[])
    }

    /// Lay the journal's group states over the estate; true when anything shown changed.
    pub fn apply_journal_groups(&mut self) -> bool {
        let Some(estate) = self.estate.as_mut() else {
            return false;
        };
        let mut changed = false;
        for g in &mut estate.protection_groups {
            if let Some(s) = self.journal_groups.get(&g.name) {
                changed |= g.apply_state(s);
            }
        }
        changed
    }
}

/// The persistent state the state machine needs, as far as the estate view tells it.
pub fn group_state(g: &GroupView) -> GroupState {
    GroupState {
        name: g.name.clone(),
        status: g.status,
        current_primary: g.current_primary.clone(),
        failover_count: 0,
        metadata_version: 0,
        needs_resync: g.needs_resync,
        last_operation: g.last_operation.clone(),
        attention: g.attention.clone(),
        fence_pending: g.fence_pending.clone(),
    }
}
