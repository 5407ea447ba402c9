//! The estate issue's acceptance: the providers drive the lab over real HTTP — tokens expire and
//! are renewed, a 5xx is retried for a GET and never for a POST, a dead site is reported while the
//! other is still shown, replication lag grows while replication is stalled — and `status` and
//! the config errors behave as an operator expects from the real binary.

mod common;

use common::{lab, site_down, wait_for};
use drconsole::providers::network::PortFilter;
use serde_json::json;
use std::process::Command;
use std::time::{Duration, Instant};

#[tokio::test]
async fn status_shows_both_sites_and_the_three_demo_groups_with_rpo() {
    let lab = lab().await;
    let estate = lab.engine().estate().await.expect("estate");
    assert_eq!(estate.sites.len(), 2);
    for s in &estate.sites {
        assert!(s.reachable, "{} should be reachable: {:?}", s.name, s.error);
        assert!(s.latency_ms.is_some() && s.identity_ms.is_some());
        assert!(s.array.reachable, "{:?}", s.array.error);
    }
    let counts: Vec<(&str, usize)> = estate
        .protection_groups
        .iter()
        .map(|g| (g.name.as_str(), g.instances))
        .collect();
    assert_eq!(counts, [("web-app", 3), ("db-cluster", 2), ("batch", 5)]);
    for g in &estate.protection_groups {
        assert!(g.rpo_seconds.is_some(), "{}: {:?}", g.name, g.error);
        assert_eq!(g.direction, "site-a ⇢ site-b");
    }
    let doc = serde_json::to_value(&estate).expect("json");
    for key in ["name", "role", "reachable", "latency_ms", "error"] {
        assert!(doc["sites"][0].get(key).is_some(), "sites[].{key}");
    }
    for key in [
        "name",
        "status",
        "primary_site",
        "secondary_site",
        "current_primary",
        "rpo_seconds",
        "rpo_target_seconds",
        "instances",
    ] {
        assert!(
            doc["protection_groups"][0].get(key).is_some(),
            "protection_groups[].{key}"
        );
    }
}

#[tokio::test]
async fn an_expired_token_is_renewed_once_and_the_call_succeeds() {
    let lab = lab().await;
    let site = lab.client("site-a");
    assert_eq!(site.compute().list_servers().await.expect("list").len(), 10);
    let before = lab.count("site-a", "identity", "POST").await;
    lab.http
        .post(format!("{}/lab/v1/tokens/revoke", lab.url("site-a")))
        .send()
        .await
        .expect("revoke");
    let servers = site
        .compute()
        .list_servers()
        .await
        .expect("list after revoke");
    assert_eq!(servers.len(), 10);
    let after = lab.count("site-a", "identity", "POST").await;
    assert_eq!(after - before, 1, "exactly one re-authentication");
    // The array session is renewed the same way.
    assert!(site.array().state().await.is_ok());
}

#[tokio::test]
async fn a_server_error_is_retried_for_a_get_and_a_stop_and_never_for_a_create() {
    let lab = lab().await;
    let compute = lab.client("site-a").compute();
    let servers = compute.list_servers().await.expect("list");
    let web1 = servers.iter().find(|s| s.name == "web-1").expect("web-1");

    lab.fault(
        "site-a",
        json!({"kind": "error_rate", "service": "compute", "count": 1}),
    )
    .await;
    let gets = lab.count("site-a", "compute", "GET").await;
    assert!(
        compute
            .get_server(&web1.id)
            .await
            .expect("retried")
            .is_some()
    );
    assert_eq!(
        lab.count("site-a", "compute", "GET").await - gets,
        2,
        "one failure, one retry"
    );

    lab.fault(
        "site-a",
        json!({"kind": "error_rate", "service": "compute", "count": 1}),
    )
    .await;
    let posts = lab.count("site-a", "compute", "POST").await;
    let create = drconsole::providers::compute::ServerCreate {
        name: "never-made".into(),
        flavor_id: "m1.small".into(),
        ..Default::default()
    };
    let err = compute
        .create_server(&create)
        .await
        .expect_err("a create is not retried");
    assert!(err.is_transient(), "{err}");
    assert_eq!(lab.count("site-a", "compute", "POST").await - posts, 1);

    // Stop and start are safe to repeat (a repeat is a 409): retried like a GET.
    lab.fault(
        "site-a",
        json!({"kind": "error_rate", "service": "compute", "count": 1}),
    )
    .await;
    let posts = lab.count("site-a", "compute", "POST").await;
    compute.stop(&web1.id).await.expect("retried");
    assert_eq!(lab.count("site-a", "compute", "POST").await - posts, 2);
}

