//! Drills stay isolated and checks tell the truth, tried with the real binary against the lab: a
//! drill from the CLI lands on the group's test networks (and its checklist says which); a drill
//! mapped onto a production network is refused unless asked for; a check that could not look, or
//! found nothing to look at, says so and is never ✓.

mod common;

use common::{lab, req, site_down};
use drconsole::domain::{CheckState, OperationType as Op};
use drconsole::orchestrator::engine::EngineError;
use std::collections::BTreeMap;

/// The network each port of `prefix`'s servers at `site` is on, by port name.
async fn port_networks(lab: &common::Lab, site: &str, prefix: &str) -> BTreeMap<String, String> {
    let net = lab.client(site).network();
    let names: BTreeMap<String, String> = net
        .list_networks()
        .await
        .expect("networks")
        .into_iter()
        .map(|n| (n.id, n.name))
        .collect();
    net.list_ports(&Default::default())
        .await
        .expect("ports")
        .into_iter()
        .filter(|p| p.name.starts_with(prefix))
        .map(|p| {
            (
                p.name,
                names.get(&p.network_id).cloned().unwrap_or_default(),
            )
        })
        .collect()
}

#[tokio::test]
async fn a_drill_from_the_cli_lands_on_the_test_networks_and_says_so() {
    let lab = lab().await;
    let check = lab
        .cli_exits(0, &["check", "test-failover", "web-app"])
        .await;
    assert!(
        check
            .stdout
            .contains("✓ drill networks: isolated: net-web-test at site-b"),
        "{}",
        check.all()
    );
    lab.cli_exits(0, &["test-failover", "web-app", "--yes", "--wait"])
        .await;
    let ports = port_networks(&lab, "site-b", "web-").await;
    assert_eq!(ports.len(), 3, "{ports:?}");
    assert!(
        ports.values().all(|n| n == "net-web-test"),
        "every drill port is on the test network: {ports:?}"
    );
    // Production runs on at site-a, and the drill's copies are no split-brain.
    assert_eq!(
        lab.statuses("site-a", "web-").await,
        ["web-1 ACTIVE", "web-2 ACTIVE", "web-3 ACTIVE"]
    );
    let status = lab.cli(&["status", "--json"]).await.json();
    assert_eq!(
        status["protection_groups"][0]["split_brain"],
        serde_json::json!([])
    );
    // `instances` says which copies are the drill's: one line per member, its site-b server marked.
    let listed = lab.cli_exits(0, &["instances", "web-app"]).await;
    let rows: Vec<&str> = listed
        .stdout
        .lines()
        .filter(|l| l.starts_with("web-"))
        .collect();
    assert_eq!(rows.len(), 3, "{}", listed.stdout);
    for row in rows {
        let (at_a, at_b) = row.split_once("site-b:").expect("both sites on the line");
        assert!(!at_a.contains("drill copy"), "{row}");
        assert!(
            at_b.contains("ACTIVE") && at_b.contains("(drill copy)"),
            "{row}"
        );
    }
}

#[tokio::test]
async fn a_drill_mapped_onto_a_production_network_is_refused_unless_asked_for() {
    let lab = lab().await;
    let engine = lab.engine();
    let mut onto_production = req(Op::TestFailover, "web-app");
    onto_production
        .network_mapping
        .insert("net-web".into(), "net-web".into());
    let err = engine
        .start(onto_production.clone())
        .await
        .expect_err("refused");
    let msg = err.to_string();
    assert!(matches!(err, EngineError::Rejected(_)), "{msg}");
    assert!(
        msg.contains("net-web at site-b is a production network")
            && msg.contains("--allow-production-network"),
        "{msg}"
    );
    let out = lab
        .cli_exits(
            2,
            &[
                "test-failover",
                "web-app",
                "--network-mapping",
                "net-web=net-web",
                "--yes",
            ],
        )
        .await;
    assert!(out.all().contains("production network"), "{}", out.all());
    assert!(lab.server_names("site-b").await.is_empty(), "nothing ran");

    onto_production.allow_production_network = true;
    let checks = engine.check(&onto_production).await.expect("check");
    let nets = checks
        .iter()
        .find(|c| c.label == "drill networks")
        .expect("drill networks");
    assert_eq!(
        nets.state,
        CheckState::Warn,
        "allowed, with a warning: {nets:?}"
    );
    assert!(
        checks.iter().all(|c| c.state != CheckState::Fail),
        "{checks:?}"
    );
}

#[tokio::test]
async fn a_check_that_could_not_look_or_found_nothing_says_so_and_is_never_ticked() {
    let lab = lab().await;
    // Every member gone from the source: nothing to check is not "every server is SHUTOFF".
    let a = lab.client("site-a").compute();
    for s in a.list_servers().await.expect("servers") {
        if s.name.starts_with("web-") {
            a.delete(&s.id).await.expect("delete");
        }
    }
    let out = lab.cli(&["check", "planned-failover", "web-app"]).await;
    assert!(
        out.stdout.contains(
            "! production stopped: nothing to check: no member server was found at site-a"
        ),
        "{}",
        out.all()
    );
    assert!(
        !out.stdout.contains("every server is SHUTOFF"),
        "{}",
        out.all()
    );

    // The target down: what only it can tell is not checked, not ticked.
    lab.fault("site-b", site_down()).await;
    let out = lab
        .cli_exits(2, &["check", "planned-failover", "db-cluster"])
        .await;
    for needle in [
        "! networks mapped: not checked: site-b does not answer",
        "! flavors mapped: not checked: site-b does not answer",
        "! split-brain: not checked: site-b does not answer",
    ] {
        assert!(
            out.stdout.contains(needle),
            "{needle:?} not in:\n{}",
            out.all()
        );
    }
}
