//! The step contract against the lab, over real HTTP: a drill's plan runs; on resume a step that
//! had its effect is found by its check and not run again; rollback says per step whether it
//! undid something or had nothing to undo, and a second rollback finds nothing left.

use super::*;
use crate::config::{self, Config};
use crate::domain::{JournalEntry, OperationStatus, OperationType};
use crate::lab::{LabHandle, LabOptions};
use crate::orchestrator::discovery;
use crate::orchestrator::plan::Plan;
use crate::orchestrator::plans::{OperationOptions, PlanInput, build_plan};
use crate::orchestrator::runner::ExecJournal;
use crate::orchestrator::site_runner::{Recorded, RunnerState, StateError};
use crate::orchestrator::step::StepId;
use crate::orchestrator::{EventBus, Executor, Mode, Outcome, PriorStep};
use crate::providers::SiteClient;
use crate::store::StoreError;
use futures_util::future::BoxFuture;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::sync::watch;

const OP: &str = "op-contract-0001";

struct Lab {
    _handle: LabHandle,
    _dir: tempfile::TempDir,
    config: Config,
    clients: HashMap<String, SiteClient>,
}

/// The group's state as a fresh journal has it: nothing recorded, site-a primary.
struct Fresh;

impl RunnerState for Fresh {
    fn swap_primary<'a>(&'a self, _: &'a str, _: &'a str) -> BoxFuture<'a, Result<(), StateError>> {
        Box::pin(async { Ok(()) })
    }
    fn current_primary<'a>(&'a self, _: &'a str) -> BoxFuture<'a, Result<String, StateError>> {
        Box::pin(async { Ok("site-a".to_string()) })
    }
    fn recorded<'a>(&'a self, op: &'a str) -> BoxFuture<'a, Result<Recorded, StateError>> {
        Box::pin(async move { Err(StateError::UnknownOperation(op.to_string())) })
    }
}

#[derive(Default)]
struct Recorder(Mutex<Vec<JournalEntry>>);

impl ExecJournal for Recorder {
    fn record<'a>(&'a self, _: &'a str, e: JournalEntry) -> BoxFuture<'a, Result<(), StoreError>> {
        self.0.lock().unwrap().push(e);
        Box::pin(async { Ok(()) })
    }
}

async fn lab() -> Lab {
    let _ = rustls::crypto::ring::default_provider().install_default();
    let dir = tempfile::tempdir().unwrap();
    let handle = LabHandle::start(LabOptions::for_tests(dir.path().join("lab")))
        .await
        .unwrap();
    let files = handle.write_client_files().unwrap();
    let config = config::load(&files.config).unwrap().config;
    let clients = config
        .sites
        .iter()
        .map(|s| (s.name.clone(), SiteClient::new(s, config.http).unwrap()))
        .collect();
    Lab {
        _handle: handle,
        _dir: dir,
        config,
        clients,
    }
}

impl Lab {
    /// A drill of web-app from site-a to site-b, as the engine would plan it.
    async fn drill_plan(&self) -> Plan {
        let group = self.config.group("web-app").unwrap();
        let inventory = discovery::inventory(&self.clients["site-a"], group)
            .await
            .unwrap();
        build_plan(&PlanInput {
            operation_id: OP,
            operation: OperationType::TestFailover,
            group,
            source: "site-a",
            target: "site-b",
            inventory: &inventory,
            options: &OperationOptions::default(),
            final_sync_timeout: std::time::Duration::from_secs(600),
        })
    }

    /// Run `plan` (from `prior`); with `cancel` it only rolls back. The outcome and the journal.
    async fn run(
        &self,
        plan: Plan,
        prior: HashMap<String, PriorStep>,
        roll_back: bool,
    ) -> (Outcome, Vec<JournalEntry>) {
        let group = self.config.group("web-app").unwrap().clone();
        let runner = SiteRunner::new(
            self.clients.clone(),
            group,
            OP,
            Arc::new(Fresh),
            Duration::from_millis(20),
        );
        let journal = Arc::new(Recorder::default());
        let (_cancel, cancelled) = watch::channel(false);
        let mode = if roll_back {
            Mode::Rollback {
                reason: "cancelled by the operator".into(),
                then: OperationStatus::Failed,
            }
        } else {
            Mode::Forward
        };
        let exec = Executor {
            operation_id: OP.into(),
            plan,
            runner: Arc::new(runner),
            journal: journal.clone(),
            events: EventBus::new(),
            max_concurrency: 8,
            cancel: cancelled,
            prior,
            mode,
            rollback: crate::orchestrator::RollbackPolicy::default(),
        };
        let outcome = exec.run().await.unwrap();
        let entries = journal.0.lock().unwrap().clone();
        (outcome, entries)
    }

    /// Names of the servers at `site` (one entry per server: a duplicate shows twice).
    async fn servers_at(&self, site: &str) -> Vec<String> {
        let servers = self.clients[site].compute().list_servers().await.unwrap();
        let mut names: Vec<String> = servers.into_iter().map(|s| s.name).collect();
        names.sort();
        names
    }
}

