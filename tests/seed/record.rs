//! The record and the listing as the seed has them: `operation_type` in the seed's names with
//! `planned` apart; `ops list --group --type --status --since`; `result_data` lists what an
//! operation made, resource by resource; a refusal with `--json` is a JSON error; the group's
//! JSON has its failover count and its peer's sync state.

use crate::common::{Lab, lab, site_down};
use serde_json::{Value, json};
use std::collections::BTreeSet;

async fn ids(lab: &Lab, args: &[&str]) -> Vec<String> {
    let mut all = vec!["ops", "list", "--json"];
    all.extend_from_slice(args);
    let out = lab.cli(&all).await;
    assert_eq!(out.code, Some(0), "{}", out.all());
    out.json()["operations"]
        .as_array()
        .expect("operations")
        .iter()
        .map(|o| o["id"].as_str().expect("id").to_string())
        .collect()
}

async fn run(lab: &Lab, args: &[&str]) -> Value {
    let out = lab.cli(args).await;
    assert_eq!(out.code, Some(0), "{}", out.all());
    out.json()["operation"].clone()
}

#[tokio::test]
async fn records_speak_the_seeds_names_and_the_listing_filters_them() {
    let lab = lab().await;
    let drill = run(
        &lab,
        &["test-failover", "db-cluster", "--yes", "--wait", "--json"],
    )
    .await;
    let sync = run(&lab, &["sync", "batch", "--wait", "--json"]).await;
    let planned = run(&lab, &["failover", "web-app", "--yes", "--wait", "--json"]).await;
    let names = |v: &Value| (v["operation_type"].clone(), v["planned"].clone());
    assert_eq!(names(&planned), (json!("failover"), json!(true)));
    assert_eq!(names(&sync), (json!("sync_volumes"), json!(false)));
    assert_eq!(names(&drill), (json!("test_failover"), json!(false)));
    let id = |v: &Value| v["id"].as_str().expect("id").to_string();

    assert_eq!(ids(&lab, &["--group", "web-app"]).await, [id(&planned)]);
    assert_eq!(ids(&lab, &["--type", "failover"]).await, [id(&planned)]);
    assert!(
        ids(&lab, &["--type", "unplanned_failover"])
            .await
            .is_empty()
    );
    assert_eq!(
        ids(&lab, &["--type", "sync_volumes", "--type", "test_failover"]).await,
        [id(&sync), id(&drill)]
    );
    assert_eq!(
        ids(&lab, &["--status", "completed", "--since", "1h"])
            .await
            .len(),
        3
    );
    assert!(ids(&lab, &["--since", "2099-01-01"]).await.is_empty());
    assert!(ids(&lab, &["--status", "failed"]).await.is_empty());
    let table = lab.cli(&["ops", "list", "--type", "failover"]).await;
    assert!(
        table.stdout.contains("failover (planned)"),
        "{}",
        table.all()
    );
    for bad in [
        ["--type", "explode"],
        ["--status", "done"],
        ["--group", "nope"],
    ] {
        lab.cli_exits(2, &["ops", "list", bad[0], bad[1]]).await;
    }
}

#[tokio::test]
async fn a_drill_lists_every_resource_it_made_as_the_site_has_it() {
    let lab = lab().await;
    let drill = run(
        &lab,
        &["test-failover", "web-app", "--yes", "--wait", "--json"],
    )
    .await;
    let made = drill["result_data"]["resources_created"]
        .as_array()
        .expect("resources_created")
        .clone();
    let of = |kind: &str| -> BTreeSet<String> {
        made.iter()
            .filter(|r| r["kind"] == kind && r["site"] == "site-b")
            .map(|r| r["name"].as_str().expect("name").to_string())
            .collect()
    };
    assert!(
        made.iter()
            .all(|r| r["site"] == "site-b" && r["id"].is_string()),
        "{drill}"
    );
    let at_b = lab.names("site-b").await;
    let set = |v: Vec<String>| v.into_iter().collect::<BTreeSet<_>>();
    assert_eq!(of("server"), set(at_b.servers), "{drill}");
    assert_eq!(of("port"), set(at_b.ports), "{drill}");
    assert_eq!(of("volume"), set(at_b.volumes), "{drill}");
    assert_eq!(of("array_volume").len(), 3, "{drill}");
    assert_eq!(
        drill["result_data"]["instances_created"].as_u64(),
        Some(of("server").len() as u64)
    );
    assert_eq!(
        lab.statuses("site-a", "web-").await,
        ["web-1 ACTIVE", "web-2 ACTIVE", "web-3 ACTIVE"]
    );
}

#[tokio::test]
async fn a_refusal_with_json_is_a_json_error_and_exit_2() {
    let lab = lab().await;
    let out = lab
        .cli_exits(2, &["failback", "web-app", "--yes", "--json"])
        .await;
    let e = &out.json()["error"];
    assert_eq!(e["code"], "invalid_status", "{e}");
    assert_eq!(e["group_status"], "protected");
    assert_eq!(e["allowed_statuses"], json!(["failed_over"]));
    assert!(
        e["message"]
            .as_str()
            .is_some_and(|m| m.contains("needs failed_over")),
        "{e}"
    );
    let out = lab
        .cli_exits(
            2,
            &[
                "failover",
                "web-app",
                "--flavor-mapping",
                "m9=x",
                "--yes",
                "--json",
            ],
        )
        .await;
    let e = &out.json()["error"];
    assert_eq!(e["code"], "precondition_failed", "{e}");
    assert_eq!(
        e["allowed_statuses"],
        json!(["protected", "planned_failover_failed"])
    );
    let out = lab
        .cli(&[
            "failback",
            "web-app",
            "--reverse-replication=false",
            "--yes",
            "--json",
        ])
        .await;
    assert_eq!(out.json()["error"]["code"], "invalid_status");
    assert!(lab.server_names("site-b").await.is_empty(), "nothing ran");
}

#[tokio::test]
async fn the_groups_json_has_its_failover_count_and_peer_sync_state() {
    let lab = lab().await;
    let group = |v: Value| v["protection_groups"][0].clone();
    let g = group(lab.cli(&["status", "--json"]).await.json());
    assert_eq!(g["failover_count"], 0, "{g}");
    assert_eq!(g["peer_sync"]["site"], "site-b");
    assert_eq!(g["peer_sync"]["state"], "in_sync", "{g}");
    run(
        &lab,
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
    let g = group(lab.cli(&["status", "--json"]).await.json());
    assert_eq!(g["failover_count"], 1, "{g}");
    assert_eq!(g["peer_sync"]["site"], "site-a");
    assert_eq!(g["peer_sync"]["state"], "stopped", "{g}");
    lab.fault("site-a", site_down()).await;
    let g = group(lab.cli(&["status", "--json"]).await.json());
    assert_eq!(g["peer_sync"]["state"], "unreachable", "{g}");
}
