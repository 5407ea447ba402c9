//! `drconsole journal check` and `journal copy` from the real binary: what an operator sees, the
//! exit codes, and that a password in a journal URL never reaches the terminal.

mod common;

use common::pg;
use drconsole::domain::{Actor, OperationType};
use drconsole::store::{LockHolder, Store};
use std::path::Path;
use std::process::{Command, Output};
use std::time::Duration;

fn drconsole(args: &[&str], data: &Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_drconsole"))
        .args(args)
        .env("DRCONSOLE_DATA_DIR", data)
        .env_remove("DRCONSOLE_CONFIG")
        .env_remove("PGPASSWORD")
        .output()
        .expect("run drconsole")
}

fn text(o: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

#[test]
fn check_reports_the_schema_and_who_holds_which_lock() {
    let dir = tempfile::tempdir().expect("dir");
    let file = dir.path().join("j.sqlite");
    let store = Store::open_sqlite(&file).expect("journal");
    let holder = LockHolder {
        operation_id: "3f2a9c00-0000".into(),
        operation_type: OperationType::Failover,
        actor: Actor {
            user: "alice".into(),
            host: "jump-1".into(),
            ssh_client: None,
        },
        console_id: "jump-1:4242:abcdef".into(),
    };
    let lease = Duration::from_secs(600);
    store
        .blocking()
        .acquire_lock("web-app", &holder, lease)
        .expect("lock");
    let url = format!("sqlite://{}", file.display());
    let out = drconsole(&["--store", &url, "journal", "check"], dir.path());
    let shown = text(&out);
    assert!(out.status.success(), "{shown}");
    let latest = drconsole::store::migrations::LATEST;
    assert!(
        shown.contains(&format!("schema: version {latest} (up to date)")),
        "{shown}"
    );
    assert!(
        shown.contains("web-app") && shown.contains("jump-1:4242:abcdef"),
        "{shown}"
    );
    assert!(
        shown.contains("alice@jump-1") && shown.contains("3f2a9c00"),
        "{shown}"
    );

    let out = drconsole(&["--store", &url, "journal", "check", "--json"], dir.path());
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!(doc["schema"]["version"], latest);
    assert_eq!(
        doc["locks"][0]["holder"]["console_id"],
        "jump-1:4242:abcdef"
    );
    assert_eq!(doc["locks"][0]["live"], true);

    let missing = format!("sqlite://{}", dir.path().join("nope.sqlite").display());
    let out = drconsole(&["--store", &missing, "journal", "check"], dir.path());
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out).contains("no journal at"), "{}", text(&out));
    assert!(
        !dir.path().join("nope.sqlite").exists(),
        "check creates nothing"
    );
}

#[test]
fn an_unreachable_postgres_journal_exits_2_without_showing_the_password() {
    let dir = tempfile::tempdir().expect("dir");
    let url = "postgres://drc:Hunter2-secret@127.0.0.1:1/journal?connect_timeout=3";
    let out = drconsole(&["--store", url, "journal", "check"], dir.path());
    let shown = text(&out);
    assert_eq!(out.status.code(), Some(2), "{shown}");
    assert!(
        shown.contains("cannot reach PostgreSQL at postgres://drc@127.0.0.1:1/journal"),
        "{shown}"
    );
    assert!(!shown.contains("Hunter2"), "{shown}");
    let out = drconsole(
        &["journal", "copy", "--from", url, "--to", "x.sqlite"],
        dir.path(),
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(!text(&out).contains("Hunter2"), "{}", text(&out));
}

#[test]
fn a_sqlite_journal_moves_to_postgres_and_back() {
    let Some(_) = pg::server() else {
        eprintln!("note: {} is not set: skipped", pg::SERVER_VAR);
        return;
    };
    let dir = tempfile::tempdir().expect("dir");
    let file = dir.path().join("laptop.sqlite");
    let store = Store::open_sqlite(&file).expect("journal");
    let state = drconsole::domain::GroupState::initial("web-app", "site-a");
    store
        .blocking()
        .put_group_state(&state, None)
        .expect("state");
    drop(store);
    let (name, url) = pg::scratch_database();
    let from = file.display().to_string();
    let out = drconsole(
        &["journal", "copy", "--from", &from, "--to", &url],
        dir.path(),
    );
    assert!(out.status.success(), "{}", text(&out));
    assert!(
        text(&out).contains("1 group states") && text(&out).contains("agree"),
        "{}",
        text(&out)
    );
    let again = drconsole(
        &["journal", "copy", "--from", &from, "--to", &url],
        dir.path(),
    );
    assert_eq!(again.status.code(), Some(2));
    assert!(text(&again).contains("not empty") && text(&again).contains("--replace"));
    let back = dir.path().join("back.sqlite").display().to_string();
    let out = drconsole(
        &["journal", "copy", "--from", &url, "--to", &back],
        dir.path(),
    );
    assert!(out.status.success(), "{}", text(&out));
    let moved = Store::open_sqlite(Path::new(&back)).expect("back");
    assert_eq!(
        moved.blocking().group_state("web-app").expect("read"),
        Some(state)
    );
    let out = drconsole(&["--store", &url, "journal", "check"], dir.path());
    assert!(text(&out).contains("locks: none"), "{}", text(&out));
    pg::admin(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"));
}
