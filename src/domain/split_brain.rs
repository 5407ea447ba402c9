//! Split-brain, detected and never stored: a protected instance ACTIVE at both sites, or one of
//! its addresses held by a live port at both. Pure: discovery gathers what each site shows, this
//! decides. The one way out is `drconsole fence GROUP`, which stops the side that is not primary.

use serde::{Deserialize, Serialize};
use std::collections::{BTreeSet, HashMap};

/// One protected instance whose copies collide across the sites.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SplitBrainFinding {
    /// The member's name.
    pub instance: String,
    /// The sites where a server of that name is ACTIVE (both, when that is the collision).
    pub active_at: Vec<String>,
    /// The member's addresses that a live (ACTIVE) port holds at both sites.
    pub shared_ips: Vec<String>,
}

impl SplitBrainFinding {
    /// `web-1 is ACTIVE at site-a and site-b; 10.0.1.10 is live at both`.
    pub fn describe(&self) -> String {
        let mut parts = Vec::new();
        if self.active_at.len() > 1 {
            parts.push(format!(
                "{} is ACTIVE at {}",
                self.instance,
                self.active_at.join(" and ")
            ));
        }
        if !self.shared_ips.is_empty() {
            let verb = if self.shared_ips.len() == 1 {
                "is"
            } else {
                "are"
            };
            parts.push(format!(
                "{} of {} {verb} held by a live port at both sites",
                self.shared_ips.join(", "),
                self.instance
            ));
        }
        parts.join("; ")
    }
}

/// A server as one site shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SeenServer {
    pub id: String,
    pub name: String,
    pub status: String,
    /// Made by a drill (test failover): isolated on the test networks, not a production copy.
    pub drill: bool,
}

/// A port as one site shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SeenPort {
    pub ips: Vec<String>,
    pub device_id: String,
    /// Bound to a running server (Neutron status ACTIVE).
    pub active: bool,
}

/// What one site shows of servers and ports.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct SiteLook {
    pub site: String,
    pub servers: Vec<SeenServer>,
    pub ports: Vec<SeenPort>,
}

impl SiteLook {
    fn live_ips(&self) -> BTreeSet<&str> {
        self.ports
            .iter()
            .filter(|p| p.active)
            .flat_map(|p| p.ips.iter().map(String::as_str))
            .collect()
    }
}

/// A look indexed once (production copies by name, ports by server), so each member costs a
/// lookup, not a pass over the site's servers and ports.
struct Indexed<'a> {
    site: &'a str,
    copies: HashMap<&'a str, Vec<&'a SeenServer>>,
    ports: HashMap<&'a str, Vec<&'a SeenPort>>,
}

impl<'a> Indexed<'a> {
    fn new(look: &'a SiteLook) -> Self {
        let mut copies: HashMap<&str, Vec<&SeenServer>> = HashMap::new();
        for s in look.servers.iter().filter(|s| !s.drill) {
            copies.entry(s.name.as_str()).or_default().push(s);
        }
        let mut ports: HashMap<&str, Vec<&SeenPort>> = HashMap::new();
        for p in &look.ports {
            ports.entry(p.device_id.as_str()).or_default().push(p);
        }
        Self {
            site: &look.site,
            copies,
            ports,
        }
    }

    /// Production copies of `member` here (drill copies left out).
    fn copies(&self, member: &str) -> impl Iterator<Item = &&'a SeenServer> {
        self.copies.get(member).into_iter().flatten()
    }

    fn active(&self, member: &str) -> bool {
        self.copies(member).any(|s| s.status == "ACTIVE")
    }

    /// The addresses of every port of `member`'s copies here.
    fn member_ips(&self, member: &str) -> BTreeSet<String> {
        self.copies(member)
            .flat_map(|s| self.ports.get(s.id.as_str()).into_iter().flatten())
            .flat_map(|p| p.ips.iter().cloned())
            .collect()
    }
}

