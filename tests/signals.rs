//! Signals never abandon a run, with the real binary: `failover --wait` hands the run to a
//! detached runner and only watches it, so SIGHUP (an SSH session dropped) or Ctrl-C without a
//! terminal end the watcher, which says how to watch and cancel; the runner itself goes on
//! through SIGTERM; the operation completes and the group is failed over.

mod common;

use common::{lab, lock_holder_pid, send_signal, wait_for};
use drconsole::domain::{GroupStatus, OperationStatus};
use drconsole::store::Store;
use std::process::{Command, Stdio};
use std::time::Duration;

/// The exit code of a watcher that stopped watching (README: exit codes).
const WATCHING_STOPPED: i32 = 3;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sighup_or_ctrl_c_to_a_waiting_failover_leaves_it_completing() {
    let lab = lab().await;
    let dir = lab.dir.path().to_path_buf();
    let config = lab.binary_config(5);
    let journal = dir.join("lab").join("journal.sqlite");
    let store = Store::open_sqlite(&journal).expect("journal");
    let bin = env!("CARGO_BIN_EXE_drconsole");
    let failover = |group: &str| {
        Command::new(bin)
            .args(["--config", config.to_str().expect("utf8")])
            .args(["failover", group, "--yes", "--wait"])
            .env("DRCONSOLE_DATA_DIR", dir.join("data"))
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("failover starts")
    };
    let (web, db) = (failover("web-app"), failover("db-cluster"));
    // Each has handed its run to a runner, which holds the group's lock, and is under way.
    for group in ["web-app", "db-cluster"] {
        wait_for(
            "the run to be under way",
            Duration::from_secs(60),
            || async {
                let op = store.list_operations(10, Some(group)).await.ok()?;
                let op = op.first()?;
                (op.status == OperationStatus::Running && op.progress >= 20).then_some(())
            },
        )
        .await;
    }
    let runner = lock_holder_pid(&store, "db-cluster").await.expect("runner");
    assert_ne!(runner, db.id(), "the watcher does not run it");
    send_signal(web.id(), "-HUP");
    send_signal(db.id(), "-INT");
    send_signal(runner, "-TERM");
    let outputs = common::outputs_within(vec![web, db], Duration::from_secs(30)).await;
    for out in &outputs {
        let said = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(WATCHING_STOPPED), "{said}");
        assert!(
            said.contains("goes on") && said.contains("ops watch") && said.contains("ops cancel"),
            "{said}"
        );
    }

    for group in ["web-app", "db-cluster"] {
        let rec = wait_for("the operation to end", Duration::from_secs(120), || async {
            let op = store.list_operations(1, Some(group)).await.ok()?.pop()?;
            op.status.is_finished().then_some(op)
        })
        .await;
        assert_eq!(
            rec.status,
            OperationStatus::Completed,
            "{:?}",
            rec.error_message
        );
        let state = store.group_state(group).await.expect("j").expect("state");
        assert_eq!(
            (state.status, state.current_primary.as_str()),
            (GroupStatus::Protected, "site-b"),
            "{group} failed over"
        );
    }
    assert_eq!(lab.servers_named("site-b", "web-").await, 3);
    assert_eq!(lab.servers_named("site-a", "web-").await, 0);
    assert_eq!(lab.servers_named("site-b", "db-").await, 2);
    assert_eq!(lab.servers_named("site-a", "db-").await, 0);
}
