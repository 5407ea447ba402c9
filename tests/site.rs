//! A site failover over the lab: every group that runs at site-a moved to site-b as one
//! operation, in priority order; a group whose target answers 5xx fails alone, the groups after
//! it never start, and nothing runs at both sites; a busy group refuses the whole move up front.

mod common;

use common::{Lab, lab};
use drconsole::domain::{GroupStatus, OperationStatus, OperationType};
use drconsole::orchestrator::engine::{Engine, GroupPhase, SiteRecord, SiteRequest};
use drconsole::store::LockHolder;
use serde_json::json;
use std::sync::Arc;
use std::time::Duration;

/// The demo's groups with priorities: web-app first, then db-cluster and batch together.
async fn prioritised() -> (Lab, Arc<Engine>) {
    let mut lab = lab().await;
    for g in lab.config.groups.iter_mut() {
        g.priority = if g.name == "web-app" { 1 } else { 2 };
    }
    let engine = lab.engine();
    (lab, engine)
}

fn from_a() -> SiteRequest {
    SiteRequest {
        from: "site-a".into(),
        unplanned: false,
        force: false,
    }
}

/// (servers of `group` at site-a, at site-b), and how many of those at site-a are ACTIVE.
async fn counts(lab: &Lab, group: &str) -> (usize, usize, usize) {
    let members = &lab
        .config
        .groups
        .iter()
        .find(|g| g.name == group)
        .expect("group")
        .members;
    let mut n = [0usize; 2];
    let mut active_a = 0;
    for (i, site) in ["site-a", "site-b"].iter().enumerate() {
        let servers = lab
            .client(site)
            .compute()
            .list_servers()
            .await
            .expect("servers");
        for s in servers.iter().filter(|s| members.contains(&s.name)) {
            n[i] += 1;
            if i == 0 && s.status == "ACTIVE" {
                active_a += 1;
            }
        }
    }
    (n[0], n[1], active_a)
}

fn row<'a>(record: &'a SiteRecord, group: &str) -> &'a drconsole::orchestrator::engine::SiteGroup {
    record
        .groups
        .iter()
        .find(|g| g.group == group)
        .expect("row")
}

#[tokio::test]
async fn every_group_moves_to_site_b_in_priority_order_as_one_operation() {
    let (lab, engine) = prioritised().await;
    let record = engine.site_failover(from_a()).await.expect("starts");
    assert_eq!(record.status, OperationStatus::Completed, "{record:#?}");
    assert_eq!(
        (record.from.as_str(), record.to.as_str()),
        ("site-a", "site-b")
    );
    let order: Vec<&str> = record.groups.iter().map(|g| g.group.as_str()).collect();
    assert_eq!(order[0], "web-app", "the lowest priority number first");
    for g in &lab.config.groups {
        let r = row(&record, &g.name);
        assert_eq!(r.phase, GroupPhase::Completed, "{r:?}");
        let (at_a, at_b, _) = counts(&lab, &g.name).await;
        assert_eq!(
            (at_a, at_b),
            (0, g.members.len()),
            "{} at site-a, site-b",
            g.name
        );
        let state = engine.group_state(&g.name).await.expect("state");
        assert_eq!(
            (state.status, state.current_primary.as_str()),
            (GroupStatus::Protected, "site-b")
        );
        assert!(
            engine
                .store()
                .get_lock(&g.name)
                .await
                .expect("lock")
                .is_none()
        );
    }
    // Priority 2 started only once web-app had completed.
    let op = |id: &str| {
        let store = engine.store().clone();
        let id = id.to_string();
        async move {
            store
                .get_operation(&id)
                .await
                .expect("j")
                .expect("op")
                .record
        }
    };
    let web = op(&row(&record, "web-app").operation_id).await;
    let db = op(&row(&record, "db-cluster").operation_id).await;
    assert!(web.completed_at.expect("done") <= db.started_at.expect("started"));
    // One record in the journal: the site failover's start, each phase, and its end.
    let audit = engine.store().audit(200).await.expect("audit");
    let ours: Vec<&str> = audit
        .iter()
        .filter(|a| a.operation_id.as_deref() == Some(record.id.as_str()))
        .map(|a| a.action.as_str())
        .collect();
    assert!(ours.contains(&"site_failover.start") && ours.contains(&"site_failover.end"));
    assert!(ours.iter().filter(|a| **a == "site_failover.phase").count() >= 6);
}

#[tokio::test]
async fn a_group_whose_target_fails_stops_the_move_and_nothing_runs_at_both_sites() {
    let (lab, engine) = prioritised().await;
    // Every server create at site-b answers 500: web-app (priority 1) cannot boot there.
    lab.fault(
        "site-b",
        json!({"kind": "error_rate", "service": "compute", "method": "POST", "rate": 1.0}),
    )
    .await;
    let record = engine.site_failover(from_a()).await.expect("starts");
    assert_eq!(record.status, OperationStatus::Failed);
    let web = row(&record, "web-app");
    assert_eq!(web.phase, GroupPhase::Failed, "{web:?}");
    assert_eq!(web.status, Some(OperationStatus::Failed));
    assert!(
        web.message.as_deref().unwrap_or("").contains("500"),
        "{web:?}"
    );
    for later in ["db-cluster", "batch"] {
        let r = row(&record, later);
        assert_eq!(r.phase, GroupPhase::NotStarted, "{r:?}");
        assert!(
            r.message.as_deref().unwrap_or("").contains("web-app"),
            "{r:?}"
        );
        assert!(
            engine
                .store()
                .get_lock(later)
                .await
                .expect("lock")
                .is_none()
        );
    }
    lab.clear_faults("site-b").await;
    // No group runs at both sites: web-app rolled back and runs at site-a again; the others
    // never left it.
    for g in &lab.config.groups {
        let (at_a, at_b, active_a) = counts(&lab, &g.name).await;
        assert_eq!(at_b, 0, "{} has servers at site-b", g.name);
        assert_eq!(
            (at_a, active_a),
            (g.members.len(), g.members.len()),
            "{}",
            g.name
        );
        let state = engine.group_state(&g.name).await.expect("state");
        assert_eq!(state.current_primary, "site-a");
    }
    assert_eq!(
        engine.group_state("web-app").await.expect("s").status,
        GroupStatus::PlannedFailoverFailed
    );
}

#[tokio::test]
async fn a_busy_group_refuses_the_site_failover_before_anything_starts() {
    let (_lab, engine) = prioritised().await;
    let holder = LockHolder {
        operation_id: "someone-else".into(),
        operation_type: OperationType::SyncNow,
        actor: drconsole::orchestrator::actor::local_actor(),
        console_id: "elsewhere:1:abc".into(),
    };
    engine
        .store()
        .acquire_lock("batch", &holder, Duration::from_secs(60))
        .await
        .expect("lock");
    let err = engine.site_failover(from_a()).await.expect_err("refused");
    let msg = err.to_string();
    assert!(msg.contains("batch") && msg.contains("busy"), "{msg}");
    for g in ["web-app", "db-cluster"] {
        assert!(engine.store().get_lock(g).await.expect("lock").is_none());
        assert_eq!(
            engine.group_state(g).await.expect("s").status,
            GroupStatus::Protected
        );
    }
    assert!(
        engine
            .store()
            .list_operations(10, None)
            .await
            .expect("ops")
            .is_empty()
    );
}
