//! The operator's network and flavor mappings resolved against what the sites list: keys and
//! values by name or by id, each key something the group's servers use at the source. The lists
//! are asked for only when the operator gave a mapping, and only at the sites that answer.

use super::super::{Engine, OperationRequest};
use super::Sites;
use crate::domain::{Facts, InstanceInfo, MappingKind, MappingScope, Named};
use crate::providers::compute::Flavor;
use crate::providers::network::Network;
use crate::providers::{ProviderError, SiteClient};
use std::collections::{BTreeMap, BTreeSet};

/// The request's mappings as names (source name → target name), the unknown keys dropped.
#[derive(Debug, Clone, Default)]
pub(crate) struct Resolved {
    pub network: BTreeMap<String, String>,
    pub flavor: BTreeMap<String, String>,
}

/// `list` as id/name pairs when it answered (a site that did not answer resolves names only).
fn named<T>(list: Option<Result<Vec<T>, ProviderError>>, f: fn(T) -> Named) -> Option<Vec<Named>> {
    Some(list?.ok()?.into_iter().map(f).collect())
}

/// What the group uses at the source: its ports' networks and its servers' flavors, by name.
fn used(inventory: &[InstanceInfo]) -> (Vec<String>, Vec<String>) {
    // A floating IP's external network may be mapped too.
    let networks: BTreeSet<String> = inventory
        .iter()
        .flat_map(|i| i.ports.iter())
        .flat_map(|p| [Some(&p.network), p.floating_ip.as_ref().map(|f| &f.network)])
        .flatten()
        .cloned()
        .collect();
    let flavors: BTreeSet<String> = inventory.iter().map(|i| i.flavor.clone()).collect();
    (
        networks.into_iter().collect(),
        flavors.into_iter().collect(),
    )
}

/// What each site lists of networks and flavors, for the kinds the operator mapped.
struct Lists {
    src_networks: Option<Vec<Named>>,
    dst_networks: Option<Vec<Named>>,
    src_flavors: Option<Vec<Named>>,
    dst_flavors: Option<Vec<Named>>,
}

fn network(n: Network) -> Named {
    Named {
        id: n.id,
        name: n.name,
    }
}

fn flavor(f: Flavor) -> Named {
    Named {
        id: f.id,
        name: f.name,
    }
}

/// One site's networks and flavors, each when asked for.
type SiteLists = (Option<Vec<Named>>, Option<Vec<Named>>);

/// Ask `client` (when `ask`) for its networks and flavors (each only when `wanted`).
async fn lists_of(client: &SiteClient, ask: bool, (nets, flavors): (bool, bool)) -> SiteLists {
    let (net, compute) = (client.network(), client.compute());
    let n = async { (ask && nets).then_some(net.list_networks().await) };
    let f = async { (ask && flavors).then_some(compute.list_flavors().await) };
    let (n, f) = tokio::join!(n, f);
    (named(n, network), named(f, flavor))
}

impl Engine {
    pub(super) async fn resolve_mappings(
        &self,
        req: &OperationRequest,
        inventory: &[InstanceInfo],
        sites: Sites<'_>,
        facts: &mut Facts,
    ) -> Resolved {
        let (nets, flavors) = (&req.network_mapping, &req.flavor_mapping);
        if nets.is_empty() && flavors.is_empty() {
            return Resolved::default();
        }
        let wanted = (!nets.is_empty(), !flavors.is_empty());
        let ((sn, sf), (dn, df)) = tokio::join!(
            lists_of(sites.src, facts.source_error.is_none(), wanted),
            lists_of(sites.dst, facts.target_error.is_none(), wanted),
        );
        let lists = Lists {
            src_networks: sn,
            dst_networks: dn,
            src_flavors: sf,
            dst_flavors: df,
        };
        let out = resolve(req, inventory, &lists, facts);
        facts.mappings_given = describe(&out);
        out
    }
}

/// Resolve both mappings; unknown keys become the checklist's problems.
fn resolve(
    req: &OperationRequest,
    inventory: &[InstanceInfo],
    lists: &Lists,
    facts: &mut Facts,
) -> Resolved {
    let (used_nets, used_flavors) = used(inventory);
    let network = MappingScope {
        kind: MappingKind::Network,
        group: &facts.group,
        source_site: &facts.source,
        used: &used_nets,
        source: lists.src_networks.as_deref(),
        target: lists.dst_networks.as_deref(),
    }
    .resolve(&req.network_mapping);
    let flavor = MappingScope {
        kind: MappingKind::Flavor,
        group: &facts.group,
        source_site: &facts.source,
        used: &used_flavors,
        source: lists.src_flavors.as_deref(),
        target: lists.dst_flavors.as_deref(),
    }
    .resolve(&req.flavor_mapping);
    let mut out = Resolved::default();
    for (result, into) in [(network, &mut out.network), (flavor, &mut out.flavor)] {
        match result {
            Ok(map) => *into = map,
            Err(problems) => facts.mapping_problems.extend(problems.0),
        }
    }
    out
}

/// `network net-web → net-web-dr`, one per mapping, for the checklist.
fn describe(r: &Resolved) -> Vec<String> {
    let kinds = [("network", &r.network), ("flavor", &r.flavor)];
    kinds
        .iter()
        .flat_map(|(kind, map)| map.iter().map(move |(a, b)| format!("{kind} {a} → {b}")))
        .collect()
}
