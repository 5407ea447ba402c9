//! The options as the seed has them: mappings by name or id on every operation that recreates
//! instances (an unknown key refused, naming the valid ones), accepted by `check`; a drill that
//! quiesces production; a failback that leaves replication stopped, said in the confirmation;
//! no flag accepted that does nothing.

use crate::common::{Lab, lab};
use std::collections::BTreeMap;

/// `name → id` of the networks at a site.
async fn network_ids(lab: &Lab, site: &str) -> BTreeMap<String, String> {
    let nets = lab
        .client(site)
        .network()
        .list_networks()
        .await
        .expect("networks");
    nets.into_iter().map(|n| (n.name, n.id)).collect()
}

async fn flavor_id(lab: &Lab, site: &str, name: &str) -> String {
    let flavors = lab
        .client(site)
        .compute()
        .list_flavors()
        .await
        .expect("flavors");
    flavors
        .into_iter()
        .find(|f| f.name == name)
        .expect("flavor")
        .id
}

/// `server network flavor` of the group's servers at a site, sorted.
async fn placed(lab: &Lab, site: &str, prefix: &str) -> Vec<String> {
    let c = lab.client(site);
    let nets: BTreeMap<String, String> = network_ids(lab, site)
        .await
        .into_iter()
        .map(|(name, id)| (id, name))
        .collect();
    let ports = c
        .network()
        .list_ports(&Default::default())
        .await
        .expect("ports");
    let mut out: Vec<String> = c
        .compute()
        .list_servers()
        .await
        .expect("servers")
        .into_iter()
        .filter(|s| s.name.starts_with(prefix))
        .map(|s| {
            let net = ports
                .iter()
                .find(|p| p.device_id == s.id)
                .and_then(|p| nets.get(&p.network_id).cloned())
                .unwrap_or_default();
            format!("{} {net} {}", s.name, s.flavor_name)
        })
        .collect();
    out.sort();
    out
}

#[tokio::test]
async fn mappings_by_id_land_where_they_say_and_an_unknown_key_names_the_valid_ones() {
    let lab = lab().await;
    let a_nets = network_ids(&lab, "site-a").await;
    let b_nets = network_ids(&lab, "site-b").await;
    let net = format!("{}={}", a_nets["net-web"], b_nets["net-web-test"]);
    let flavor = format!("m1.small={}", flavor_id(&lab, "site-b", "m1.medium").await);

    let unknown = lab
        .cli_exits(
            2,
            &[
                "check",
                "failover",
                "web-app",
                "--network-mapping",
                "net-nope=net-web",
            ],
        )
        .await;
    let expected = format!(
        "✗ mappings given: network mapping: unknown source network \"net-nope\": web-app's \
         servers at site-a use net-web (id {})",
        a_nets["net-web"]
    );
    assert!(unknown.stdout.contains(&expected), "{}", unknown.all());
    let refused = lab
        .cli_exits(
            2,
            &[
                "failover",
                "web-app",
                "--flavor-mapping",
                "m9.huge=m1.large",
                "--yes",
                "--wait",
            ],
        )
        .await;
    assert!(
        refused.stderr.contains("unknown source flavor \"m9.huge\"")
            && refused.stderr.contains("use m1.small"),
        "{}",
        refused.all()
    );
    assert!(lab.server_names("site-b").await.is_empty(), "nothing ran");

    let check = lab
        .cli_exits(
            0,
            &[
                "check",
                "planned-failover",
                "web-app",
                "--network-mapping",
                &net,
                "--flavor-mapping",
                &flavor,
            ],
        )
        .await;
    assert!(
        check.stdout.contains(
            "✓ mappings given: network net-web → net-web-test; flavor m1.small → m1.medium"
        ),
        "{}",
        check.all()
    );
    lab.cli_exits(
        0,
        &[
            "failover",
            "web-app",
            "--network-mapping",
            &net,
            "--flavor-mapping",
            &flavor,
            "--yes",
            "--wait",
        ],
    )
    .await;
    assert_eq!(
        placed(&lab, "site-b", "web-").await,
        [
            "web-1 net-web-test m1.medium",
            "web-2 net-web-test m1.medium",
            "web-3 net-web-test m1.medium"
        ]
    );
    assert!(
        placed(&lab, "site-a", "web-").await.is_empty(),
        "retired at site-a"
    );
}

