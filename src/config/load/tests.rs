//! Config fixtures, valid and invalid: each invalid one must say where and what to write instead.

use super::*;
use std::collections::HashMap;

const CLOUDS: &str = "clouds:
  site-a:
    auth: {auth_url: 'http://127.0.0.1:1/identity/v3', username: operator, password: pw, project_name: dr-demo}
  site-b:
    auth: {auth_url: 'http://127.0.0.1:2/identity/v3', username: operator, password: pw, project_name: dr-demo}
";

const GOOD: &str = r#"clouds_file = "clouds.yaml"
[store]
url = "sqlite://journal.sqlite"

[[sites]]
name = "site-a"
role = "production"
cloud = "site-a"
[sites.array]
url = "http://127.0.0.1:1/array/"
name = "array-a"
api_token_file = "a.token"

[[sites]]
name = "site-b"
role = "dr"
[sites.array]
url = "http://127.0.0.1:2/array"
name = "array-b"
api_token_env = "ARRAY_B_TOKEN"

[[protection_groups]]
name = "web-app"
primary_site = "site-a"
secondary_site = "site-b"
rpo_target_seconds = 300
members = ["web-1", "web-2", "web-3"]
boot_order = [["web-2"]]
network_mapping = { "net-web" = "net-web" }
"#;

struct Fixture {
    dir: tempfile::TempDir,
    env: HashMap<String, String>,
}

impl Fixture {
    fn new(toml: &str) -> Self {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("drconsole.toml"), toml).unwrap();
        std::fs::write(dir.path().join("clouds.yaml"), CLOUDS).unwrap();
        std::fs::write(dir.path().join("a.token"), "token-a\n").unwrap();
        let env = HashMap::from([
            ("ARRAY_B_TOKEN".to_string(), "token-b".to_string()),
            ("OS_CLOUD".to_string(), "site-b".to_string()),
        ]);
        Self { dir, env }
    }

    fn load(&self) -> Result<LoadedConfig, ConfigError> {
        load_with(&self.dir.path().join("drconsole.toml"), &|k| {
            self.env.get(k).cloned()
        })
    }
}

fn expect_error(toml: &str) -> String {
    Fixture::new(toml)
        .load()
        .err()
        .expect("config must be rejected")
        .to_string()
}

#[test]
fn a_good_config_resolves_everything() {
    let f = Fixture::new(GOOD);
    let loaded = f.load().unwrap();
    let c = &loaded.config;
    assert_eq!(c.sites[0].array.api_token.expose(), "token-a");
    assert_eq!(c.sites[0].array.url, "http://127.0.0.1:1/array");
    assert_eq!(
        c.sites[1].cloud.name, "site-b",
        "OS_CLOUD fills a missing `cloud`"
    );
    assert_eq!(c.sites[1].array.api_token.expose(), "token-b");
    let g = c.group("web-app").unwrap();
    assert_eq!(g.array_pg, "web-app-pg");
    assert_eq!(
        g.waves(),
        vec![
            vec!["web-2".to_string()],
            vec!["web-1".into(), "web-3".into()]
        ]
    );
    assert_eq!(
        c.store,
        StoreConfig::Sqlite(Some(f.dir.path().join("journal.sqlite")))
    );
    assert!(
        !format!("{c:?}").contains("token-a"),
        "secrets never show in Debug"
    );
    assert_eq!(
        c.operations.rollback_budget,
        std::time::Duration::from_secs(300),
        "five minutes unless configured"
    );
    let f = Fixture::new(&format!(
        "{GOOD}\n[operations]\nrollback_budget_seconds = 60\n"
    ));
    let budget = f.load().unwrap().config.operations.rollback_budget;
    assert_eq!(budget, std::time::Duration::from_secs(60));
}

#[cfg(unix)]
#[test]
fn world_readable_secrets_are_warned_about() {
    use std::os::unix::fs::PermissionsExt;
    let f = Fixture::new(GOOD);
    let clouds = f.dir.path().join("clouds.yaml");
    std::fs::set_permissions(&clouds, std::fs::Permissions::from_mode(0o644)).unwrap();
    std::fs::set_permissions(
        f.dir.path().join("a.token"),
        std::fs::Permissions::from_mode(0o600),
    )
    .unwrap();
    let warnings = f.load().unwrap().warnings;
    assert_eq!(warnings.len(), 1, "{warnings:?}");
    assert!(warnings[0].contains("chmod 600") && warnings[0].contains("clouds.yaml"));
    std::fs::set_permissions(&clouds, std::fs::Permissions::from_mode(0o600)).unwrap();
    assert!(f.load().unwrap().warnings.is_empty());
}

#[test]
fn syntax_error_names_line_and_column() {
    let e = expect_error("[store\nurl = 1\n");
    assert!(e.contains("drconsole.toml:1:"), "{e}");
    assert!(e.contains("hint:"), "{e}");
}

#[test]
fn a_typo_is_an_error_not_a_default() {
    let e = expect_error(&GOOD.replace("rpo_target_seconds", "rpo_target"));
    assert!(e.contains("unknown field `rpo_target`"), "{e}");
    assert!(e.contains(":26:1:"), "points at the key: {e}");
}

