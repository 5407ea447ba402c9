//! Crash safety: a failover run by the real binary is SIGKILLed at several points; a new process
//! resumes it from the journal, and afterwards every server, volume and port exists exactly once
//! (or, if it rolled back, not at all) at the DR site.

mod common;

use common::{lab, wait_for};
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
        child.kill().expect("SIGKILL");
        child.wait().expect("reaped");

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
