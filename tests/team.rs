//! A team on one journal, with real drconsole processes: two consoles race to fail one group
//! over (exactly one starts it; `--wait` hands it to a detached runner and follows it), another
//! follows it live with `ops watch --take-over`; the runner freezes, its lease expires, the
//! watcher takes the operation over from the journal and completes it, the frozen runner is
//! SIGKILLed; afterwards every server, volume and port exists once at both sites. And several
//! watchers racing for one crashed operation: exactly one runs it.
//! PostgreSQL is the shared journal (the race also runs on SQLite, one host's shared file).

mod common;

use common::{Lab, Names, lab, lock_holder_pid, pg, send_signal};
use drconsole::domain::{OperationStatus, StoreConfig};
use drconsole::secret::Secret;
use drconsole::store::{StepStatus, Store};
use std::collections::{BTreeMap, BTreeSet};
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

const LEASE_SECONDS: u64 = 4;

/// The lab's configuration with a short lease, and the journal URL every process is given.
fn team_config(lab: &Lab) -> PathBuf {
    let dir = lab.dir.path().join("lab");
    let toml = std::fs::read_to_string(dir.join("drconsole.toml")).expect("lab config");
    let short = toml.replace(
        "[store]\n",
        &format!("[store]\nlease_seconds = {LEASE_SECONDS}\n"),
    );
    assert_ne!(toml, short, "the lab's config has a [store] section");
    let path = dir.join("team.toml");
    std::fs::write(&path, short).expect("team config");
    path
}

fn journal_url(journal: &StoreConfig) -> String {
    match journal {
        StoreConfig::Postgres(url) => url.expose().to_string(),
        StoreConfig::Sqlite(Some(path)) => format!("sqlite://{}", path.display()),
        StoreConfig::Sqlite(None) => unreachable!("tests name their journal"),
    }
}

fn console(config: &Path, journal: &str, data: &Path, args: &[&str]) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_drconsole"));
    c.args([
        "--config",
        config.to_str().expect("utf8"),
        "--store",
        journal,
    ])
    .args(args)
    .env("DRCONSOLE_DATA_DIR", data)
    .env_remove("DRCONSOLE_CONFIG")
    .stdin(Stdio::null());
    c
}

/// Poll `f` (10 ms apart) until it gives a value, or fail after `secs` saying `what`.
fn wait_for<T>(secs: u64, what: &str, mut f: impl FnMut() -> Option<T>) -> T {
    let deadline = Instant::now() + Duration::from_secs(secs);
    loop {
        if let Some(v) = f() {
            return v;
        }
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        std::thread::sleep(Duration::from_millis(10));
    }
}

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

/// The group's servers at both sites: (site-a, site-b).
async fn batch_servers(lab: &Lab) -> (usize, usize) {
    let count = |n: Names| n.servers.iter().filter(|s| s.starts_with("batch-")).count();
    (
        count(lab.names("site-a").await),
        count(lab.names("site-b").await),
    )
}

/// Every server, volume and port exists once at both sites, and the group's 5 servers moved from
/// site-a (`before`) to site-b: none left behind, none made twice.
async fn exactly_once_at_both_sites(lab: &Lab, before: (usize, usize)) {
    assert_eq!(before, (5, 0), "batch servers (site-a, site-b) before");
    let after = batch_servers(lab).await;
    assert_eq!(after, (0, 5), "batch servers (site-a, site-b) after");
    for site in ["site-a", "site-b"] {
        let Names {
            servers,
            ports,
            volumes,
        } = lab.names(site).await;
        assert!(
            duplicates(&servers).is_empty(),
            "{site}: servers {servers:?}"
        );
        assert!(duplicates(&ports).is_empty(), "{site}: ports {ports:?}");
        assert!(
            duplicates(&volumes).is_empty(),
            "{site}: volumes {volumes:?}"
        );
    }
}

/// Lines a child writes on stderr, collected as they come.
fn collect_stderr(child: &mut Child) -> Arc<Mutex<Vec<String>>> {
    let lines = Arc::new(Mutex::new(Vec::new()));
    let stderr = child.stderr.take().expect("piped stderr");
    let sink = lines.clone();
    std::thread::spawn(move || {
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            sink.lock().expect("lines").push(line);
        }
    });
    lines
}

fn store_of(journal: &StoreConfig) -> Store {
    Store::open(journal).expect("the test opens the journal")
}

