//! What the chaos test expects at each site, and what it finds there: every group's servers, ports
//! and volumes where its journaled state says they belong (its primary; a drill's copies on the
//! test networks; the fenced old copies after an unplanned failover), array volumes as they were
//! after the last operation that ended well, and nothing else.

use super::common::Lab;
use drconsole::domain::{GroupState, GroupStatus, Resource, ResourceKind as K};
use std::collections::{BTreeMap, BTreeSet};

/// One resource by where it is, what it is and its name.
pub type Key = (String, K, String);

pub fn key_of(r: &Resource) -> Key {
    (r.site.clone(), r.kind, r.name.clone())
}

/// A group's servers, ports and volumes by name, as its primary holds them.
#[derive(Debug, Clone)]
pub struct Signature {
    pub group: String,
    pub servers: Vec<String>,
    pub ports: Vec<String>,
    pub volumes: Vec<String>,
}

impl Signature {
    fn at(&self, site: &str, test_ports: bool) -> BTreeSet<Key> {
        let k = |kind, name: &String| (site.to_string(), kind, name.clone());
        let mut out: BTreeSet<Key> = self.servers.iter().map(|s| k(K::Server, s)).collect();
        out.extend(self.volumes.iter().map(|v| k(K::Volume, v)));
        out.extend(self.ports.iter().map(|p| {
            let name = if test_ports {
                format!("{p}-test")
            } else {
                p.clone()
            };
            k(K::Port, &name)
        }));
        out
    }
}

/// What a site shows now.
#[derive(Debug, Clone)]
pub struct SiteView {
    pub site: String,
    /// Servers, ports and Cinder volumes, duplicates kept.
    pub items: Vec<Key>,
    pub array_volumes: BTreeSet<String>,
    /// Servers ACTIVE on a production network (not a drill's test network).
    pub active_production: BTreeSet<String>,
    pub server_status: BTreeMap<String, String>,
}

pub async fn view(lab: &Lab, site: &str) -> SiteView {
    let c = lab.client(site);
    let (compute, network, volume, array) = (c.compute(), c.network(), c.volume(), c.array());
    let all_ports = Default::default();
    let (servers, ports, volumes, arrays) = tokio::join!(
        compute.list_servers(),
        network.list_ports(&all_ports),
        volume.list_volumes(),
        array.volumes(&[])
    );
    let (servers, ports) = (servers.expect("servers"), ports.expect("ports"));
    let (volumes, arrays) = (volumes.expect("volumes"), arrays.expect("array volumes"));
    let key = |kind, name: &str| (site.to_string(), kind, name.to_string());
    let mut items: Vec<Key> = servers.iter().map(|s| key(K::Server, &s.name)).collect();
    items.extend(ports.iter().map(|p| key(K::Port, &p.name)));
    items.extend(volumes.iter().map(|v| key(K::Volume, &v.name)));
    items.sort();
    let production = |s: &drconsole::providers::compute::Server| {
        s.addresses.iter().any(|a| !a.network.ends_with("-test"))
    };
    SiteView {
        site: site.to_string(),
        items,
        array_volumes: arrays
            .into_iter()
            .filter(|v| !v.destroyed)
            .map(|v| v.name)
            .collect(),
        active_production: servers
            .iter()
            .filter(|s| s.status == "ACTIVE" && production(s))
            .map(|s| s.name.clone())
            .collect(),
        server_status: servers
            .iter()
            .map(|s| (s.name.clone(), s.status.clone()))
            .collect(),
    }
}

/// Each group's signature, read from where every group starts: its configured primary.
pub async fn signatures(lab: &Lab) -> Vec<Signature> {
    let mut views = BTreeMap::new();
    let mut out = Vec::new();
    for g in &lab.config.groups {
        if !views.contains_key(&g.primary_site) {
            views.insert(g.primary_site.clone(), view(lab, &g.primary_site).await);
        }
        let v = &views[&g.primary_site];
        let named = |kind| -> Vec<String> {
            v.items
                .iter()
                .filter(|(_, k, n)| {
                    *k == kind && g.members.iter().any(|m| n.starts_with(&format!("{m}-")))
                })
                .map(|(_, _, n)| n.clone())
                .collect()
        };
        out.push(Signature {
            group: g.name.clone(),
            servers: g.members.clone(),
            ports: named(K::Port),
            volumes: named(K::Volume),
        });
    }
    out
}

/// What must be at a site, and what may be.
#[derive(Debug, Default)]
pub struct Expected {
    pub required: BTreeSet<Key>,
    pub optional: BTreeSet<Key>,
}

/// Where every group's resources belong by its journaled state: its members at its primary; a
/// drill's copies at the other side; after an unplanned failover, the fenced old copies may
/// still stand at the side it left.
pub fn expected(sigs: &[Signature], states: &BTreeMap<String, GroupState>) -> Expected {
    let mut e = Expected::default();
    for sig in sigs {
        let st = &states[&sig.group];
        let other = if st.current_primary == "site-a" {
            "site-b"
        } else {
            "site-a"
        };
        e.required.extend(sig.at(&st.current_primary, false));
        match st.status {
            GroupStatus::TestActive => e.required.extend(sig.at(other, true)),
            GroupStatus::FailedOver => e.optional.extend(sig.at(other, false)),
            _ => {}
        }
    }
    e
}

/// Duplicate names at a site (a create that happened twice).
pub fn duplicates(v: &SiteView) -> Vec<Key> {
    let mut seen = BTreeSet::new();
    v.items
        .iter()
        .filter(|k| !seen.insert((*k).clone()))
        .cloned()
        .collect()
}

/// Resources at the sites beyond what is expected (array volumes: beyond `arrays`, what the
/// sites held after the last operation that ended well), and expected ones that are missing.
pub fn compare(
    views: &[SiteView],
    e: &Expected,
    arrays: &BTreeMap<String, BTreeSet<String>>,
) -> (Vec<Key>, Vec<Key>) {
    let mut extra = Vec::new();
    let mut present = BTreeSet::new();
    for v in views {
        for k in &v.items {
            let first = present.insert(k.clone());
            if !first || !(e.required.contains(k) || e.optional.contains(k)) {
                extra.push(k.clone());
            }
        }
        let known = arrays.get(&v.site).cloned().unwrap_or_default();
        extra.extend(
            v.array_volumes
                .difference(&known)
                .map(|n| (v.site.clone(), K::ArrayVolume, n.clone())),
        );
    }
    let missing = e.required.difference(&present).cloned().collect();
    (extra, missing)
}

/// Every site's array volumes now: what the next operation starts from.
pub fn arrays_of(views: &[SiteView]) -> BTreeMap<String, BTreeSet<String>> {
    views
        .iter()
        .map(|v| (v.site.clone(), v.array_volumes.clone()))
        .collect()
}

/// Array volumes made since `arrays` whose names come from no member volume of any group.
pub fn new_array_volumes(
    views: &[SiteView],
    arrays: &BTreeMap<String, BTreeSet<String>>,
    sigs: &[Signature],
) -> Vec<Key> {
    let of_a_member = |n: &String| {
        sigs.iter()
            .flat_map(|s| &s.volumes)
            .any(|v| n.starts_with(&format!("{v}-")))
    };
    views
        .iter()
        .flat_map(|v| {
            let known = arrays.get(&v.site).cloned().unwrap_or_default();
            v.array_volumes
                .iter()
                .filter(|n| !known.contains(*n) && !of_a_member(n))
                .map(|n| (v.site.clone(), K::ArrayVolume, n.clone()))
                .collect::<Vec<_>>()
        })
        .collect()
}