/// The members of a group that collide between the two sites, in member order.
pub fn detect(members: &[String], a: &SiteLook, b: &SiteLook) -> Vec<SplitBrainFinding> {
    let (live_a, live_b) = (a.live_ips(), b.live_ips());
    let (a, b) = (Indexed::new(a), Indexed::new(b));
    members
        .iter()
        .filter_map(|m| {
            let active_at: Vec<String> = [&a, &b]
                .iter()
                .filter(|s| s.active(m))
                .map(|s| s.site.to_string())
                .collect();
            let mut ips = a.member_ips(m);
            ips.extend(b.member_ips(m));
            let shared_ips: Vec<String> = ips
                .into_iter()
                .filter(|ip| live_a.contains(ip.as_str()) && live_b.contains(ip.as_str()))
                .collect();
            (active_at.len() > 1 || !shared_ips.is_empty()).then(|| SplitBrainFinding {
                instance: m.clone(),
                active_at,
                shared_ips,
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn server(id: &str, name: &str, status: &str) -> SeenServer {
        SeenServer {
            id: id.into(),
            name: name.into(),
            status: status.into(),
            drill: false,
        }
    }

    fn port(ip: &str, device: &str, active: bool) -> SeenPort {
        SeenPort {
            ips: vec![ip.into()],
            device_id: device.into(),
            active,
        }
    }

    fn look(site: &str, servers: Vec<SeenServer>, ports: Vec<SeenPort>) -> SiteLook {
        SiteLook {
            site: site.into(),
            servers,
            ports,
        }
    }

    #[test]
    fn a_member_active_at_both_sites_is_found_and_said_plainly() {
        let members = vec!["web-1".to_string(), "web-2".to_string()];
        let a = look(
            "site-a",
            vec![
                server("a1", "web-1", "ACTIVE"),
                server("a2", "web-2", "ACTIVE"),
            ],
            vec![port("10.0.1.10", "a1", true), port("10.0.1.11", "a2", true)],
        );
        let b = look(
            "site-b",
            vec![
                server("b1", "web-1", "ACTIVE"),
                server("b2", "web-2", "SHUTOFF"),
            ],
            vec![
                port("10.0.1.10", "b1", true),
                port("10.0.1.11", "b2", false),
            ],
        );
        let found = detect(&members, &a, &b);
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!(found[0].active_at, ["site-a", "site-b"]);
        assert_eq!(found[0].shared_ips, ["10.0.1.10"]);
        assert_eq!(
            found[0].describe(),
            "web-1 is ACTIVE at site-a and site-b; 10.0.1.10 of web-1 is held by a live port at \
             both sites"
        );
    }

    #[test]
    fn an_address_live_at_both_sites_is_split_brain_even_under_another_server() {
        let members = vec!["db-1".to_string()];
        let a = look(
            "site-a",
            vec![server("a1", "db-1", "ACTIVE")],
            vec![port("10.0.2.10", "a1", true)],
        );
        // Someone booted another server at site-b on db-1's address.
        let b = look(
            "site-b",
            vec![server("x", "intruder", "ACTIVE")],
            vec![port("10.0.2.10", "x", true)],
        );
        let found = detect(&members, &a, &b);
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].active_at, ["site-a"]);
        assert_eq!(found[0].shared_ips, ["10.0.2.10"]);
    }

    #[test]
    fn stopped_copies_and_drill_copies_are_not_split_brain() {
        let members = vec!["web-1".to_string()];
        let a = look(
            "site-a",
            vec![server("a1", "web-1", "ACTIVE")],
            vec![port("10.0.1.10", "a1", true)],
        );
        let mut drill = server("t1", "web-1", "ACTIVE");
        drill.drill = true;
        let b = look(
            "site-b",
            vec![drill, server("b1", "web-1", "SHUTOFF")],
            vec![
                port("10.100.1.10", "t1", true),
                port("10.0.1.10", "b1", false),
            ],
        );
        assert!(detect(&members, &a, &b).is_empty());
        assert!(detect(&members, &a, &SiteLook::default()).is_empty());
    }
}