/// The operation of group `batch` once journaled, and when `step` has started.
fn running_op(store: &Store, step: &str) -> String {
    wait_for(60, &format!("{step} to start"), || {
        let db = store.blocking();
        let op = db
            .list_operations(1, Some("batch"))
            .ok()?
            .into_iter()
            .next()?;
        let steps = db.steps(&op.id).ok()?;
        steps
            .iter()
            .any(|s| s.step_id == step && s.status != StepStatus::Compensated)
            .then_some(op.id)
    })
}

fn postgres_journal() -> Option<(StoreConfig, String)> {
    pg::server()?;
    let (name, url) = pg::scratch_database();
    Some((StoreConfig::Postgres(Secret::new(url)), name))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_consoles_one_group_the_watcher_takes_over_after_the_lease() {
    let Some((journal, db_name)) = postgres_journal() else {
        eprintln!(
            "note: {} is not set: the team test is skipped",
            pg::SERVER_VAR
        );
        return;
    };
    let lab = lab().await;
    let before = batch_servers(&lab).await;
    let config = team_config(&lab);
    let url = journal_url(&journal);
    let data = |n: &str| lab.dir.path().join(n);
    let failover = ["failover", "batch", "--yes", "--wait", "--json"];
    let spawn = |n: &str| {
        console(&config, &url, &data(n), &failover)
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("console starts")
    };
    let mut pair = [spawn("a"), spawn("b")];
    let (runner, loser) = race_for_the_group(&mut pair).await;
    let store = store_of(&journal);
    let id = running_op(&store, "create_volumes_from_snapshot");

    let mut watch = console(
        &config,
        &url,
        &data("b"),
        &["ops", "watch", &id, "--take-over"],
    )
    .stdout(Stdio::piped())
    .stderr(Stdio::piped())
    .spawn()
    .expect("watch starts");
    let seen = collect_stderr(&mut watch);
    let first_lines = wait_for(60, "the watcher to show the runner's steps", || {
        let lines = seen.lock().expect("lines").clone();
        lines.iter().any(|l| l.starts_with('✔')).then_some(lines)
    });
    freeze_then_kill(&store, &id, &seen).await;

    let out = tokio::task::spawn_blocking(move || watch.wait_with_output())
        .await
        .expect("join")
        .expect("watch ends");
    let lines = seen.lock().expect("lines").join("\n");
    assert!(out.status.success(), "the watcher completes it: {lines}");
    // The console that started it with --wait follows it to the same end.
    let started = &mut pair[runner];
    let followed = tokio::task::block_in_place(|| started.wait()).expect("--wait ends");
    assert!(followed.success(), "--wait sees it complete");
    let rec = store
        .get_operation(&id)
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
    exactly_once_at_both_sites(&lab, before).await;
    let audit = store.audit(100).await.expect("audit");
    let count = |action: &str| audit.iter().filter(|a| a.action == action).count();
    // Its detached runner ran it first, then the watcher took it over: two consoles.
    assert_eq!(
        (count("operation.start"), resumed_by(&audit).len()),
        (1, 2),
        "{audit:?}"
    );
    assert!(
        first_lines.len() < lines.lines().count(),
        "it kept following"
    );
    let _ = loser;
    drop(store);
    pg::admin(&format!("DROP DATABASE IF EXISTS {db_name} WITH (FORCE)"));
}

/// Both consoles start at once: one is refused (exit 2, naming the holder or the group's state)
/// while the other runs. Returns (runner, loser) indices.
async fn race_for_the_group(pair: &mut [Child; 2]) -> (usize, usize) {
    let loser = wait_for(60, "one console to be refused", || {
        pair.iter_mut()
            .position(|c| c.try_wait().ok().flatten().is_some())
    });
    let runner = 1 - loser;
    assert!(
        pair[runner].try_wait().expect("status").is_none(),
        "exactly one runs"
    );
    let mut err = String::new();
    if let Some(mut e) = pair[loser].stderr.take() {
        std::io::Read::read_to_string(&mut e, &mut err).expect("stderr");
    }
    let status = pair[loser].wait().expect("status");
    assert_eq!(status.code(), Some(2), "{err}");
    assert!(
        err.contains("is locked by operation") || err.contains("failing_over"),
        "the refused console says why: {err}"
    );
    (runner, loser)
}

/// The consoles that resumed an operation (its detached runner, then any that took it over).
fn resumed_by(audit: &[drconsole::store::AuditEntry]) -> BTreeSet<String> {
    audit
        .iter()
        .filter(|a| a.action == "operation.resume")
        .map(|a| a.detail.rsplit("console ").next().unwrap_or("").to_string())
        .collect()
}

/// Freeze the detached runner that holds the lock (alive, so its lease is not released nor seen
/// dead): the watcher must wait for the lease to expire, then take over. Then SIGKILL the runner.
async fn freeze_then_kill(store: &Store, id: &str, seen: &Arc<Mutex<Vec<String>>>) {
    let pid = lock_holder_pid(store, "batch")
        .await
        .expect("the runner holds the lock");
    send_signal(pid, "-STOP");
    let frozen_at = chrono::Utc::now();
    let lease_end = store
        .get_lock("batch")
        .await
        .expect("lock")
        .expect("held")
        .expires_at;
    let taken = wait_for(60, "the watcher to take over", || {
        let lock = store.blocking().get_lock("batch").ok()??;
        (lock.holder.operation_id == id && lock.acquired_at > frozen_at).then_some(lock)
    });
    assert!(
        taken.acquired_at >= lease_end,
        "taken over at {} before the lease ended at {lease_end}: {:?}",
        taken.acquired_at,
        seen.lock().expect("lines")
    );
    send_signal(pid, "-KILL");
}

/// Four consoles watch a failover with `--take-over`; its runner is SIGKILLed. Nothing is written
/// then, so the watchers all wake when its lease ends and race for the lock within milliseconds:
/// exactly one resumes the operation (one `operation.resume` in the audit), the others follow it
/// to its end; nothing is created twice.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn of_several_consoles_taking_over_one_operation_exactly_one_runs_it() {
    let on_sqlite = lab().await;
    let file = on_sqlite.dir.path().join("race.sqlite");
    take_over_race(&on_sqlite, &StoreConfig::Sqlite(Some(file))).await;
    if let Some((journal, db)) = postgres_journal() {
        let on_postgres = lab().await;
        take_over_race(&on_postgres, &journal).await;
        pg::admin(&format!("DROP DATABASE IF EXISTS {db} WITH (FORCE)"));
    }
}