#[tokio::test]
async fn a_dead_site_is_reported_with_its_reason_and_the_other_is_still_shown() {
    let lab = lab().await;
    lab.fault("site-b", site_down()).await;
    let started = Instant::now();
    let estate = lab.engine().estate().await.expect("estate");
    assert!(
        started.elapsed() < Duration::from_secs(15),
        "{:?}",
        started.elapsed()
    );
    let a = estate.site("site-a").expect("site-a");
    let b = estate.site("site-b").expect("site-b");
    assert!(a.reachable);
    assert!(!b.reachable);
    assert!(b.error.as_deref().is_some_and(|e| !e.is_empty()), "{b:?}");
    assert_eq!(estate.protection_groups.len(), 3);
    let web = estate.group("web-app").expect("web-app");
    assert_eq!(web.rpo_seconds, None);
    assert!(
        web.error.as_deref().is_some_and(|e| e.contains("site-b")),
        "{web:?}"
    );
    // No split-brain found is not "none": the group's error says it could not look.
    assert!(web.split_brain.is_empty());
    assert!(
        web.error
            .as_deref()
            .is_some_and(|e| e.contains("split-brain not checked: site-b does not answer")),
        "{web:?}"
    );

    lab.clear_faults("site-b").await;
    let estate = lab.engine().estate().await.expect("estate");
    assert!(estate.site("site-b").expect("b").reachable);
}

#[tokio::test]
async fn replication_lag_grows_while_replication_is_stalled() {
    let lab = lab().await;
    let engine = lab.engine();
    let rpo = |e: &drconsole::domain::EstateView| e.group("web-app").and_then(|g| g.rpo_seconds);
    let healthy = rpo(&engine.estate().await.expect("estate")).expect("rpo");
    lab.fault("site-a", json!({"kind": "replication_stalled"}))
        .await;
    let lag = || async { rpo(&engine.estate().await.expect("estate")) };
    // Nothing arrives while stalled, so the lag keeps growing with the clock.
    let stalled_early = wait_for("a lag of 2 s", Duration::from_secs(20), || async {
        lag().await.filter(|s| *s >= 2)
    })
    .await;
    let stalled_late = wait_for("the lag to grow", Duration::from_secs(20), || async {
        lag().await.filter(|s| *s > stalled_early && *s >= 4)
    })
    .await;
    assert!(
        stalled_late >= 4,
        "lag grows with time while stalled: {stalled_late}"
    );
    lab.clear_faults("site-a").await;
    let recovered = wait_for("the lag to shrink", Duration::from_secs(20), || async {
        lag().await.filter(|s| *s < stalled_late)
    })
    .await;
    assert!(
        recovered < stalled_late,
        "{healthy} / {stalled_late} → {recovered}"
    );
}

/// Every call the providers make, against the lab: the documented shapes on both sides agree.
#[tokio::test]
async fn the_providers_and_the_lab_agree_on_every_documented_call() {
    let lab = lab().await;
    let a = lab.client("site-a");
    let b = lab.client("site-b");
    let servers = a.compute().list_servers().await.expect("servers");
    let db1 = servers.iter().find(|s| s.name == "db-1").expect("db-1");
    assert_eq!(db1.status, "ACTIVE");
    assert_eq!(db1.volume_ids.len(), 2);
    assert!(
        db1.addresses
            .iter()
            .any(|a| a.mac.is_some() && !a.ip.is_empty())
    );
    assert!(
        a.compute()
            .get_server("no-such-id")
            .await
            .expect("404")
            .is_none()
    );
    assert!(
        !a.compute()
            .list_flavors()
            .await
            .expect("flavors")
            .is_empty()
    );
    let nets = b.network().list_networks().await.expect("networks");
    assert!(nets.iter().any(|n| n.name == "net-web-test"));
    assert!(
        !a.network()
            .list_subnets()
            .await
            .expect("subnets")
            .is_empty()
    );
    let ports = a
        .network()
        .list_ports(&PortFilter {
            device_id: Some(db1.id.clone()),
            ..PortFilter::default()
        })
        .await
        .expect("ports");
    assert_eq!(ports.len(), 1);
    assert_eq!(ports[0].device_owner, "compute:nova");
    let volumes = a.volume().list_volumes().await.expect("volumes");
    assert_eq!(volumes.iter().filter(|v| v.status == "in-use").count(), 12);
    // Metadata set on a volume is added to what it has, and read back.
    let mark = std::collections::BTreeMap::from([("drconsole:retired_by".into(), "op-1".into())]);
    a.volume()
        .set_metadata(&volumes[0].id, &mark)
        .await
        .expect("metadata set");
    let marked = a.volume().get_volume(&volumes[0].id).await.expect("volume");
    let marked = marked.expect("still there").metadata;
    assert_eq!(
        marked.get("drconsole:retired_by").map(String::as_str),
        Some("op-1")
    );
    assert!(
        volumes[0]
            .metadata
            .iter()
            .all(|(k, v)| marked.get(k) == Some(v)),
        "the keys it had are kept: {marked:?}"
    );
    let types = a.volume().list_volume_types().await.expect("types");
    assert!(
        types
            .iter()
            .any(|t| t.name == "replicated" && t.replication_enabled)
    );
    assert!(types.iter().any(|t| !t.replication_enabled));
    let arr = a.array();
    assert_eq!(
        arr.state().await.expect("state").connections[0].name,
        "array-b"
    );
    assert_eq!(arr.volumes(&["web-1-boot"]).await.expect("vols").len(), 1);
    assert_eq!(
        arr.pg_volumes("db-cluster-pg")
            .await
            .expect("members")
            .len(),
        4
    );
    assert_eq!(
        arr.pg_targets("web-app-pg").await.expect("targets")[0].target,
        "array-b"
    );
    let snap = arr
        .create_pg_snapshot("web-app-pg", true)
        .await
        .expect("snapshot");
    let transfers = arr
        .transfers(&[snap.name.as_str()])
        .await
        .expect("transfer");
    assert_eq!(transfers.len(), 1);
    let arrived = b
        .array()
        .pg_snapshots("array-a:web-app-pg")
        .await
        .expect("arrived");
    let newest = arrived.last().expect("one has arrived");
    assert!(newest.name.starts_with("array-a:web-app-pg."));
    let vsnaps = b
        .array()
        .volume_snapshots(&[newest.name.as_str()])
        .await
        .expect("volume snapshots");
    assert!(
        vsnaps.iter().any(|v| v.name.ends_with(".web-1-boot")),
        "{vsnaps:?}"
    );
    // A volume copied from the arrived snapshot is what Cinder at the DR site can manage.
    let copy = b
        .array()
        .create_volume_from_snapshot("web-1-boot-copy", &format!("{}.web-1-boot", newest.name))
        .await
        .expect("copy from the snapshot");
    assert_eq!(copy.name, "web-1-boot-copy");
    let manageable = b
        .volume()
        .list_manageable_volumes("cinder@array#array")
        .await
        .expect("manageable");
    let found = manageable
        .iter()
        .find(|m| m.source_name == "web-1-boot-copy")
        .expect("the copy is listed as manageable");
    assert!(found.safe_to_manage, "{found:?}");
    assert_eq!(found.size_gb, 20);
}

