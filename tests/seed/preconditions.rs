//! Preconditions and order as the seeds have them: the target's Cinder manage policy is checked
//! before anything moves; a member missing at the primary shows in `status`; an unplanned
//! failover stops replication before it recovers anything; `instances` shows each MAC beside its
//! IP, the same at both sites after a failover.

use crate::common::{lab, record};
use drconsole::domain::OperationType;
use serde_json::{Value, json};

#[tokio::test]
async fn a_target_whose_cinder_policy_refuses_manage_is_caught_by_the_checklist() {
    let lab = lab().await;
    let ok = lab.cli(&["check", "planned-failover", "web-app"]).await;
    assert!(
        ok.stdout.contains(
            "✓ Cinder manage policy: site-b's Cinder lets this project use the manage API on \
             cinder@array#array"
        ),
        "{}",
        ok.all()
    );
    lab.fault("site-b", json!({"kind": "policy_denied"})).await;
    let check = lab.cli_exits(2, &["check", "failover", "web-app"]).await;
    assert!(
        check.stdout.contains(
            "✗ Cinder manage policy: site-b's Cinder refuses this project the manage API (403 on \
             GET /manageable_volumes: Policy doesn't allow volume_extension:list_manageable to \
             be performed.)"
        ) && check.stdout.contains("volume_extension:volume_manage"),
        "{}",
        check.all()
    );
    let out = lab
        .cli_exits(2, &["test-failover", "web-app", "--yes", "--wait"])
        .await;
    assert!(out.stderr.contains("Cinder manage policy"), "{}", out.all());
    assert!(
        lab.server_names("site-b").await.is_empty(),
        "nothing made at site-b"
    );
    assert!(
        lab.inventory("site-b")
            .await
            .array_volumes
            .iter()
            .all(|v| !v.starts_with("web-")),
        "no array copy either"
    );
}

#[tokio::test]
async fn a_member_deleted_at_the_primary_shows_in_status() {
    let lab = lab().await;
    let a = lab.client("site-a").compute();
    let web2 = a
        .find_servers_by_name("web-2")
        .await
        .expect("find")
        .remove(0);
    a.delete(&web2.id).await.expect("delete");
    let status = lab.cli(&["status", "--json"]).await.json();
    let g = &status["protection_groups"][0];
    assert_eq!(g["missing_members"], json!(["web-2"]), "{g}");
    assert_eq!(g["instances"], 2);
    let text = lab.cli(&["status"]).await;
    assert!(
        text.stdout.contains("⚠ 1 missing")
            && text.stdout.contains(
                "⚠ MISSING MEMBER web-app: web-2 not found at site-a (the group has 2 of 3)"
            ),
        "{}",
        text.all()
    );
}

#[tokio::test]
async fn an_unplanned_failover_stops_replication_before_it_recovers_and_keeps_ips_and_macs() {
    let lab = lab().await;
    let before = lab.cli(&["instances", "web-app", "--json"]).await.json();
    let nics_at = |v: &Value, site: usize| -> Vec<(String, String)> {
        v["instances"]
            .as_array()
            .expect("instances")
            .iter()
            .flat_map(|i| {
                i["servers"][site]["ports"]
                    .as_array()
                    .cloned()
                    .unwrap_or_default()
            })
            .map(|n| {
                (
                    n["ip"].as_str().unwrap_or("").into(),
                    n["mac"].as_str().unwrap_or("").into(),
                )
            })
            .collect()
    };
    let production = nics_at(&before, 0);
    assert_eq!(production.len(), 3, "{before}");
    let text = lab.cli(&["instances", "web-app"]).await;
    let (ip, mac) = &production[0];
    assert!(
        text.stdout.contains(&format!("site-a: ACTIVE {ip} {mac}")),
        "{}",
        text.all()
    );

    let out = lab
        .cli_exits(
            0,
            &[
                "failover",
                "web-app",
                "--unplanned",
                "--yes",
                "--wait",
                "--json",
            ],
        )
        .await;
    let id = out.json()["operation"]["id"]
        .as_str()
        .expect("id")
        .to_string();
    assert_eq!(
        record(&lab, &id).await.operation_type,
        OperationType::Failover
    );
    let shown = lab.cli(&["ops", "show", &id, "--json"]).await.json();
    let steps = shown["steps"].as_array().expect("steps");
    let at = |id: &str, field: &str| -> String {
        steps
            .iter()
            .find(|s| s["step_id"] == id)
            .and_then(|s| s[field].as_str())
            .unwrap_or_else(|| panic!("{id} {field}: {shown}"))
            .to_string()
    };
    let stopped = at("stop_replication", "finished_at");
    assert!(stopped <= at("select_snapshot", "started_at"), "{shown}");
    for s in steps.iter().filter(|s| {
        s["step_id"]
            .as_str()
            .is_some_and(|i| i.starts_with("create_") || i == "manage_volumes")
    }) {
        let started = s["started_at"].as_str().expect("started");
        assert!(
            stopped.as_str() <= started,
            "replication stopped first: {shown}"
        );
    }
    let targets = lab
        .client("site-a")
        .array()
        .pg_targets("web-app-pg")
        .await
        .expect("targets");
    assert!(
        targets.is_empty(),
        "site-a no longer replicates: {targets:?}"
    );

    let after = lab.cli(&["instances", "web-app", "--json"]).await.json();
    let mut recovered = nics_at(&after, 1);
    let mut production = production;
    recovered.sort();
    production.sort();
    assert_eq!(recovered, production, "the same IPs and MACs at site-b");
}
