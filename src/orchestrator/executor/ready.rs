//! Which steps may start, kept up to date as steps finish instead of recomputed over the whole
//! plan each time (a 1,000-instance plan has thousands of steps), and the outputs a step may
//! read: those of the steps it depends on, directly or not.

use crate::orchestrator::plan::Plan;
use crate::orchestrator::step::{Outputs, StepId};
use serde_json::Value;
use std::collections::{BTreeSet, HashMap};
use std::sync::Arc;

pub(super) struct Ready {
    /// Per step: its dependencies not succeeded yet (an unknown one never is).
    unmet: Vec<usize>,
    /// Per step: the steps that depend on it.
    dependents: Vec<Vec<usize>>,
    /// Pending steps with every dependency succeeded, lowest index first (the plan's order).
    set: BTreeSet<usize>,
}

impl Ready {
    pub(super) fn new(plan: &Plan, index: &HashMap<StepId, usize>, states: &[State]) -> Self {
        let n = plan.steps.len();
        let mut unmet = vec![0; n];
        let mut dependents = vec![Vec::new(); n];
        for (i, step) in plan.steps.iter().enumerate() {
            for d in &step.deps {
                match index.get(d) {
                    Some(&j) => {
                        dependents[j].push(i);
                        if states[j] != State::Succeeded {
                            unmet[i] += 1;
                        }
                    }
                    None => unmet[i] += 1,
                }
            }
        }
        let set = (0..n)
            .filter(|&i| unmet[i] == 0 && states[i] == State::Pending)
            .collect();
        Self {
            unmet,
            dependents,
            set,
        }
    }

    /// Takes up to `free` startable steps; the caller starts each (they are pending).
    pub(super) fn take(&mut self, free: usize, states: &[State]) -> Vec<usize> {
        let mut out = Vec::new();
        while out.len() < free {
            let Some(i) = self.set.pop_first() else { break };
            if states[i] == State::Pending {
                out.push(i);
            }
        }
        out
    }

    /// Step `i` succeeded: its dependents with nothing else to wait for may start.
    pub(super) fn succeeded(&mut self, i: usize, states: &[State]) {
        for &d in &self.dependents[i] {
            self.unmet[d] = self.unmet[d].saturating_sub(1);
            if self.unmet[d] == 0 && states[d] == State::Pending {
                self.set.insert(d);
            }
        }
    }
}

/// The outputs step `i` may read: those of its ancestors that have one. A few entries per step,
/// where a copy of every output so far would cost each start a pass over thousands.
pub(super) fn ancestors_outputs(
    plan: &Plan,
    index: &HashMap<StepId, usize>,
    outputs: &HashMap<StepId, Arc<Value>>,
    i: usize,
) -> Outputs {
    let mut seen = BTreeSet::new();
    let mut todo: Vec<usize> = Vec::new();
    let mut out = HashMap::new();
    let push = |todo: &mut Vec<usize>, seen: &mut BTreeSet<usize>, d: &StepId| {
        if let Some(&j) = index.get(d)
            && seen.insert(j)
        {
            todo.push(j);
        }
    };
    for d in &plan.steps[i].deps {
        push(&mut todo, &mut seen, d);
    }
    while let Some(j) = todo.pop() {
        let step = &plan.steps[j];
        if let Some(v) = outputs.get(&step.id) {
            out.insert(step.id.clone(), v.clone());
        }
        for d in &step.deps {
            push(&mut todo, &mut seen, d);
        }
    }
    Arc::new(out)
}

/// Where a step of the run stands.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) enum State {
    Pending,
    Running,
    Succeeded,
    Failed,
    /// Undone (or found with nothing to undo) by an earlier rollback: rollback skips it.
    Compensated,
}
