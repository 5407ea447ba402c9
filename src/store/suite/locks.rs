//! Locks with leases, compare-and-set and migrations under contention: several consoles (separate
//! connections, threads racing) on one journal of each engine.

use super::{holder, journals, op};
use crate::domain::{GroupState, StoreConfig};
use crate::store::{LockOutcome, Store, StoreError};
use chrono::Utc;
use serde_json::json;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Barrier};
use std::thread;
use std::time::Duration;

const LONG: Duration = Duration::from_secs(60);

#[test]
fn locks_have_leases() {
    for j in journals() {
        let db = j.db();
        let a = holder("op-a", "console-a");
        let b = holder("op-b", "console-b");
        let LockOutcome::Acquired(lock) = db.acquire_lock("pg", &a, LONG).unwrap() else {
            panic!("a free lock is acquired");
        };
        assert_eq!(lock.holder, a);
        assert_eq!(
            db.get_lock("pg").unwrap(),
            Some(lock.clone()),
            "{}",
            j.engine
        );
        match db.acquire_lock("pg", &b, LONG).unwrap() {
            LockOutcome::Held(held) => assert_eq!(held.holder, a),
            other => panic!("expected held, got {other:?}"),
        }
        // Re-entrant for the same operation in the same console: extended, acquired_at kept.
        let again = db.acquire_lock("pg", &a, LONG).unwrap().acquired().unwrap();
        assert_eq!(again.acquired_at, lock.acquired_at);

        assert!(
            db.renew_lock("pg", "op-a", "console-a", Duration::ZERO)
                .unwrap()
        );
        assert!(db.get_lock("pg").unwrap().unwrap().is_expired(Utc::now()));
        match db.acquire_lock("pg", &b, LONG).unwrap() {
            LockOutcome::TakenOver { lock, from } => {
                assert_eq!(lock.holder, b);
                assert_eq!(from.holder, a);
            }
            other => panic!("an expired lease is taken over, got {other:?}"),
        }
        assert!(
            !db.renew_lock("pg", "op-a", "console-a", LONG).unwrap(),
            "no longer a's"
        );
        assert!(!db.release_lock("pg", "op-a", "console-a").unwrap());
        assert!(
            !db.release_lock("pg", "op-b", "console-x").unwrap(),
            "not x's to release"
        );
        assert!(db.renew_lock("pg", "op-b", "console-b", LONG).unwrap());
        assert_eq!(db.all_locks().unwrap().len(), 1);
        assert!(db.release_lock("pg", "op-b", "console-b").unwrap());
        assert_eq!(db.get_lock("pg").unwrap(), None);
        assert!(db.all_locks().unwrap().is_empty(), "{}", j.engine);
        assert!(matches!(
            db.acquire_lock("pg", &a, LONG).unwrap(),
            LockOutcome::Acquired(_)
        ));
    }
}

/// Two `ops resume` of one crashed operation: the second console is refused while the first
/// holds a live lease, takes over once it expires, and a dead console's lock is taken at once.
#[test]
fn the_same_operation_in_another_console_is_held_until_its_lease_expires() {
    for j in journals() {
        let db = j.db();
        let first = holder("op-1", "host-a:10:aaaaaa");
        let second = holder("op-1", "host-b:20:bbbbbb");
        assert!(
            db.acquire_lock("pg", &first, LONG)
                .unwrap()
                .acquired()
                .is_some()
        );
        match db.acquire_lock("pg", &second, LONG).unwrap() {
            LockOutcome::Held(l) => assert_eq!(l.holder.console_id, "host-a:10:aaaaaa"),
            other => panic!(
                "{}: the same operation in another live console: {other:?}",
                j.engine
            ),
        }
        // Another console knows the first is dead: it takes over at once, exactly once.
        let third = holder("op-1", "host-a:30:cccccc");
        match db
            .take_over_lock("pg", &second, LONG, "host-a:10:aaaaaa")
            .unwrap()
        {
            LockOutcome::TakenOver { from, .. } => assert_eq!(from.holder, first),
            other => panic!("{other:?}"),
        }
        assert!(matches!(
            db.take_over_lock("pg", &third, LONG, "host-a:10:aaaaaa")
                .unwrap(),
            LockOutcome::Held(_)
        ));
        assert!(
            db.renew_lock("pg", "op-1", "host-b:20:bbbbbb", Duration::ZERO)
                .unwrap()
        );
        assert!(matches!(
            db.acquire_lock("pg", &third, LONG).unwrap(),
            LockOutcome::TakenOver { .. }
        ));
    }
}

