//! What only the PostgreSQL engine does: reading its URL and password sources, TLS per sslmode,
//! and errors that say what, why and what to do without ever showing the password. The behaviour
//! both engines share is tested in `store::suite`, once per engine.

use super::url::{self, Env, Tls, pgpass_lookup};
use super::{Migrate, PgBackend};
use crate::secret::Secret;
use crate::store::StoreError;
use crate::store::suite::pg::{ScratchDb, admin, server};
use std::path::PathBuf;

const PW: &str = "s3cr3t-Pa55";

fn no_env() -> Env<'static> {
    Env {
        var: &|_| None,
        home: None,
    }
}

fn never_shows_the_password(msg: &str) {
    assert!(!msg.contains(PW), "the password leaked: {msg}");
}

#[test]
fn the_url_is_shown_without_its_password_and_tls_modes_are_read() {
    let url = Secret::new(format!(
        "postgres://drc:{PW}@db.example:6432/journal?sslmode=verify-full&sslrootcert=/etc/ca.pem&application_name=x"
    ));
    let t = url::parse(&url, &no_env()).unwrap();
    assert_eq!(t.shown, "postgres://drc@db.example:6432/journal");
    assert_eq!(t.tls, Tls::VerifyFull);
    assert_eq!(t.root_cert, Some(PathBuf::from("/etc/ca.pem")));
    assert_eq!(t.config.get_password(), Some(PW.as_bytes()));
    never_shows_the_password(&format!("{:?}", t.config));
    for (mode, tls) in [
        ("disable", Tls::Disable),
        ("prefer", Tls::Prefer),
        ("require", Tls::Require),
        ("verify-ca", Tls::VerifyCa),
    ] {
        let u = Secret::new(format!("postgres://u@h/d?sslmode={mode}"));
        assert_eq!(url::parse(&u, &no_env()).unwrap().tls, tls);
    }
    assert_eq!(
        url::parse(&Secret::new("postgres://u@h/d"), &no_env())
            .unwrap()
            .tls,
        Tls::Prefer,
        "libpq's default"
    );
}

#[test]
fn a_bad_url_says_what_to_write_and_never_echoes_the_password() {
    for bad in [
        format!("postgres://drc:{PW}@db:notaport/journal"),
        format!("postgres://drc:{PW}@db/journal?sslmode=sometimes"),
        format!("postgres://drc:{PW}@db/journal?frobnicate=1"),
        format!("postgres://drc:{PW}@/journal"),
    ] {
        let err = PgBackend::connect_with(&Secret::new(bad.clone()), Migrate::No, &no_env())
            .err()
            .unwrap_or_else(|| panic!("{bad} must be refused"));
        let msg = err.to_string();
        assert!(matches!(err, StoreError::BadUrl(_)), "{msg}");
        assert!(
            msg.contains("postgres://USER@HOST") || msg.contains("sslmode="),
            "{msg}"
        );
        never_shows_the_password(&msg);
    }
}

#[test]
fn the_password_comes_from_the_url_then_pgpassword_then_the_password_file() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join(".pgpass");
    std::fs::write(
        &file,
        "# comment\nother:*:*:*:nope\ndb.example:5432:journal:drc:from\\:file\n*:*:*:*:fallback\n",
    )
    .unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o600)).unwrap();
    }
    let pw = |url: &str, pgpassword: Option<&'static str>| {
        let var = move |k: &str| {
            (k == "PGPASSWORD")
                .then(|| pgpassword.map(String::from))
                .flatten()
        };
        let env = Env {
            var: &var,
            home: Some(dir.path().to_path_buf()),
        };
        let t = url::parse(&Secret::new(url), &env).unwrap();
        t.config
            .get_password()
            .map(|p| String::from_utf8_lossy(p).into_owned())
    };
    let base = "postgres://drc@db.example/journal";
    assert_eq!(pw(base, None).as_deref(), Some("from:file"));
    assert_eq!(pw(base, Some("env")).as_deref(), Some("env"));
    assert_eq!(
        pw("postgres://drc:url@db.example/journal", Some("env")).as_deref(),
        Some("url")
    );
    assert_eq!(
        pw("postgres://drc@elsewhere/x", None).as_deref(),
        Some("fallback")
    );
    assert_eq!(
        pgpass_lookup("h:1:d:u:p:with:colons", ["h", "1", "d", "u"]).as_deref(),
        Some("p:with:colons")
    );
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o644)).unwrap();
        assert_eq!(
            pw(base, None),
            None,
            "a file others can read is ignored, as libpq does"
        );
    }
}

#[test]
fn an_unreachable_server_says_where_and_what_to_check() {
    let url = Secret::new(format!(
        "postgres://drc:{PW}@127.0.0.1:1/journal?connect_timeout=5"
    ));
    let err = PgBackend::connect_with(&url, Migrate::Yes, &no_env())
        .err()
        .unwrap();
    let msg = err.to_string();
    assert!(
        msg.contains("cannot reach PostgreSQL at postgres://drc@127.0.0.1:1/journal"),
        "{msg}"
    );
    assert!(msg.contains("refused") && msg.contains("listens"), "{msg}");
    never_shows_the_password(&msg);
}

