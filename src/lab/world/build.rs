//! A new world from a topology: identities, flavors, networks, volume types, arrays, and the
//! production site's protected servers with one replicated snapshot already arrived per group.

use super::ops::NewPort;
use super::*;
use crate::lab::clock::{self, Time};
use crate::lab::topology::{FLAVORS, TopoGroup, TopoSite, Topology};
use std::time::Duration;

pub fn build(topo: &Topology, speed: f64, now: Time) -> World {
    let mut sites: Vec<Site> = topo.sites.iter().map(|s| empty_site(s, topo)).collect();
    for s in sites.iter_mut() {
        add_networks(s, topo);
    }
    let (Some(prod), Some(dr)) = (topo.site("production"), topo.site("dr")) else {
        return World {
            format: FORMAT,
            keep_snapshots: topo.keep_snapshots,
            sites,
        };
    };
    let dr_array = dr.array.clone();
    if let Some(site) = sites.iter_mut().find(|s| s.name == prod.name) {
        for g in &topo.groups {
            add_group(site, g, &dr_array, now);
        }
    }
    let mut world = World {
        format: FORMAT,
        keep_snapshots: topo.keep_snapshots,
        sites,
    };
    seed_snapshots(&mut world, topo, speed, now);
    world
}

fn empty_site(s: &TopoSite, topo: &Topology) -> Site {
    let peers = topo
        .sites
        .iter()
        .filter(|o| o.name != s.name)
        .map(|o| o.array.clone())
        .collect();
    Site {
        name: s.name.clone(),
        role: s.role.clone(),
        port: 0,
        identity: new_identity(),
        tokens: Vec::new(),
        flavors: demo_flavors(),
        networks: Vec::new(),
        subnets: Vec::new(),
        ports: Vec::new(),
        servers: Vec::new(),
        volume_types: volume_types(),
        volumes: Vec::new(),
        floating_ips: Vec::new(),
        array: new_array(&s.array, peers),
        faults: Vec::new(),
        requests: BTreeMap::new(),
    }
}

/// The project, user and application credential the lab's clients log in with; fresh secrets.
fn new_identity() -> Identity {
    Identity {
        project_id: ids::hex(16),
        project_name: "dr-demo".into(),
        user_id: ids::hex(16),
        user_name: "operator".into(),
        password: ids::secret(24),
        app_cred_id: ids::hex(16),
        app_cred_name: "drconsole".into(),
        app_cred_secret: ids::secret(40),
        role_id: ids::hex(16),
    }
}

fn demo_flavors() -> Vec<Flavor> {
    FLAVORS
        .into_iter()
        .map(|(id, name, vcpus, ram, disk)| Flavor {
            id: id.into(),
            name: name.into(),
            vcpus,
            ram,
            disk,
        })
        .collect()
}

/// `replicated` (what drconsole can protect) and `standard` (what it cannot), both on the array.
fn volume_types() -> Vec<VolumeType> {
    let replicated = [
        ("replication_enabled", "<is> True"),
        ("replication_type", "<in> async"),
        ("volume_backend_name", "array"),
    ];
    vec![
        VolumeType {
            id: ids::uuid(),
            name: "replicated".into(),
            extra_specs: replicated
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
        },
        VolumeType {
            id: ids::uuid(),
            name: "standard".into(),
            extra_specs: [("volume_backend_name".to_string(), "array".to_string())].into(),
        },
    ]
}

fn new_array(name: &str, peers: Vec<String>) -> Array {
    Array {
        name: name.to_string(),
        api_token: ids::uuid(),
        sessions: Vec::new(),
        connections: peers,
        volumes: Vec::new(),
        groups: Vec::new(),
        snapshots: Vec::new(),
        next_suffix: 1,
    }
}

impl Site {
    pub fn add_network(&mut self, name: &str, cidr: &str) {
        let net_id = ids::uuid();
        let subnet = Subnet {
            id: ids::uuid(),
            name: format!("{name}-subnet"),
            network_id: net_id.clone(),
            cidr: cidr.to_string(),
        };
        self.networks.push(Network {
            id: net_id,
            name: name.to_string(),
            subnet_ids: vec![subnet.id.clone()],
            external: false,
        });
        self.subnets.push(subnet);
    }
}

fn add_networks(site: &mut Site, topo: &Topology) {
    for n in &topo.networks {
        site.add_network(&n.name, &n.cidr);
    }
    // The same public range at both sites: a failover can keep a floating IP's address.
    for e in &topo.external_networks {
        site.add_network(&e.name, &e.cidr);
        if let Some(net) = site.networks.last_mut() {
            net.external = true;
        }
    }
    if site.role == "dr" {
        for n in &topo.networks {
            site.add_network(&format!("{}-test", n.name), &n.test_cidr);
        }
    }
}

