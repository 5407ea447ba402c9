//! A real outage does not wait for a drill's cleanup (issue 11, Build 7): while a drill is
//! active a sync and an unplanned failover are accepted; the failover removes the drill's copies
//! before it makes anything at the target, so the recovered servers are its own (none of the
//! drill's is taken for one, none holds an address it needs), and the drill's record says which
//! failover superseded it.

mod common;

use common::{Lab, record, req, run, status_of};
use drconsole::domain::{GroupStatus, OperationStatus, OperationType as Op};

/// The group's servers at `site`: `(name, status, operation that made it)`, sorted.
async fn servers(lab: &Lab, site: &str) -> Vec<(String, String, String)> {
    let list = lab
        .client(site)
        .compute()
        .list_servers()
        .await
        .expect("servers");
    let mut out: Vec<(String, String, String)> = list
        .into_iter()
        .filter(|s| s.name.starts_with("web-"))
        .map(|s| {
            let made_by = s
                .metadata
                .get("drconsole:operation")
                .cloned()
                .unwrap_or_default();
            (s.name, s.status, made_by)
        })
        .collect();
    out.sort();
    out
}

/// Port names at `site` on a drill's test network.
async fn test_ports(lab: &Lab, site: &str) -> Vec<String> {
    let ports = lab
        .client(site)
        .network()
        .list_ports(&Default::default())
        .await
        .expect("ports");
    ports
        .into_iter()
        .map(|p| p.name)
        .filter(|n| n.contains("-test"))
        .collect()
}

#[tokio::test]
async fn an_unplanned_failover_during_a_drill_removes_the_drill_first_and_supersedes_it() {
    let lab = common::lab().await;
    let engine = lab.engine();
    let drill = run(&engine, req(Op::TestFailover, "web-app"))
        .await
        .expect("drill starts");
    assert_eq!(drill.status, OperationStatus::Completed, "{drill:?}");
    assert_eq!(status_of(&engine, "web-app").await, GroupStatus::TestActive);
    let copies = servers(&lab, "site-b").await;
    assert_eq!(copies.len(), 3, "the drill's copies: {copies:?}");
    assert!(copies.iter().all(|(_, _, by)| by == &drill.id));
    assert_eq!(test_ports(&lab, "site-b").await.len(), 3);

    // A sync is accepted while the drill runs, and leaves it active.
    let sync = run(&engine, req(Op::SyncNow, "web-app"))
        .await
        .expect("sync accepted");
    assert_eq!(sync.status, OperationStatus::Completed, "{sync:?}");
    assert_eq!(status_of(&engine, "web-app").await, GroupStatus::TestActive);

    // The outage: an unplanned failover, accepted during the drill.
    let failover = run(&engine, req(Op::Failover, "web-app"))
        .await
        .expect("failover accepted");
    assert_eq!(failover.status, OperationStatus::Completed, "{failover:?}");
    assert_eq!(
        failover.steps_completed.first().map(String::as_str),
        Some("validate_sites")
    );
    assert!(
        failover
            .steps_completed
            .iter()
            .any(|s| s == "cleanup_test_resources")
    );
    assert_eq!(status_of(&engine, "web-app").await, GroupStatus::FailedOver);

    // Counted at both sites: the target holds exactly the failover's servers, all running, and
    // nothing of the drill; the source's are stopped.
    let at_b = servers(&lab, "site-b").await;
    assert_eq!(at_b.len(), 3, "{at_b:?}");
    assert!(
        at_b.iter()
            .all(|(_, status, by)| status == "ACTIVE" && by == &failover.id),
        "only the failover's servers: {at_b:?}"
    );
    assert!(
        test_ports(&lab, "site-b").await.is_empty(),
        "no drill port left"
    );
    let at_a = servers(&lab, "site-a").await;
    assert_eq!(at_a.len(), 3);
    assert!(
        at_a.iter().all(|(_, status, _)| status == "SHUTOFF"),
        "{at_a:?}"
    );
    assert!(lab.active_at_both("web-").await.is_empty());

    // The drill's record says it was superseded, in the journal and in `ops show --json`.
    let drill = record(&lab, &drill.id).await;
    assert_eq!(
        drill.result_data.superseded_by.as_deref(),
        Some(failover.id.as_str())
    );
    let shown = lab.cli(&["ops", "show", &drill.id, "--json"]).await.json();
    assert_eq!(
        shown["operation"]["result_data"]["superseded_by"].as_str(),
        Some(failover.id.as_str()),
        "{shown}"
    );
    // Its cleanup is no longer possible: there is nothing of it to clean.
    let refused = engine.start(req(Op::TestCleanup, "web-app")).await;
    assert!(refused.is_err());
}