#[tokio::test]
async fn a_failback_with_a_flavor_mapping_and_no_reverse_replication_leaves_it_stopped() {
    let lab = lab().await;
    lab.cli_exits(
        0,
        &["failover", "web-app", "--unplanned", "--yes", "--wait"],
    )
    .await;
    // Only failback takes --reverse-replication; check says so for the others.
    let wrong = lab
        .cli_exits(
            2,
            &[
                "check",
                "reprotect",
                "web-app",
                "--reverse-replication=false",
            ],
        )
        .await;
    assert!(
        wrong
            .stderr
            .contains("--reverse-replication=false does not apply to Reprotect"),
        "{}",
        wrong.all()
    );
    lab.cli_exits(
        0,
        &[
            "check",
            "failback",
            "web-app",
            "--flavor-mapping",
            "m1.small=m1.medium",
            "--reverse-replication=false",
        ],
    )
    .await;
    lab.cli_exits(
        0,
        &[
            "failback",
            "web-app",
            "--flavor-mapping",
            "m1.small=m1.medium",
            "--reverse-replication=false",
            "--yes",
            "--wait",
        ],
    )
    .await;
    assert_eq!(
        placed(&lab, "site-a", "web-").await,
        [
            "web-1 net-web m1.medium",
            "web-2 net-web m1.medium",
            "web-3 net-web m1.medium"
        ]
    );
    assert!(placed(&lab, "site-b", "web-").await.is_empty());
    // Nothing replicates either way, and the group says it needs a sync.
    for site in ["site-a", "site-b"] {
        let targets = lab
            .client(site)
            .array()
            .pg_targets("web-app-pg")
            .await
            .unwrap_or_default();
        assert!(targets.is_empty(), "{site} replicates: {targets:?}");
    }
    let status = lab.cli(&["status", "--json"]).await.json();
    let g = &status["protection_groups"][0];
    assert_eq!(g["needs_resync"], true, "{g}");
    assert_eq!(g["direction"], "site-a ⇸ site-b", "{g}");
    lab.cli_exits(0, &["sync", "web-app", "--wait"]).await;
    let targets = lab
        .client("site-a")
        .array()
        .pg_targets("web-app-pg")
        .await
        .expect("targets");
    assert!(targets.iter().any(|t| t.target == "array-b"), "{targets:?}");
}

#[tokio::test]
async fn a_drill_that_does_not_retain_the_primary_quiesces_it_until_its_cleanup() {
    let lab = lab().await;
    let forced = lab.cli(&["check", "failover", "batch", "--force"]).await;
    assert_eq!(
        forced.code,
        Some(0),
        "check takes --force: {}",
        forced.all()
    );
    lab.cli_exits(
        0,
        &[
            "test-failover",
            "web-app",
            "--retain-primary=false",
            "--flavor-mapping",
            "m1.small=m1.medium",
            "--yes",
            "--wait",
        ],
    )
    .await;
    assert_eq!(
        lab.statuses("site-a", "web-").await,
        ["web-1 SHUTOFF", "web-2 SHUTOFF", "web-3 SHUTOFF"],
        "production quiesced during the drill"
    );
    assert_eq!(
        placed(&lab, "site-b", "web-").await,
        [
            "web-1 net-web-test m1.medium",
            "web-2 net-web-test m1.medium",
            "web-3 net-web-test m1.medium"
        ]
    );
    lab.cli_exits(0, &["test-cleanup", "web-app", "--yes", "--wait"])
        .await;
    assert_eq!(
        lab.statuses("site-a", "web-").await,
        ["web-1 ACTIVE", "web-2 ACTIVE", "web-3 ACTIVE"],
        "production runs again after the cleanup"
    );
    assert!(lab.server_names("site-b").await.is_empty());
}