#[test]
fn the_owner_of_an_operation_is_its_live_lease_holder() {
    for j in journals() {
        let db = j.db();
        db.insert_operation(&op("op-a", "pg"), &json!(null), &json!(null))
            .unwrap();
        let owner = || db.get_operation("op-a").unwrap().unwrap().owner;
        assert_eq!(owner(), None);
        db.acquire_lock("pg", &holder("op-a", "console-a"), LONG)
            .unwrap();
        assert_eq!(owner().as_deref(), Some("console-a"), "{}", j.engine);
        assert_eq!(
            db.unfinished_operations().unwrap()[0].owner.as_deref(),
            Some("console-a")
        );
        db.renew_lock("pg", "op-a", "console-a", Duration::ZERO)
            .unwrap();
        assert_eq!(owner(), None, "an expired lease owns nothing");
    }
}

/// Two consoles (two connections), several threads each, all racing for one lock: never two
/// holders at once, and no store error under contention.
#[test]
fn consoles_racing_for_a_lock_never_both_hold_it() {
    const THREADS_PER_STORE: usize = 3;
    const ROUNDS: usize = 25;
    for j in journals() {
        let stores = [j.store.clone(), j.another()];
        let holders = Arc::new(AtomicUsize::new(0));
        let wins = Arc::new(AtomicUsize::new(0));
        let barrier = Arc::new(Barrier::new(2 * THREADS_PER_STORE));
        let mut threads = Vec::new();
        for (s, store) in stores.iter().enumerate() {
            for t in 0..THREADS_PER_STORE {
                let (store, holders, wins, barrier) = (
                    store.clone(),
                    holders.clone(),
                    wins.clone(),
                    barrier.clone(),
                );
                threads.push(thread::spawn(move || {
                    barrier.wait();
                    for round in 0..ROUNDS {
                        let me = holder(&format!("op-{s}-{t}-{round}"), &format!("console-{s}"));
                        let db = store.blocking();
                        match db.acquire_lock("pg", &me, LONG) {
                            Ok(LockOutcome::Acquired(_)) => {
                                assert_eq!(
                                    holders.fetch_add(1, Ordering::SeqCst),
                                    0,
                                    "two holders"
                                );
                                wins.fetch_add(1, Ordering::SeqCst);
                                // Hold it across a journal round trip: others must find it held.
                                db.get_lock("pg").expect("read");
                                holders.fetch_sub(1, Ordering::SeqCst);
                                assert!(
                                    db.release_lock("pg", &me.operation_id, &me.console_id)
                                        .unwrap()
                                );
                            }
                            Ok(LockOutcome::Held(_)) => thread::yield_now(),
                            Ok(other) => panic!("no lease expires here: {other:?}"),
                            Err(e) => panic!("store error under contention: {e}"),
                        }
                    }
                }));
            }
        }
        for t in threads {
            t.join().unwrap();
        }
        assert!(wins.load(Ordering::SeqCst) > 0, "{}", j.engine);
        assert_eq!(stores[0].blocking().get_lock("pg").unwrap(), None);
    }
}

#[test]
fn compare_and_set_from_two_consoles_loses_no_update() {
    const INCREMENTS: usize = 20;
    for j in journals() {
        let (a, b) = (j.store.clone(), j.another());
        a.blocking()
            .put_group_state(&GroupState::initial("pg", "site-a"), None)
            .unwrap();
        let bump = |store: Store| {
            thread::spawn(move || {
                let db = store.blocking();
                let mut done = 0;
                while done < INCREMENTS {
                    let mut st = db.group_state("pg").unwrap().unwrap();
                    let expected = st.metadata_version;
                    st.failover_count += 1;
                    match db.put_group_state(&st, Some(expected)) {
                        Ok(()) => done += 1,
                        Err(StoreError::Conflict { .. }) => {}
                        Err(e) => panic!("{e}"),
                    }
                }
            })
        };
        let (ta, tb) = (bump(a.clone()), bump(b));
        ta.join().unwrap();
        tb.join().unwrap();
        let st = a.blocking().group_state("pg").unwrap().unwrap();
        assert_eq!(st.failover_count as usize, 2 * INCREMENTS, "{}", j.engine);
        assert_eq!(st.metadata_version as usize, 1 + 2 * INCREMENTS);
    }
}

/// Consoles opening a brand-new journal at once: every one succeeds and the migrations run once.
#[test]
fn consoles_opening_a_new_journal_at_once_all_succeed() {
    let dir = tempfile::tempdir().unwrap();
    let mut configs = vec![StoreConfig::Sqlite(Some(dir.path().join("new.sqlite")))];
    let scratch = super::pg::ScratchDb::create();
    if let Some(db) = &scratch {
        configs.push(StoreConfig::Postgres(db.url()));
    }
    for config in configs {
        let barrier = Arc::new(Barrier::new(6));
        let threads: Vec<_> = (0..6)
            .map(|_| {
                let (config, barrier) = (config.clone(), barrier.clone());
                thread::spawn(move || {
                    barrier.wait();
                    Store::open(&config).map(|s| s.blocking().schema_status())
                })
            })
            .collect();
        for t in threads {
            let status = t.join().unwrap().unwrap().unwrap();
            assert_eq!(status.version, crate::store::migrations::LATEST);
            assert!(status.pending.is_empty());
        }
    }
}
