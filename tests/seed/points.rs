//! Recovery points: `points` lists every arrived snapshot with the data recovering from it loses;
//! `check` and the record agree with it; a failover to an older point recovers from that point
//! and records a data loss equal to the point's age.

use crate::common::{lab, wait_for};
use chrono::{DateTime, Utc};
use serde_json::Value;
use std::time::Duration;

/// Wait until at least `n` snapshots of `group` have arrived at site-b.
async fn arrived(lab: &crate::common::Lab, group: &str, n: usize) {
    let engine = lab.engine();
    wait_for("snapshots to arrive", Duration::from_secs(30), || {
        let engine = engine.clone();
        async move {
            let p = engine.recovery_points(group).await.ok()?;
            (p.points.len() >= n).then_some(())
        }
    })
    .await;
}

fn time(v: &Value) -> DateTime<Utc> {
    v.as_str()
        .and_then(|s| DateTime::parse_from_rfc3339(s).ok())
        .map(|t| t.with_timezone(&Utc))
        .unwrap_or_else(|| panic!("not a time: {v}"))
}

#[tokio::test]
async fn a_failover_to_an_older_point_recovers_it_and_records_its_age_as_data_loss() {
    let lab = lab().await;
    arrived(&lab, "web-app", 4).await;
    // Nothing more arrives (so nothing listed is trimmed away while the test reads it), and the
    // points age as they would in an outage.
    lab.fault("site-a", serde_json::json!({"kind": "replication_stalled"}))
        .await;
    let listed = lab.cli_exits(0, &["points", "web-app", "--json"]).await;
    let listed = listed.json();
    let points = listed["points"].as_array().expect("points");
    assert!(points[0]["latest"].as_bool().unwrap_or(false), "{listed}");
    let newest_loss = points[0]["data_loss_seconds"].as_i64().expect("loss");
    // Newest first, and each older one loses more.
    let created: Vec<DateTime<Utc>> = points.iter().map(|p| time(&p["created"])).collect();
    assert!(created.windows(2).all(|w| w[0] > w[1]), "{listed}");
    let older = &points[2];
    let name = older["name"].as_str().expect("name").to_string();
    let older_created = time(&older["created"]);
    assert!(older["data_loss_seconds"].as_i64() >= Some(newest_loss));

    // check shows the same list with the chosen point and one data-loss figure.
    let check = lab
        .cli_exits(
            0,
            &[
                "check",
                "failover",
                "web-app",
                "--recovery-point",
                &name,
                "--json",
            ],
        )
        .await;
    let check = check.json();
    assert_eq!(check["recovery_point"], Value::String(name.clone()));
    let listed_again = check["recovery_points"]["points"].as_array().expect("list");
    let chosen = listed_again
        .iter()
        .find(|p| p["name"] == Value::String(name.clone()))
        .expect("the chosen point is listed");
    assert_eq!(check["data_loss_seconds"], chosen["data_loss_seconds"]);
    let loss_check = check["checks"]
        .as_array()
        .expect("checks")
        .iter()
        .find(|c| c["label"] == "data loss")
        .expect("data loss check");
    let figure = drconsole::domain::human_seconds(chosen["data_loss_seconds"].as_i64().unwrap());
    assert!(
        loss_check["reason"]
            .as_str()
            .is_some_and(|r| r.contains(&format!("({figure} now"))
                && r.contains(&older_created.format("%H:%M:%S UTC").to_string())),
        "{loss_check}"
    );
    let text = lab
        .cli(&["check", "failover", "web-app", "--recovery-point", &name])
        .await;
    assert!(
        text.stdout.contains(&format!("▸  {name}")) && text.stdout.contains("✓ recovery point"),
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
                "--recovery-point",
                &name,
                "--yes",
                "--wait",
                "--json",
            ],
        )
        .await;
    let record = out.json()["operation"].clone();
    let point = &record["result_data"]["recovery_point"];
    assert_eq!(point["name"], Value::String(name.clone()), "{record}");
    assert_eq!(time(&point["created"]), older_created);
    let age = (time(&point["chosen_at"]) - older_created).num_seconds();
    assert_eq!(
        record["result_data"]["data_loss_seconds"].as_i64(),
        Some(age),
        "the recorded data loss is the point's age when it was chosen: {record}"
    );
    assert!(
        age > newest_loss,
        "older than the newest: {age} vs {newest_loss}"
    );

    // The volumes at site-b were made from that point, and nothing else moved.
    let b = lab.client("site-b");
    let copies: Vec<String> = b
        .array()
        .volumes(&[])
        .await
        .expect("array volumes")
        .into_iter()
        .filter(|v| v.name.starts_with("web-"))
        .filter_map(|v| v.source)
        .collect();
    assert_eq!(copies.len(), 3, "{copies:?}");
    assert!(
        copies.iter().all(|s| s.starts_with(&format!("{name}."))),
        "every volume from {name}: {copies:?}"
    );
    assert_eq!(
        lab.statuses("site-b", "web-").await,
        ["web-1 ACTIVE", "web-2 ACTIVE", "web-3 ACTIVE"]
    );
    assert_eq!(
        lab.statuses("site-a", "web-").await,
        ["web-1 SHUTOFF", "web-2 SHUTOFF", "web-3 SHUTOFF"]
    );
}

#[tokio::test]
async fn a_point_that_did_not_arrive_or_does_not_apply_is_refused_and_nothing_moves() {
    let lab = lab().await;
    arrived(&lab, "web-app", 1).await;
    let check = lab
        .cli_exits(
            2,
            &["check", "failover", "web-app", "--recovery-point", "nope"],
        )
        .await;
    assert!(
        check
            .stdout
            .contains("✗ recovery point: no arrived snapshot is named \"nope\""),
        "{}",
        check.all()
    );
    let out = lab
        .cli_exits(
            2,
            &[
                "failover",
                "web-app",
                "--unplanned",
                "--recovery-point",
                "nope",
                "--yes",
                "--wait",
            ],
        )
        .await;
    assert!(
        out.stderr.contains("drconsole points GROUP"),
        "{}",
        out.all()
    );

    // A planned move recovers from its final sync: the flag is refused, not ignored.
    lab.cli_exits(
        2,
        &["failover", "web-app", "--recovery-point", "latest", "--yes"],
    )
    .await;
    let failback = lab
        .cli_exits(
            2,
            &["check", "failback", "web-app", "--recovery-point", "latest"],
        )
        .await;
    assert!(
        failback
            .stderr
            .contains("--recovery-point does not apply to Failback"),
        "{}",
        failback.all()
    );
    assert!(lab.server_names("site-b").await.is_empty(), "nothing ran");
    assert_eq!(
        lab.statuses("site-a", "web-").await,
        ["web-1 ACTIVE", "web-2 ACTIVE", "web-3 ACTIVE"]
    );
}
