//! A plan is a DAG of steps (ARCHITECTURE.md §5), pure data so it can be journaled and rebuilt on
//! resume. Each step has a stable id, a kind (what to do, with its parameters), a phase, the steps
//! it waits for, a timeout, a retry policy, and whether it can be compensated.

use super::step::StepId;
use super::steps::{OfKind, StepKind};
use crate::domain::Phase;
use serde::{Deserialize, Serialize};
use std::borrow::Borrow;
use std::collections::{BTreeMap, HashMap};
use std::hash::Hash;
use std::time::Duration;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct RetryPolicy {
    /// Attempts in all (1 = no retry). Only errors marked retryable are retried.
    pub attempts: u32,
    pub backoff_ms: u64,
}

impl RetryPolicy {
    pub const NONE: RetryPolicy = RetryPolicy {
        attempts: 1,
        backoff_ms: 0,
    };
    pub const DEFAULT: RetryPolicy = RetryPolicy {
        attempts: 3,
        backoff_ms: 500,
    };
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StepSpec {
    /// Stable within the plan, e.g. `create_server:web-1`.
    pub id: StepId,
    pub kind: StepKind,
    pub phase: Phase,
    pub deps: Vec<StepId>,
    pub timeout_ms: u64,
    pub retry: RetryPolicy,
    /// A point of no return: never compensated, and nothing before it is either.
    pub no_rollback: bool,
}

impl StepSpec {
    pub fn new(id: impl Into<StepId>, kind: impl Into<StepKind>, phase: Phase) -> Self {
        Self {
            id: id.into(),
            kind: kind.into(),
            phase,
            deps: Vec::new(),
            timeout_ms: 120_000,
            retry: RetryPolicy::DEFAULT,
            no_rollback: false,
        }
    }

    pub fn after(mut self, deps: impl IntoIterator<Item = impl Into<StepId>>) -> Self {
        self.deps.extend(deps.into_iter().map(Into::into));
        self
    }

    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout_ms = timeout.as_millis() as u64;
        self
    }

    pub fn retry(mut self, retry: RetryPolicy) -> Self {
        self.retry = retry;
        self
    }

    pub fn point_of_no_return(mut self) -> Self {
        self.no_rollback = true;
        self
    }

