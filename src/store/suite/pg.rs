//! The PostgreSQL half of the suite: a scratch database per test on the server
//! `DRCONSOLE_TEST_PG` names, dropped afterwards.

use crate::secret::Secret;
use std::sync::Once;

pub const URL_VAR: &str = "DRCONSOLE_TEST_PG";
pub const REQUIRE_VAR: &str = "DRCONSOLE_REQUIRE_PG";

/// The test server's URL, if this run tests PostgreSQL. Panics when `DRCONSOLE_REQUIRE_PG` is set
/// but no server is named.
pub fn server() -> Option<String> {
    match std::env::var(URL_VAR).ok().filter(|v| !v.is_empty()) {
        Some(url) => Some(url),
        None if std::env::var_os(REQUIRE_VAR).is_some() => panic!(
            "{REQUIRE_VAR} is set but {URL_VAR} is not: start a server (.ci/pg-cluster) and \
             export {URL_VAR}"
        ),
        None => {
            static NOTE: Once = Once::new();
            NOTE.call_once(|| {
                eprintln!(
                    "note: {URL_VAR} is not set: the PostgreSQL half of the store tests is skipped"
                )
            });
            None
        }
    }
}

/// Run `sql` on the server's maintenance database (on a thread of its own, so a test may call it
/// from inside its runtime).
pub fn admin(sql: &str) {
    let Some(url) = server() else { return };
    let sql = sql.to_string();
    std::thread::spawn(move || admin_now(&url, &sql))
        .join()
        .unwrap_or_else(|_| panic!("{URL_VAR}: the admin statement failed (see above)"));
}

fn admin_now(url: &str, sql: &str) {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    rt.block_on(async {
        let (client, conn) = tokio_postgres::connect(url, tokio_postgres::NoTls)
            .await
            .unwrap_or_else(|e| panic!("{URL_VAR}={url} is unreachable: {e}"));
        let driver = tokio::spawn(conn);
        client
            .batch_execute(sql)
            .await
            .unwrap_or_else(|e| panic!("{sql}: {e:?}"));
        drop(client);
        let _ = driver.await;
    });
}

/// A database of its own for one test.
pub struct ScratchDb {
    name: String,
    base: String,
}

impl ScratchDb {
    pub fn create() -> Option<ScratchDb> {
        let base = server()?;
        let name = format!("drc_test_{:016x}", rand::random::<u64>());
        admin(&format!("CREATE DATABASE {name}"));
        Some(ScratchDb { name, base })
    }

    /// The URL of this database (on the same server, as the same role).
    pub fn url(&self) -> Secret {
        let (head, query) = self.base.split_once('?').unwrap_or((&self.base, ""));
        let root = head.rsplit_once('/').map(|(r, _)| r).unwrap_or(head);
        let q = if query.is_empty() {
            String::new()
        } else {
            format!("?{query}")
        };
        Secret::new(format!("{root}/{}{q}", self.name))
    }
}

impl Drop for ScratchDb {
    fn drop(&mut self) {
        if std::thread::panicking() {
            return;
        }
        admin(&format!(
            "DROP DATABASE IF EXISTS {} WITH (FORCE)",
            self.name
        ));
    }
}