async fn take_over_race(lab: &Lab, journal: &StoreConfig) {
    let before = batch_servers(lab).await;
    let config = team_config(lab);
    let url = journal_url(journal);
    let data = lab.dir.path().join("data");
    let runner = console(
        &config,
        &url,
        &data,
        &["failover", "batch", "--yes", "--wait"],
    )
    .stdout(Stdio::null())
    .stderr(Stdio::null())
    .spawn()
    .expect("runner starts");
    let store = store_of(journal);
    let id = running_op(&store, "manage_volumes");
    let mut watchers: Vec<Child> = (0..4)
        .map(|_| {
            console(&config, &url, &data, &["ops", "watch", &id, "--take-over"])
                .stdout(Stdio::null())
                .stderr(Stdio::piped())
                .spawn()
                .expect("watcher starts")
        })
        .collect();
    let seen: Vec<_> = watchers.iter_mut().map(collect_stderr).collect();
    wait_for(60, "every watcher to follow the runner", || {
        seen.iter()
            .all(|s| !s.lock().expect("lines").is_empty())
            .then_some(())
    });
    // The detached runner dies; the console that started it with --wait only watched.
    let pid = lock_holder_pid(&store, "batch")
        .await
        .expect("the runner holds the lock");
    send_signal(pid, "-KILL");
    watchers.push(runner);
    let statuses = tokio::task::spawn_blocking(move || {
        watchers
            .into_iter()
            .map(|mut c| c.wait().expect("watcher ends"))
            .collect::<Vec<_>>()
    })
    .await
    .expect("join");
    assert!(
        statuses.last().is_some_and(|s| s.success()),
        "the console that started it with --wait sees it complete"
    );
    for (status, lines) in statuses.iter().zip(&seen) {
        let lines = lines.lock().expect("lines").join("\n");
        assert!(status.success(), "every watcher sees it complete: {lines}");
    }
    let audit = store.audit(100).await.expect("audit");
    let resumes = resumed_by(&audit);
    assert_eq!(
        resumes.len(),
        2,
        "its runner, then exactly one of the watchers: {audit:?}"
    );
    let rec = store
        .get_operation(&id)
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
    exactly_once_at_both_sites(lab, before).await;
}
