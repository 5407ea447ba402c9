//! A resource an operation made at a site (a server, a port, a Cinder volume, an array volume, a
//! floating IP): what a step's output names, what a failed rollback leaves behind and `ops cleanup`
//! removes, and what reports list.

use serde::{Deserialize, Serialize};
use std::fmt;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ResourceKind {
    Server,
    Port,
    /// A Cinder volume (managed from an array volume).
    Volume,
    /// A volume on the storage array, named (its name is its id).
    ArrayVolume,
    FloatingIp,
}

impl ResourceKind {
    pub fn as_str(self) -> &'static str {
        match self {
            ResourceKind::Server => "server",
            ResourceKind::Port => "port",
            ResourceKind::Volume => "volume",
            ResourceKind::ArrayVolume => "array_volume",
            ResourceKind::FloatingIp => "floating_ip",
        }
    }
}

impl fmt::Display for ResourceKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Resource {
    pub site: String,
    pub kind: ResourceKind,
    /// Its id at the site; `None` when the step that would make it failed before saying what it
    /// made (it may or may not exist: it is looked for by name and this operation's metadata).
    pub id: Option<String>,
    pub name: String,
}

impl Resource {
    pub fn new(site: &str, kind: ResourceKind, id: &str, name: &str) -> Self {
        Self {
            site: site.to_string(),
            kind,
            id: Some(id.to_string()),
            name: name.to_string(),
        }
    }

    /// One a step would make under `name`, whose id is not known.
    pub fn named(site: &str, kind: ResourceKind, name: &str) -> Self {
        Self {
            site: site.to_string(),
            kind,
            id: None,
            name: name.to_string(),
        }
    }

    /// An array volume: its name is its id.
    pub fn array_volume(site: &str, name: &str) -> Self {
        Self::new(site, ResourceKind::ArrayVolume, name, name)
    }
}

/// `server web-1 (3f2a…) at site-b`, or `(id unknown)`.
impl fmt::Display for Resource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.kind, self.name)?;
        match &self.id {
            Some(id) if id != &self.name => write!(f, " ({id})")?,
            Some(_) => {}
            None => f.write_str(" (id unknown)")?,
        }
        write!(f, " at {}", self.site)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_resource_reads_with_its_kind_name_id_and_site() {
        let s = Resource::new("site-b", ResourceKind::Server, "abc", "web-1");
        assert_eq!(s.to_string(), "server web-1 (abc) at site-b");
        let a = Resource::array_volume("site-b", "web-1-boot-1234");
        assert_eq!(a.to_string(), "array_volume web-1-boot-1234 at site-b");
        let p = Resource::named("site-b", ResourceKind::Port, "web-1-net-web");
        assert_eq!(p.to_string(), "port web-1-net-web (id unknown) at site-b");
        assert_eq!(
            serde_json::to_value(&p).unwrap(),
            serde_json::json!({"site": "site-b", "kind": "port", "id": null, "name": "web-1-net-web"})
        );
    }
}