/// Every step of `outcome` as having succeeded before a restart.
fn all_succeeded(outcome: &Outcome) -> HashMap<String, PriorStep> {
    outcome
        .outputs
        .iter()
        .map(|(id, v)| (id.to_string(), PriorStep::Succeeded(v.clone())))
        .collect()
}

fn started(entries: &[JournalEntry], id: &StepId) -> bool {
    entries
        .iter()
        .any(|e| matches!(e, JournalEntry::StepStarted { step, .. } if step == id.as_str()))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_step_already_done_is_found_and_not_repeated() {
    let lab = lab().await;
    let plan = lab.drill_plan().await;
    let (first, _) = lab.run(plan.clone(), HashMap::new(), false).await;
    assert_eq!(first.status, OperationStatus::Completed, "{first:?}");
    assert_eq!(lab.servers_at("site-b").await, ["web-1", "web-2", "web-3"]);

    // The process died after web-1 was created, before the journal said so: on resume its
    // check finds it (by the operation's metadata) and it is not created again.
    let web1 = StepId::create_server("web-1");
    let mut prior = all_succeeded(&first);
    prior.insert(web1.to_string(), PriorStep::Started);
    prior.remove(StepId::wait_active(0).as_str());
    let (again, journal) = lab.run(plan, prior, false).await;
    assert_eq!(again.status, OperationStatus::Completed, "{again:?}");
    assert!(
        !started(&journal, &web1),
        "a found step is not run: {journal:?}"
    );
    assert!(
        started(&journal, &StepId::wait_active(0)),
        "a wait not done runs"
    );
    assert_eq!(
        again.outputs.get(&web1),
        first.outputs.get(&web1),
        "the found server is the one made before"
    );
    assert_eq!(lab.servers_at("site-b").await, ["web-1", "web-2", "web-3"]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rollback_says_what_it_undid_and_a_second_one_finds_nothing() {
    let lab = lab().await;
    let plan = lab.drill_plan().await;
    let (drill, _) = lab.run(plan.clone(), HashMap::new(), false).await;
    assert_eq!(drill.status, OperationStatus::Completed, "{drill:?}");

    let (rolled, _) = lab.run(plan.clone(), all_succeeded(&drill), true).await;
    assert_eq!(rolled.status, OperationStatus::Failed);
    let undo: HashMap<String, Undo> = rolled
        .steps_compensated
        .iter()
        .map(|(id, u)| (id.to_string(), *u))
        .collect();
    assert_eq!(
        undo.len(),
        plan.steps.len(),
        "every step is reached: {undo:?}"
    );
    for made in [
        StepId::create_server("web-1"),
        StepId::create_ports("web-2"),
        StepId::manage_volumes(),
        StepId::create_volumes_from_snapshot(),
    ] {
        assert_eq!(undo[made.as_str()], Undo::Undone, "{made}");
    }
    for changed_nothing in [
        StepId::validate_sites(),
        StepId::select_snapshot(),
        StepId::wait_active(1),
    ] {
        assert_eq!(
            undo[changed_nothing.as_str()],
            Undo::NothingToUndo,
            "{changed_nothing}"
        );
    }
    assert!(lab.servers_at("site-b").await.is_empty());

    // Resumed while rolling back, everything is already gone: nothing is called undone.
    let (again, _) = lab.run(plan, all_succeeded(&drill), true).await;
    assert!(
        again
            .steps_compensated
            .iter()
            .all(|(_, u)| *u == Undo::NothingToUndo),
        "{:?}",
        again.steps_compensated
    );
    assert_eq!(
        again.error_message.as_deref(),
        Some("cancelled by the operator")
    );
}

/// A rolled-back unplanned failover leaves replication as it found it: stop_replication's undo
/// makes the source array send to the target again, and a second undo finds nothing to do.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn stop_replication_is_undone_by_restoring_it() {
    let lab = lab().await;
    let group = lab.config.group("web-app").unwrap().clone();
    let pg = group.array_pg.clone();
    let runner = SiteRunner::new(
        lab.clients.clone(),
        group,
        OP,
        Arc::new(Fresh),
        Duration::from_millis(20),
    );
    let step = StopReplication {
        source: "site-a".into(),
        array_pg: pg.clone(),
    };
    let (_keep, cancel) = watch::channel(false);
    let ctx = StepCtx {
        operation_id: Arc::from(OP),
        step_id: Arc::from("stop_replication"),
        outputs: Arc::new(HashMap::new()),
        events: EventBus::new(),
        cancel,
    };
    let array = lab.clients["site-a"].array();
    let targets = || async {
        let list = array.pg_targets(&pg).await.unwrap();
        list.into_iter().map(|t| t.target).collect::<Vec<_>>()
    };
    assert_eq!(targets().await, ["array-b"]);
    let stopped = step.run(&runner, &ctx).await.unwrap();
    assert!(stopped.stopped);
    assert!(targets().await.is_empty(), "replication stopped");
    let undo = step.undo(&runner, Some(&stopped), &ctx).await.unwrap();
    assert_eq!(undo, Undo::Undone);
    assert_eq!(targets().await, ["array-b"], "replication restored");
    let again = step.undo(&runner, Some(&stopped), &ctx).await.unwrap();
    assert_eq!(again, Undo::NothingToUndo);
}