    /// What the operator sees: the step's own name (its id's, so two steps of one kind in a plan
    /// read apart: `resume_replication`, `reverse_replication`) and its kind's subject.
    pub fn label(&self) -> String {
        let kind = self.kind.label();
        let subject = kind.strip_prefix(self.kind.name()).unwrap_or("");
        let name = self
            .id
            .as_str()
            .split(':')
            .next()
            .unwrap_or(self.kind.name());
        format!("{name}{subject}")
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct Plan {
    pub steps: Vec<StepSpec>,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PlanError {
    #[error("plan has two steps with id {0}")]
    DuplicateId(String),
    #[error("step {step} waits for {dep}, which is not in the plan")]
    UnknownDep { step: String, dep: String },
    #[error("plan has a cycle through step {0}")]
    Cycle(String),
}

impl Plan {
    pub fn push(&mut self, step: StepSpec) -> &mut Self {
        self.steps.push(step);
        self
    }

    pub fn get(&self, id: impl AsRef<str>) -> Option<&StepSpec> {
        let id = id.as_ref();
        self.steps.iter().find(|s| s.id == id)
    }

    /// The steps of kind `S`, in plan order, with their parameters.
    pub fn steps_of<S: OfKind>(&self) -> impl Iterator<Item = (&StepSpec, &S)> {
        self.steps
            .iter()
            .filter_map(|spec| S::of(&spec.kind).map(|s| (spec, s)))
    }

    /// Check ids are unique, deps exist, and there is no cycle; returns a topological order.
    pub fn validate(&self) -> Result<Vec<usize>, PlanError> {
        let mut index: HashMap<&str, usize> = HashMap::new();
        for (i, s) in self.steps.iter().enumerate() {
            if index.insert(s.id.as_str(), i).is_some() {
                return Err(PlanError::DuplicateId(s.id.to_string()));
            }
        }
        let mut indegree = vec![0usize; self.steps.len()];
        let mut dependents: Vec<Vec<usize>> = vec![Vec::new(); self.steps.len()];
        for (i, s) in self.steps.iter().enumerate() {
            for d in &s.deps {
                let &j = index.get(d.as_str()).ok_or_else(|| PlanError::UnknownDep {
                    step: s.id.to_string(),
                    dep: d.to_string(),
                })?;
                indegree[i] += 1;
                dependents[j].push(i);
            }
        }
        let mut ready: Vec<usize> = (0..self.steps.len())
            .filter(|&i| indegree[i] == 0)
            .rev()
            .collect();
        let mut order = Vec::with_capacity(self.steps.len());
        while let Some(i) = ready.pop() {
            order.push(i);
            for &k in dependents[i].iter().rev() {
                indegree[k] -= 1;
                if indegree[k] == 0 {
                    ready.push(k);
                }
            }
        }
        if order.len() != self.steps.len() {
            let stuck = (0..self.steps.len())
                .find(|&i| indegree[i] > 0)
                .map(|i| self.steps[i].id.to_string());
            return Err(PlanError::Cycle(stuck.unwrap_or_default()));
        }
        Ok(order)
    }

    /// The longest path through the DAG when each step takes `durations[id]` (missing = zero):
    /// the least wall time any executor could achieve. Keyed by `StepId` or by the id as read
    /// back from the journal.
    pub fn critical_path<K>(&self, durations: &HashMap<K, Duration>) -> Duration
    where
        K: Borrow<str> + Hash + Eq,
    {
        let Ok(order) = self.validate() else {
            return Duration::ZERO;
        };
        let mut finish: HashMap<&str, Duration> = HashMap::new();
        for i in order {
            let s = &self.steps[i];
            let start = s
                .deps
                .iter()
                .filter_map(|d| finish.get(d.as_str()))
                .max()
                .copied()
                .unwrap_or_default();
            finish.insert(
                s.id.as_str(),
                start + durations.get(s.id.as_str()).copied().unwrap_or_default(),
            );
        }
        finish.values().max().copied().unwrap_or_default()
    }

    /// Steps per phase, for progress.
    pub fn phase_totals(&self) -> BTreeMap<Phase, usize> {
        let mut totals = BTreeMap::new();
        for s in &self.steps {
            *totals.entry(s.phase).or_insert(0) += 1;
        }
        totals
    }
}

/// Overall progress 0–100 from the number of finished steps in each phase (ARCHITECTURE.md §5).
pub fn progress(totals: &BTreeMap<Phase, usize>, done: &BTreeMap<Phase, usize>) -> u8 {
    let mut percent = 0u8;
    for phase in Phase::ALL {
        let total = totals.get(&phase).copied().unwrap_or(0);
        let d = done.get(&phase).copied().unwrap_or(0);
        let (lo, _) = phase.range();
        if total > 0 && d < total {
            return phase.progress(d, total).max(lo);
        }
        percent = phase.range().1;
    }
    percent
}

#[cfg(test)]
mod tests {
    use super::*;

    use crate::orchestrator::steps::Noop;

    fn step(id: &str, deps: &[&str]) -> StepSpec {
        StepSpec::new(id, Noop { name: id.into() }, Phase::Storage).after(deps.iter().copied())
    }

    #[test]
    fn validate_orders_and_rejects_bad_plans() {
        let plan = Plan {
            steps: vec![step("b", &["a"]), step("a", &[]), step("c", &["a", "b"])],
        };
        let order: Vec<&str> = plan
            .validate()
            .unwrap()
            .into_iter()
            .map(|i| plan.steps[i].id.as_str())
            .collect();
        assert_eq!(order, ["a", "b", "c"]);
        let dup = Plan {
            steps: vec![step("a", &[]), step("a", &[])],
        };
        assert_eq!(dup.validate(), Err(PlanError::DuplicateId("a".into())));
        let unknown = Plan {
            steps: vec![step("a", &["zz"])],
        };
        assert!(matches!(
            unknown.validate(),
            Err(PlanError::UnknownDep { .. })
        ));
        let cycle = Plan {
            steps: vec![step("a", &["b"]), step("b", &["a"])],
        };
        assert!(matches!(cycle.validate(), Err(PlanError::Cycle(_))));
    }

    #[test]
    fn critical_path_is_the_longest_chain() {
        let plan = Plan {
            steps: vec![
                step("a", &[]),
                step("b", &["a"]),
                step("c", &["a"]),
                step("d", &["b", "c"]),
            ],
        };
        let ms = |v| Duration::from_millis(v);
        let d: HashMap<StepId, Duration> = HashMap::from([
            ("a".into(), ms(10)),
            ("b".into(), ms(50)),
            ("c".into(), ms(20)),
            ("d".into(), ms(5)),
        ]);
        assert_eq!(plan.critical_path(&d), ms(65));
    }

    #[test]
    fn progress_walks_the_phase_ranges() {
        let totals = BTreeMap::from([
            (Phase::Preparation, 2),
            (Phase::Storage, 4),
            (Phase::Finalization, 1),
        ]);
        let mut done = BTreeMap::new();
        assert_eq!(progress(&totals, &done), 0);
        done.insert(Phase::Preparation, 1);
        assert_eq!(progress(&totals, &done), 10);
        done.insert(Phase::Preparation, 2);
        done.insert(Phase::Storage, 2);
        assert_eq!(progress(&totals, &done), 40);
        done.insert(Phase::Storage, 4);
        assert_eq!(
            progress(&totals, &done),
            90,
            "an empty instances phase counts as done"
        );
        done.insert(Phase::Finalization, 1);
        assert_eq!(progress(&totals, &done), 100);
    }
}