fn drconsole(args: &[&str], data: &std::path::Path) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_drconsole"))
        .args(args)
        .env("DRCONSOLE_DATA_DIR", data)
        .env_remove("DRCONSOLE_CONFIG")
        .output()
        .expect("run drconsole")
}

#[test]
fn a_missing_or_broken_config_gets_a_short_clear_message_and_a_nonzero_exit() {
    let dir = tempfile::tempdir().expect("dir");
    let missing = dir.path().join("missing.toml");
    let out = drconsole(
        &["--config", missing.to_str().expect("utf8"), "status"],
        dir.path(),
    );
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(err.contains("missing.toml"), "{err}");
    assert!(err.lines().count() <= 4, "short: {err}");

    let broken = dir.path().join("broken.toml");
    std::fs::write(&broken, "[[sites]\nname = \"site-a\"\n").expect("write");
    let out = drconsole(
        &["--config", broken.to_str().expect("utf8"), "status"],
        dir.path(),
    );
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(
        err.contains("broken.toml:1:"),
        "names the file and line: {err}"
    );
    assert!(!err.contains("panicked"), "{err}");
}

#[tokio::test]
async fn status_json_from_the_binary_against_a_served_lab() {
    let lab = lab().await;
    let data = lab.dir.path().join("data");
    let config = lab.dir.path().join("lab").join("drconsole.toml");
    let out = tokio::task::spawn_blocking(move || {
        drconsole(
            &[
                "--config",
                config.to_str().expect("utf8"),
                "status",
                "--json",
            ],
            &data,
        )
    })
    .await
    .expect("join");
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!(doc["sites"].as_array().map(Vec::len), Some(2));
    assert!(
        doc["sites"]
            .as_array()
            .expect("sites")
            .iter()
            .all(|s| s["reachable"] == true)
    );
    let groups = doc["protection_groups"].as_array().expect("groups");
    assert_eq!(groups.len(), 3);
    assert!(
        groups.iter().all(|g| g["rpo_seconds"].is_number()),
        "{groups:?}"
    );
}

/// TLS is verified by default: an endpoint whose certificate another CA signed is refused
/// before any request is sent, with the endpoint and the fix named, and without retries.
#[tokio::test]
async fn a_wrong_ca_is_refused_naming_the_endpoint_and_the_fix() {
    let lab = lab().await;
    let other = common::lab().await;
    let wrong_ca = other.handle.as_ref().and_then(|h| h.ca_file());
    let mut site = lab.config.site("site-a").expect("site-a").clone();
    site.cloud.cacert = wrong_ca.clone();
    site.array.cacert = wrong_ca;
    let client = drconsole::providers::SiteClient::new(&site, lab.config.http).expect("client");

    let started = Instant::now();
    let err = client
        .identity()
        .authenticate()
        .await
        .expect_err("untrusted");
    let text = err.to_string();
    assert!(
        text.contains(&lab.url("site-a")),
        "names the endpoint: {text}"
    );
    assert!(
        text.contains("not trusted") && text.contains("point cacert at the CA"),
        "says what to do: {text}"
    );
    assert!(!err.is_transient(), "a wrong CA is not retried: {err:?}");
    assert!(started.elapsed() < Duration::from_secs(2));
    let array = client.array().state().await.expect_err("untrusted array");
    assert!(array.to_string().contains("[sites.array]"), "{array}");
    assert_eq!(
        lab.count("site-a", "identity", "POST").await,
        0,
        "no password was sent to an untrusted endpoint"
    );
}
