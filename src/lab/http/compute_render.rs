//! How Nova renders what the lab holds: server documents (addresses, flavor by microversion,
//! power and task states, fault) and flavors, with their self and bookmark links. Shared by the
//! read handlers and POST /servers.

use crate::lab::clock;
use crate::lab::world::{Flavor, Port, Server, Site};
use serde_json::{Map, Value, json};
use std::collections::HashMap;

pub(super) fn links(base: &str, kind: &str, id: &str) -> Value {
    json!([{"rel": "self", "href": format!("{base}/compute/v2.1/{kind}/{id}")},
        {"rel": "bookmark", "href": format!("{base}/compute/{kind}/{id}")}])
}

pub(super) fn vm_state(s: &Server) -> (&'static str, Option<&'static str>, u8) {
    let pending = s.pending.as_ref().map(|p| p.to.as_str());
    match (s.status.as_str(), pending) {
        ("BUILD", _) => ("building", Some("spawning"), 0),
        ("ACTIVE", Some("SHUTOFF")) => ("active", Some("powering-off"), 1),
        ("ACTIVE", _) => ("active", None, 1),
        ("SHUTOFF", Some("ACTIVE")) => ("stopped", Some("powering-on"), 4),
        ("SHUTOFF", _) => ("stopped", None, 4),
        _ => ("error", None, 0),
    }
}

/// Each server's ports: one pass over the ports for a whole list, not one a server.
pub(super) fn ports_by_server(site: &Site) -> HashMap<&str, Vec<&Port>> {
    let mut out: HashMap<&str, Vec<&Port>> = HashMap::new();
    for p in site.ports.iter().filter(|p| !p.device_id.is_empty()) {
        out.entry(p.device_id.as_str()).or_default().push(p);
    }
    out
}

pub(super) fn render(site: &Site, s: &Server, base: &str, mv: u32) -> Value {
    let ports: Vec<&Port> = site.ports.iter().filter(|p| p.device_id == s.id).collect();
    render_with(site, s, &ports, base, mv)
}

/// A server's document, given its ports.
pub(super) fn render_with(site: &Site, s: &Server, ports: &[&Port], base: &str, mv: u32) -> Value {
    let mut addresses: Map<String, Value> = Map::new();
    for p in ports {
        let net = site
            .network(&p.network_id)
            .map_or_else(|| p.network_id.clone(), |n| n.name.clone());
        let list = addresses
            .entry(net)
            .or_insert_with(|| Value::Array(Vec::new()));
        if let Value::Array(list) = list {
            for ip in &p.fixed_ips {
                list.push(json!({"addr": ip.ip_address, "version": 4,
                    "OS-EXT-IPS:type": "fixed", "OS-EXT-IPS-MAC:mac_addr": p.mac_address}));
            }
        }
    }
    let flavor = match site.flavor(&s.flavor_id) {
        Some(f) if mv >= 47 => json!({"original_name": f.name, "vcpus": f.vcpus, "ram": f.ram,
            "disk": f.disk, "ephemeral": 0, "swap": 0, "extra_specs": {}}),
        _ => json!({"id": s.flavor_id, "links": links(base, "flavors", &s.flavor_id)}),
    };
    let (vm, task, power) = vm_state(s);
    let volumes: Vec<Value> = s
        .volumes
        .iter()
        .map(|v| json!({"id": v.id, "delete_on_termination": v.delete_on_termination}))
        .collect();
    let mut out = json!({
        "id": s.id, "name": s.name, "status": s.status, "flavor": flavor,
        "addresses": addresses, "os-extended-volumes:volumes_attached": volumes,
        "metadata": s.metadata, "OS-EXT-STS:vm_state": vm, "OS-EXT-STS:task_state": task,
        "OS-EXT-STS:power_state": power, "OS-EXT-AZ:availability_zone": "nova",
        "created": clock::iso(s.created), "updated": clock::iso(s.updated),
        "tenant_id": site.identity.project_id, "user_id": site.identity.user_id,
        "image": "", "hostId": "", "key_name": null, "accessIPv4": "", "accessIPv6": "",
        "progress": 0, "config_drive": "", "locked": false, "description": null, "tags": [],
        "security_groups": [{"name": "default"}], "OS-DCF:diskConfig": "MANUAL",
        "links": links(base, "servers", &s.id),
    });
    if let Some(f) = &s.fault {
        out["fault"] = json!({"code": f.code, "message": f.message,
            "created": clock::iso(f.created)});
    }
    out
}

pub(super) fn render_flavor(f: &Flavor, base: &str) -> Value {
    json!({"id": f.id, "name": f.name, "vcpus": f.vcpus, "ram": f.ram, "disk": f.disk,
        "OS-FLV-EXT-DATA:ephemeral": 0, "swap": "", "rxtx_factor": 1.0,
        "os-flavor-access:is_public": true, "links": links(base, "flavors", &f.id)})
}
