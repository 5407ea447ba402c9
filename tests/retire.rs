//! Retiring the old copies (after the point of no return of a move) survives being cut short:
//! found by the chaos test (seed 3), where a planned failover's retire lost track of volumes whose
//! servers it had already deleted, and completed leaving them managed at the old side. Counted at
//! both sites over the lab's HTTP.

mod common;

use common::{lab, record, req};
use drconsole::domain::{AttentionKind, OperationStatus, OperationType as Op};
use drconsole::orchestrator::EventKind;
use serde_json::json;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_retire_cut_short_after_deleting_the_servers_unmanages_their_volumes_when_retried() {
    let lab = lab().await;
    let engine = lab.engine();
    let mut events = engine.events().subscribe();
    let started = engine
        .start(req(Op::PlannedFailover, "db-cluster"))
        .await
        .expect("starts");
    let mut retired = 0;
    while retired < 2 {
        let ev = events.recv().await.expect("event");
        match &ev.kind {
            // Slow ports at site-a: the retire's next calls wait while the fault below goes in.
            EventKind::StepStarted { step, .. } if step == "retire_source_instances" => {
                let slow = json!({"kind": "latency", "service": "network", "latency_ms": 1500});
                lab.fault("site-a", slow).await;
            }
            EventKind::Log { line } if line.starts_with("retired db-") => retired += 1,
            _ => {}
        }
    }
    // Both servers are gone; from now on site-a's Cinder refuses every change.
    let refuse = json!({"kind": "error_rate", "service": "volume", "method": "POST", "rate": 1.0});
    lab.fault("site-a", refuse).await;
    engine.wait_local(&started.id).await;
    lab.clear_faults("site-a").await;
    let rec = record(&lab, &started.id).await;
    // Its tries of the retire all met the refusal: past the point of no return, only its retry
    // goes on, and it must still know the volumes of the servers it deleted.
    assert_eq!(
        rec.status,
        OperationStatus::Failed,
        "{:?}",
        rec.error_message
    );
    let state = engine.group_state("db-cluster").await.expect("state");
    assert_eq!(
        state.attention.map(|a| a.kind),
        Some(AttentionKind::PastPointOfNoReturn)
    );
    engine.retry(&rec.id, true).await.expect("retry");
    engine.wait_local(&rec.id).await;
    let done = record(&lab, &rec.id).await;
    assert_eq!(
        done.status,
        OperationStatus::Completed,
        "{:?}",
        done.error_message
    );
    let a = lab.names("site-a").await;
    let of_db = |list: &[String]| -> Vec<String> {
        list.iter()
            .filter(|n| n.starts_with("db-"))
            .cloned()
            .collect()
    };
    assert_eq!(
        (of_db(&a.servers), of_db(&a.ports), of_db(&a.volumes)),
        (vec![], vec![], vec![]),
        "nothing of db-cluster stays at the side it left"
    );
    let b = lab.names("site-b").await;
    assert_eq!(of_db(&b.volumes).len(), 4, "{:?}", b.volumes);
    assert_eq!(of_db(&b.servers), ["db-1", "db-2"]);
}
