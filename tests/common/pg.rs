//! The journal an end-to-end test runs on: SQLite in the lab's directory, or, with
//! `DRCONSOLE_TEST_JOURNAL=postgres`, a database of its own on the server `DRCONSOLE_TEST_PG`
//! names (CI runs the operation tests once that way).

use drconsole::domain::StoreConfig;
use drconsole::secret::Secret;
use std::path::Path;

pub const SERVER_VAR: &str = "DRCONSOLE_TEST_PG";

/// The server's URL, if there is one; panics if `DRCONSOLE_REQUIRE_PG` asks for one and none is set.
pub fn server() -> Option<String> {
    let url = std::env::var(SERVER_VAR).ok().filter(|u| !u.is_empty());
    if url.is_none() && std::env::var_os("DRCONSOLE_REQUIRE_PG").is_some() {
        panic!("DRCONSOLE_REQUIRE_PG is set but {SERVER_VAR} is not: start .ci/pg-cluster");
    }
    url
}

pub fn wants_postgres() -> bool {
    std::env::var("DRCONSOLE_TEST_JOURNAL").is_ok_and(|v| v == "postgres")
}

/// Run `sql` on the server's maintenance database, on a thread of its own.
pub fn admin(sql: &str) {
    let url = server().expect("a PostgreSQL server");
    let sql = sql.to_string();
    std::thread::spawn(move || {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("runtime");
        rt.block_on(async {
            let (client, conn) = tokio_postgres::connect(&url, tokio_postgres::NoTls)
                .await
                .unwrap_or_else(|e| panic!("{SERVER_VAR}={url} is unreachable: {e}"));
            let driver = tokio::spawn(conn);
            client.batch_execute(&sql).await.expect("admin statement");
            drop(client);
            let _ = driver.await;
        });
    })
    .join()
    .expect("admin thread");
}

/// A new database on the server: its name and URL.
pub fn scratch_database() -> (String, String) {
    let base = server().expect("a PostgreSQL server");
    let name = format!("drc_e2e_{:016x}", rand::random::<u64>());
    admin(&format!("CREATE DATABASE {name}"));
    let root = base.rsplit_once('/').map(|(r, _)| r).unwrap_or(&base);
    (name.clone(), format!("{root}/{name}"))
}

/// The journal for a lab in `dir`, and the database to drop afterwards (PostgreSQL only).
pub fn journal_for(dir: &Path) -> (StoreConfig, Option<String>) {
    if wants_postgres() {
        let (name, url) = scratch_database();
        (StoreConfig::Postgres(Secret::new(url)), Some(name))
    } else {
        (StoreConfig::Sqlite(Some(dir.join("journal.sqlite"))), None)
    }
}
