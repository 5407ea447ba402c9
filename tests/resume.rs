//! Crash safety: the runner of a failover started by the real binary is SIGKILLed at several
//! points; a new process resumes it from the journal, and afterwards every server, volume and
//! port exists exactly once (or, if it rolled back, not at all) at the DR site. Two `ops resume`
//! of one crashed operation run it once.

mod common;

use common::{lab, lock_holder_pid, send_signal, wait_for};
use drconsole::domain::OperationStatus;
use drconsole::store::{StepStatus, Store};
use std::collections::BTreeMap;
use std::process::{Command, Stdio};
use std::time::Duration;

/// When to kill: once this step has reached this status in the journal.
const KILL_POINTS: [(&str, StepStatus); 5] = [
    ("validate_sites", StepStatus::Succeeded),
    ("create_volumes_from_snapshot", StepStatus::Started),
    ("manage_volumes", StepStatus::Started),
    ("create_server:batch-3", StepStatus::Started),
    ("wait_active:wave1", StepStatus::Succeeded),
];

fn duplicates(names: &[String]) -> Vec<String> {
    let mut count: BTreeMap<&str, usize> = BTreeMap::new();
    for n in names {
        *count.entry(n).or_default() += 1;
    }
    count
        .into_iter()
        .filter(|(_, c)| *c > 1)
        .map(|(n, _)| n.to_string())
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_killed_failover_resumes_with_every_resource_exactly_once() {
    for (step, status) in KILL_POINTS {
        let lab = lab().await;
        let dir = lab.dir.path().to_path_buf();
        let config = dir.join("lab").join("drconsole.toml");
        let journal = dir.join("lab").join("journal.sqlite");
        let bin = env!("CARGO_BIN_EXE_drconsole");
        let mut child = Command::new(bin)
            .args(["--config", config.to_str().expect("utf8")])
            .args(["failover", "batch", "--yes", "--wait", "--json"])
            .env("DRCONSOLE_DATA_DIR", dir.join("data"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("child starts");

        // Watch the journal from outside, as another console would.
        let what = format!("{step} to reach {status:?}");
        let op_id = wait_for(&what, Duration::from_secs(60), || async {
            if !journal.exists() {
                return None;
            }
            let store = Store::open_sqlite(&journal).ok()?;
            let op = store
                .list_operations(1, None)
                .await
                .ok()?
                .into_iter()
                .next()?;
            let steps = store.steps(&op.id).await.ok()?;
            steps
                .iter()
                .any(|s| {
                    s.step_id == step && (s.status == status || s.status == StepStatus::Succeeded)
                })
                .then_some(op.id)
        })
        .await;
        // `--wait` only watches: the run is in the detached runner that holds the lock.
        let store = Store::open_sqlite(&journal).expect("journal");
        let runner = lock_holder_pid(&store, "batch")
            .await
            .expect("a runner holds the lock");
        child.kill().expect("SIGKILL the watcher");
        child.wait().expect("reaped");
        send_signal(runner, "-KILL");

        let resumed = tokio::task::spawn_blocking({
            let dir = dir.clone();
            move || {
                Command::new(bin)
                    .args(["--config", config.to_str().expect("utf8")])
                    .args(["ops", "resume", "--json"])
                    .env("DRCONSOLE_DATA_DIR", dir.join("data"))
                    .output()
                    .expect("resume runs")
            }
        })
        .await
        .expect("join");
        let stderr = String::from_utf8_lossy(&resumed.stderr);
        let store = Store::open_sqlite(&journal).expect("journal");
        let rec = store
            .get_operation(&op_id)
            .await
            .expect("j")
            .expect("op")
            .record;
        assert!(
            rec.status.is_finished(),
            "killed at {step}: not finished after resume ({:?}): {stderr}",
            rec.status
        );

        let common::Names {
            servers,
            ports,
            volumes,
        } = lab.names("site-b").await;
        assert!(
            duplicates(&servers).is_empty(),
            "killed at {step}: servers {servers:?}"
        );
        assert!(
            duplicates(&ports).is_empty(),
            "killed at {step}: ports {ports:?}"
        );
        assert!(
            duplicates(&volumes).is_empty(),
            "killed at {step}: volumes {volumes:?}"
        );
        let batch = servers.iter().filter(|n| n.starts_with("batch-")).count();
        match rec.status {
            OperationStatus::Completed => assert_eq!(batch, 5, "killed at {step}"),
            _ => assert_eq!(
                batch, 0,
                "killed at {step}: rolled back: {:?}",
                rec.error_message
            ),
        }
        assert_eq!(
            rec.status,
            OperationStatus::Completed,
            "killed at {step}, resumed: {:?} {stderr}",
            rec.error_message
        );
    }
}

/// The runner of a failover dies (SIGKILL); two `ops resume` of it start at once. Exactly one
/// runs it; the other says who runs it and watches. Nothing is made twice.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_resumes_of_one_crashed_operation_run_it_once() {
    let lab = lab().await;
    let dir = lab.dir.path().to_path_buf();
    let config = lab.binary_config(5);
    let journal = dir.join("lab").join("journal.sqlite");
    let store = Store::open_sqlite(&journal).expect("journal");
    let engine = lab.engine_with(store.clone());
    let before = lab.inventory("site-b").await.array_volumes;
    let req = common::req(drconsole::domain::OperationType::PlannedFailover, "batch");
    let op = engine.start_with(req, false).await.expect("journaled");
    let bin = env!("CARGO_BIN_EXE_drconsole");
    let resume = || {
        Command::new(bin)
            .args(["--config", config.to_str().expect("utf8")])
            .args(["ops", "resume", &op.id])
            .env("DRCONSOLE_DATA_DIR", dir.join("data"))
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("resume starts")
    };
    let mut first = resume();
    wait_for(
        "manage_volumes to start",
        Duration::from_secs(60),
        || async {
            let steps = store.steps(&op.id).await.ok()?;
            steps
                .iter()
                .any(|s| s.step_id == "manage_volumes")
                .then_some(())
        },
    )
    .await;
    first.kill().expect("SIGKILL");
    first.wait().expect("reaped");

    let outputs = common::outputs_within(vec![resume(), resume()], Duration::from_secs(120)).await;
    let said: Vec<String> = outputs
        .iter()
        .map(|o| String::from_utf8_lossy(&o.stderr).to_string())
        .collect();
    assert!(outputs.iter().all(|o| o.status.success()), "{said:?}");
    let watched = said
        .iter()
        .filter(|s| s.contains("is being run by console"))
        .count();
    assert_eq!(
        watched, 1,
        "one resume runs it, the other watches: {said:?}"
    );

    let rec = store
        .get_operation(&op.id)
        .await
        .expect("j")
        .expect("op")
        .record;
    assert_eq!(
        rec.status,
        OperationStatus::Completed,
        "{:?}",
        rec.error_message
    );
    let resumes = store
        .audit(200)
        .await
        .expect("audit")
        .into_iter()
        .filter(|a| a.action == "operation.resume" && a.operation_id.as_deref() == Some(&op.id))
        .count();
    assert_eq!(resumes, 2, "the killed runner and exactly one of the two");
    let common::Names {
        servers,
        ports,
        volumes,
    } = lab.names("site-b").await;
    assert!(duplicates(&servers).is_empty(), "servers {servers:?}");
    assert!(duplicates(&ports).is_empty(), "ports {ports:?}");
    assert!(duplicates(&volumes).is_empty(), "volumes {volumes:?}");
    let array = lab.inventory("site-b").await.array_volumes;
    let made: Vec<&String> = array.difference(&before).collect();
    assert_eq!(made.len(), 5, "one array volume per batch volume: {made:?}");
    assert_eq!(
        servers.iter().filter(|n| n.starts_with("batch-")).count(),
        5
    );
    assert_eq!(lab.servers_named("site-a", "batch-").await, 0, "retired");
}