/// The test server's URL with `user`, `password` and `db` in place of its own.
fn on_server(user: &str, password: Option<&str>, db: &str, query: &str) -> Option<Secret> {
    let base = server()?;
    let rest = base.strip_prefix("postgres://")?;
    let (_, host_db) = rest.split_once('@')?;
    let host = host_db.split('/').next()?;
    let pw = password.map(|p| format!(":{p}")).unwrap_or_default();
    Some(Secret::new(format!(
        "postgres://{user}{pw}@{host}/{db}{query}"
    )))
}

#[test]
fn a_missing_database_and_a_wrong_password_say_what_to_do() {
    let Some(missing) = on_server("postgres", None, "no_such_journal", "") else {
        return;
    };
    let msg = PgBackend::connect_with(&missing, Migrate::Yes, &no_env())
        .err()
        .unwrap()
        .to_string();
    assert!(
        msg.contains("does not exist") && msg.contains("CREATE DATABASE"),
        "{msg}"
    );

    // A role that must log in with a password (pg_hba asks members of drc_password_users).
    let role = format!("drc_pw_{:08x}", rand::random::<u32>());
    admin(&format!(
        "CREATE ROLE {role} LOGIN PASSWORD '{PW}' IN ROLE drc_password_users"
    ));
    let db = ScratchDb::create().expect("server");
    let db_name = db
        .url()
        .expose()
        .rsplit('/')
        .next()
        .unwrap_or_default()
        .to_string();
    admin(&format!("ALTER DATABASE {db_name} OWNER TO {role}"));
    let wrong = on_server(&role, Some("not-it"), &db_name, "").unwrap();
    let msg = PgBackend::connect_with(&wrong, Migrate::Yes, &no_env())
        .err()
        .unwrap()
        .to_string();
    assert!(
        msg.contains("refused the password") && msg.contains("PGPASSWORD"),
        "{msg}"
    );
    let none = on_server(&role, None, &db_name, "").unwrap();
    let msg = PgBackend::connect_with(&none, Migrate::Yes, &no_env())
        .err()
        .unwrap()
        .to_string();
    assert!(
        msg.contains("none was given") && msg.contains("~/.pgpass"),
        "{msg}"
    );
    // The right one from PGPASSWORD: connects, and creates the journal as the database's owner.
    let var = |k: &str| (k == "PGPASSWORD").then(|| PW.to_string());
    let env = Env {
        var: &var,
        home: None,
    };
    let ok = PgBackend::connect_with(&none, Migrate::Yes, &env).expect("connects");
    use crate::store::JournalBackend;
    assert!(ok.schema_status().unwrap().pending.is_empty());
    assert!(!ok.describe().contains(PW));
    drop(ok);
    admin(&format!("ALTER DATABASE {db_name} OWNER TO postgres"));
    drop(db);
    admin(&format!("DROP ROLE {role}"));
}

fn uses_tls(db: &PgBackend) -> bool {
    db.with(|c| async move {
        let row = c
            .query_one(
                "SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()",
                &[],
            )
            .await?;
        Ok(row.try_get::<_, bool>(0)?)
    })
    .unwrap()
}

#[test]
fn tls_is_used_and_checked_as_sslmode_asks() {
    let Some(ca) = std::env::var("DRCONSOLE_TEST_PG_CA").ok() else {
        return;
    };
    let open = |query: String| {
        let url = on_server("postgres", None, "postgres", &query).expect("server");
        PgBackend::connect_with(&url, Migrate::No, &no_env())
    };
    assert!(!uses_tls(&open("?sslmode=disable".into()).unwrap()));
    assert!(uses_tls(&open("?sslmode=require".into()).unwrap()));
    assert!(
        uses_tls(&open(String::new()).unwrap()),
        "prefer takes TLS when offered"
    );
    let full = open(format!("?sslmode=verify-full&sslrootcert={ca}")).unwrap();
    assert!(uses_tls(&full));
    // The server's certificate is not signed by the system's roots.
    let msg = open("?sslmode=verify-full&sslrootcert=system".into())
        .err()
        .unwrap()
        .to_string();
    assert!(msg.contains("TLS") && msg.contains("sslrootcert"), "{msg}");
    let msg = open("?sslmode=verify-ca&sslrootcert=/no/such.pem".into())
        .err()
        .unwrap()
        .to_string();
    assert!(
        msg.contains("cannot read sslrootcert /no/such.pem"),
        "{msg}"
    );
}

#[test]
fn a_journal_from_a_newer_drconsole_is_refused() {
    let Some(db) = ScratchDb::create() else {
        return;
    };
    let journal = PgBackend::connect(&db.url(), Migrate::Yes).unwrap();
    journal
        .with(|c| async move {
            c.execute("INSERT INTO schema_version (version) VALUES (99)", &[])
                .await?;
            Ok(())
        })
        .unwrap();
    let err = PgBackend::connect(&db.url(), Migrate::Yes).err().unwrap();
    assert!(
        matches!(err, StoreError::SchemaTooNew { found: 99, .. }),
        "{err}"
    );
    assert!(err.to_string().contains("upgrade drconsole"));
}
