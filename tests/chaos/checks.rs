//! The chaos test's counts at both sites after every run, what a failed rollback lists, and the
//! operator's `ops cleanup`.

use super::{Chaos, PATIENCE, common, model};
use drconsole::domain::{GroupState, OperationRecord};
use model::SiteView;
use std::collections::{BTreeMap, BTreeSet};
use std::time::{Duration, Instant};

/// The checks at both sites.
impl Chaos {
    pub(super) async fn views(&self) -> Vec<SiteView> {
        let (a, b) = tokio::join!(
            model::view(&self.lab, "site-a"),
            model::view(&self.lab, "site-b")
        );
        vec![a, b]
    }

    /// What must always hold: no duplicate name at a site, no production copy ACTIVE at both.
    pub(super) fn basic(&self, what: &str, views: &[SiteView]) {
        for v in views {
            let dup = model::duplicates(v);
            assert!(dup.is_empty(), "{what}: duplicates at {}: {dup:?}", v.site);
        }
        let both: Vec<&String> = views[0]
            .active_production
            .intersection(&views[1].active_production)
            .collect();
        assert!(both.is_empty(), "{what}: ACTIVE at both sites: {both:?}");
    }

    /// Everything is where the journal says and nothing else is; production runs. Polled for a
    /// while: a restart a rollback asked for may still be under way.
    pub(super) async fn check(&self, what: &str) {
        let deadline = Instant::now() + PATIENCE;
        let mut poll = tokio::time::interval(Duration::from_millis(200));
        loop {
            poll.tick().await;
            let views = self.views().await;
            self.basic(what, &views);
            let states = self.states().await;
            let e = model::expected(&self.sigs, &states);
            let (extra, missing) = model::compare(&views, &e, &self.arrays);
            let stopped = self.production_not_active(&views, &states);
            if extra.is_empty() && missing.is_empty() && stopped.is_empty() {
                return;
            }
            assert!(
                Instant::now() < deadline,
                "{what}: beyond what the journal says {extra:?}; missing {missing:?}; \
                 production not ACTIVE {stopped:?}; group states {states:?}"
            );
        }
    }

    async fn states(&self) -> BTreeMap<String, GroupState> {
        let mut out = BTreeMap::new();
        for g in &self.lab.config.groups {
            let st = self.engine.group_state(&g.name).await.expect("state");
            out.insert(g.name.clone(), st);
        }
        out
    }

    /// Members not ACTIVE at their group's primary.
    fn production_not_active(
        &self,
        views: &[SiteView],
        states: &BTreeMap<String, GroupState>,
    ) -> Vec<String> {
        let mut out = Vec::new();
        for sig in &self.sigs {
            let primary = &states[&sig.group].current_primary;
            let v = views.iter().find(|v| &v.site == primary).expect("site");
            for m in &sig.servers {
                let status = v.server_status.get(m).map_or("absent", String::as_str);
                if status != "ACTIVE" {
                    out.push(format!("{m} {status} at {primary}"));
                }
            }
        }
        out
    }
}

/// Failed rollbacks: what they list, and `ops cleanup`.
impl Chaos {
    /// Every resource beyond what the journal says should stand is listed as left behind.
    pub(super) async fn leftovers_listed(&mut self, what: &str, rec: &OperationRecord) {
        let views = self.views().await;
        self.basic(what, &views);
        let e = model::expected(&self.sigs, &self.states().await);
        let (extra, _) = model::compare(&views, &e, &self.arrays);
        let listed: BTreeSet<model::Key> = rec
            .result_data
            .leftovers
            .iter()
            .map(model::key_of)
            .collect();
        let unlisted: Vec<&model::Key> = extra.iter().filter(|k| !listed.contains(*k)).collect();
        assert!(
            unlisted.is_empty(),
            "{what}: not listed as left behind: {unlisted:?} (listed: {listed:?})"
        );
        let state = self
            .engine
            .group_state(&rec.protection_group)
            .await
            .expect("state");
        let attention = state
            .attention
            .expect("a rollback_failed group needs attention");
        assert_eq!(attention.leftovers, rec.result_data.leftovers, "{what}");
        self.tally.leftovers += listed.len();
        println!(
            "  left behind ({} listed, {} found beyond the expected): {}",
            listed.len(),
            extra.len(),
            attention.summary()
        );
    }

    /// `ops cleanup ID` until nothing remains (it is idempotent).
    pub(super) async fn cleanup(&mut self, rec: &OperationRecord) {
        for _ in 0..3 {
            self.tally.cleanups += 1;
            let report = self.engine.cleanup(&rec.id).await.expect("ops cleanup");
            println!(
                "  ops cleanup: {} removed, {} steps undone, {} remaining {:?}",
                report.removed.len(),
                report.undone_steps.len(),
                report.remaining.len(),
                report.failures
            );
            if report.remaining.is_empty() && report.failures.is_empty() {
                let state = self.engine.group_state(&rec.protection_group).await;
                assert_eq!(state.expect("state").attention, None, "cleared");
                return;
            }
        }
        panic!("ops cleanup {} leaves resources behind", rec.id);
    }

    /// End every fault injected (the operator's next step meets sites that answer), and wait
    /// for both sites to answer.
    pub(super) async fn quiet(&self) {
        for site in ["site-a", "site-b"] {
            self.lab.clear_faults(site).await;
            let client = self.lab.client(site);
            common::wait_for("the site to answer", PATIENCE, || async {
                client.probe().await.reachable.then_some(())
            })
            .await;
        }
    }
}