#[test]
fn semantic_errors_say_what_to_write() {
    let cases = [
        (
            GOOD.replace("role = \"dr\"", "role = \"backup\""),
            "role \"backup\" is not known",
        ),
        (
            GOOD.replace("role = \"dr\"", "role = \"production\""),
            "both sites have role",
        ),
        (
            GOOD.replace("secondary_site = \"site-b\"", "secondary_site = \"site-c\""),
            "\"site-c\" is not a declared site",
        ),
        (
            GOOD.replace("boot_order = [[\"web-2\"]]", "boot_order = [[\"db-1\"]]"),
            "boot_order names \"db-1\"",
        ),
        (
            GOOD.replace(
                "api_token_env = \"ARRAY_B_TOKEN\"",
                "api_token_env = \"NOPE\"",
            ),
            "NOPE (api_token_env) is not set",
        ),
        (
            GOOD.replace("cloud = \"site-a\"", "cloud = \"site-x\""),
            "no cloud named \"site-x\"",
        ),
        (
            GOOD.replace("sqlite://", "mysql://"),
            "must start with sqlite:// or postgres://",
        ),
        (
            GOOD.replace(
                "url = \"http://127.0.0.1:2/array\"",
                "url = \"127.0.0.1:2\"",
            ),
            "is not an http(s) URL",
        ),
        (
            GOOD.replace("clouds.yaml", "missing.yaml"),
            "no clouds.yaml found",
        ),
        (
            format!("{GOOD}\n[operations]\nrollback_budget_seconds = 100000\n"),
            "[operations] rollback_budget_seconds = 100000 is out of range (0 to 86400 seconds)",
        ),
    ];
    for (toml, needle) in cases {
        let e = expect_error(&toml);
        assert!(e.contains(needle), "expected {needle:?} in: {e}");
    }
}

#[test]
fn locate_follows_flag_then_env_then_default() {
    let f = Fixture::new(GOOD);
    let p = f.dir.path().join("drconsole.toml");
    let missing = f.dir.path().join("missing.toml");
    assert_eq!(locate_in(Some(&p), Some(&missing), None).unwrap(), p);
    assert_eq!(locate_in(None, Some(&p), None).unwrap(), p);
    assert_eq!(locate_in(None, None, Some(&p)).unwrap(), p);
    let e = locate_in(Some(&missing), None, None)
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("missing.toml") && e.contains("not found (given by --config)"),
        "{e}"
    );
    let e = locate_in(None, None, Some(&missing))
        .unwrap_err()
        .to_string();
    assert!(e.contains("drconsole --lab"), "{e}");
}

#[test]
fn the_final_sync_deadline_is_read_and_bounded() {
    let c = Fixture::new(GOOD).load().unwrap().config;
    assert_eq!(c.operations, OperationsConfig::default());
    assert_eq!(
        c.operations.final_sync_timeout,
        std::time::Duration::from_secs(600)
    );
    let set = format!("{GOOD}\n[operations]\nfinal_sync_timeout_seconds = 90\n");
    let c = Fixture::new(&set).load().unwrap().config;
    assert_eq!(
        c.operations.final_sync_timeout,
        std::time::Duration::from_secs(90)
    );
    for bad in ["0", "86401", "-1"] {
        let e = expect_error(&format!(
            "{GOOD}\n[operations]\nfinal_sync_timeout_seconds = {bad}\n"
        ));
        assert!(
            e.contains(&format!(
                "[operations] final_sync_timeout_seconds = {bad} is out of range (1 to 86400 seconds)"
            )),
            "{e}"
        );
    }
    let e = expect_error(&format!("{GOOD}\n[operations]\nfinal_sync = 9\n"));
    assert!(e.contains("unknown field `final_sync`"), "{e}");
}

#[test]
fn unverified_tls_warns_once_per_endpoint_and_a_cacert_is_resolved() {
    let toml = GOOD.replace(
        "api_token_file = \"a.token\"",
        "api_token_file = \"a.token\"\ncacert = \"ca.pem\"",
    );
    let f = Fixture::new(&toml.replace(
        "api_token_env = \"ARRAY_B_TOKEN\"",
        "api_token_env = \"ARRAY_B_TOKEN\"\nverify = false",
    ));
    std::fs::write(
        f.dir.path().join("clouds.yaml"),
        CLOUDS.replace("  site-b:\n", "  site-b:\n    verify: false\n"),
    )
    .unwrap();
    let loaded = f.load().unwrap();
    let tls: Vec<&String> = loaded
        .warnings
        .iter()
        .filter(|w| w.contains("not verified"))
        .collect();
    assert_eq!(tls.len(), 2, "{:?}", loaded.warnings);
    assert!(
        tls.iter()
            .all(|w| w.contains("site-b") && w.contains("cacert"))
    );
    let a = loaded.config.site("site-a").unwrap();
    assert_eq!(a.array.cacert, Some(f.dir.path().join("ca.pem")));
    assert!(a.array.verify);
}

#[test]
fn the_lock_lease_is_configurable_within_bounds() {
    let lease = |line: &str| {
        let toml = GOOD.replace("[store]\n", &format!("[store]\n{line}\n"));
        Fixture::new(&toml).load().map(|l| l.config.lease)
    };
    assert_eq!(lease("").unwrap(), std::time::Duration::from_secs(60));
    assert_eq!(
        lease("lease_seconds = 5").unwrap(),
        std::time::Duration::from_secs(5)
    );
    let e = lease("lease_seconds = 1").err().unwrap().to_string();
    assert!(
        e.contains("lease_seconds = 1 is out of range (3 to 3600 seconds)"),
        "{e}"
    );
}

mod hostile;