fn add_group(site: &mut Site, g: &TopoGroup, target: &str, now: Time) {
    let net_id = site
        .networks
        .iter()
        .find(|n| n.name == g.network)
        .map(|n| n.id.clone());
    let flavor_id = site
        .flavor(&g.flavor)
        .map_or_else(|| "2".to_string(), |f| f.id.clone());
    let mut members = Vec::new();
    for name in &g.servers {
        let volumes = add_server_volumes(site, name, g, now);
        members.extend(volumes.iter().map(|(vol_name, _)| vol_name.clone()));
        let volume_ids: Vec<String> = volumes.into_iter().map(|(_, id)| id).collect();
        let mut port_ids = Vec::new();
        if let Some(net) = &net_id {
            let new = NewPort {
                network_id: net.clone(),
                name: format!("{name}-{}", g.network),
                ip: None,
                mac: None,
                device_id: String::new(),
                device_owner: String::new(),
            };
            if let Ok(p) = site.add_port(new, now) {
                add_floating_ip(site, g, &p.id, now);
                port_ids.push(p.id);
            }
        }
        let server_id = ids::uuid();
        site.servers.push(active_server(
            &server_id,
            name,
            &flavor_id,
            &volume_ids,
            now,
        ));
        site.attach(&server_id, &volume_ids, &port_ids);
    }
    site.array.groups.push(ProtectionGroup {
        name: Topology::array_pg(&g.name),
        source: site.array.name.clone(),
        members,
        targets: vec![target.to_string()],
        last_scheduled: now,
    });
}

/// The server's floating IP, when its group has them.
fn add_floating_ip(site: &mut Site, g: &TopoGroup, port_id: &str, now: Time) {
    let Some(net) = &g.floating_ip_network else {
        return;
    };
    let Some(net_id) = site
        .networks
        .iter()
        .find(|n| &n.name == net)
        .map(|n| n.id.clone())
    else {
        return;
    };
    let new = NewFip {
        network_id: net_id,
        port_id: Some(port_id.to_string()),
        ..NewFip::default()
    };
    if let Err(e) = site.allocate_fip(new, now) {
        tracing::warn!("lab: no floating IP for port {port_id} on {net}: {e:?}");
    }
}

/// A member's boot volume and, if the group has them, its data volume: (name, id) each.
fn add_server_volumes(
    site: &mut Site,
    name: &str,
    g: &TopoGroup,
    now: Time,
) -> Vec<(String, String)> {
    let boot_name = format!("{name}-boot");
    let boot = site.add_volume(&boot_name, g.boot_volume_gb, "replicated", true, now);
    let mut out = vec![(boot.name, boot.id)];
    let gb = g.data_volume_gb.unwrap_or(0);
    for i in 1..=g.data_volume_count() {
        let data_name = match i {
            1 => format!("{name}-data"),
            i => format!("{name}-data-{i}"),
        };
        let data = site.add_volume(&data_name, gb, "replicated", false, now);
        out.push((data.name, data.id));
    }
    out
}

fn active_server(
    id: &str,
    name: &str,
    flavor_id: &str,
    volume_ids: &[String],
    now: Time,
) -> Server {
    Server {
        id: id.to_string(),
        name: name.to_string(),
        status: "ACTIVE".into(),
        flavor_id: flavor_id.to_string(),
        metadata: BTreeMap::new(),
        volumes: volume_ids
            .iter()
            .map(|id| AttachedVolume {
                id: id.clone(),
                delete_on_termination: false,
            })
            .collect(),
        created: now,
        updated: now,
        pending: None,
        fault: None,
    }
}

/// One snapshot per group that has already arrived, so RPO is defined from the start.
fn seed_snapshots(world: &mut World, topo: &Topology, speed: f64, now: Time) {
    let Some(src) = topo
        .site("production")
        .and_then(|s| world.site_index(&s.name))
    else {
        return;
    };
    let taken = now - clock::real(Duration::from_secs(10), speed);
    let groups: Vec<String> = world.sites[src]
        .array
        .groups
        .iter()
        .map(|g| g.name.clone())
        .collect();
    for g in groups {
        if let Some(snap) = world.sites[src].array.take_snapshot(&g, taken) {
            world.complete_transfers_now(src, &snap, taken);
        }
    }
}
