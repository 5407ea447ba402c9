//! The operator's network and flavor mappings, given by name or by id (UUID) on either side,
//! resolved to the names plans use. A key must be something the group's servers use at the source
//! (else the mapping would do nothing, silently): an unknown key is an error naming it and the
//! valid ones. A value unknown at the target is kept as given; the checklist's "networks mapped"
//! or "flavors mapped" then says it is missing there.

use std::collections::BTreeMap;
use std::fmt;

/// Source name → target name.
pub type NameMap = BTreeMap<String, String>;

/// A network or flavor as a site lists it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Named {
    pub id: String,
    pub name: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MappingKind {
    Network,
    Flavor,
}

impl fmt::Display for MappingKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            MappingKind::Network => "network",
            MappingKind::Flavor => "flavor",
        })
    }
}

/// The keys of a mapping the group does not use at the source, each sentence naming the valid
/// ones.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}", .0.join("; "))]
pub struct UnknownKeys(pub Vec<String>);

/// What a mapping is resolved against: the names the group's servers use at the source, and
/// what each site lists (`None`: the site could not be asked; then only names resolve).
pub struct MappingScope<'a> {
    pub kind: MappingKind,
    pub group: &'a str,
    pub source_site: &'a str,
    pub used: &'a [String],
    pub source: Option<&'a [Named]>,
    pub target: Option<&'a [Named]>,
}

impl MappingScope<'_> {
    /// `given` (source → target, each a name or an id) as source name → target name; every
    /// unknown key is reported, each naming the valid ones.
    pub fn resolve(&self, given: &BTreeMap<String, String>) -> Result<NameMap, UnknownKeys> {
        let mut out = BTreeMap::new();
        let mut unknown = Vec::new();
        for (key, value) in given {
            match self.source_name(key) {
                Some(name) => {
                    out.insert(name, self.target_name(value));
                }
                None => unknown.push(self.unknown(key)),
            }
        }
        if unknown.is_empty() {
            Ok(out)
        } else {
            Err(UnknownKeys(unknown))
        }
    }

    /// The key as the name of something the group uses: by name, or by its id at the source.
    fn source_name(&self, key: &str) -> Option<String> {
        if self.used.iter().any(|u| u == key) {
            return Some(key.to_string());
        }
        let by_id = self.source?.iter().find(|n| n.id == key)?;
        self.used.contains(&by_id.name).then(|| by_id.name.clone())
    }

    /// The value as a name at the target: by name, by id, else as given.
    fn target_name(&self, value: &str) -> String {
        let listed = self.target.unwrap_or_default();
        if listed.iter().any(|n| n.name == value) {
            return value.to_string();
        }
        listed
            .iter()
            .find(|n| n.id == value)
            .map_or_else(|| value.to_string(), |n| n.name.clone())
    }

    fn unknown(&self, key: &str) -> String {
        let valid: Vec<String> = self
            .used
            .iter()
            .map(|name| {
                let id = self
                    .source
                    .and_then(|l| l.iter().find(|n| &n.name == name))
                    .map(|n| format!(" (id {})", n.id))
                    .unwrap_or_default();
                format!("{name}{id}")
            })
            .collect();
        let valid = if valid.is_empty() {
            "none was found".to_string()
        } else {
            valid.join(", ")
        };
        format!(
            "{kind} mapping: unknown source {kind} {key:?}: {group}'s servers at {site} use {valid}",
            kind = self.kind,
            group = self.group,
            site = self.source_site,
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn named(id: &str, name: &str) -> Named {
        Named {
            id: id.into(),
            name: name.into(),
        }
    }

    #[test]
    fn keys_and_values_resolve_by_name_or_id_and_unknown_keys_name_the_valid_ones() {
        let used = vec!["net-web".to_string()];
        let source = [named("aaa-1", "net-web"), named("aaa-2", "net-db")];
        let target = [named("bbb-1", "net-web"), named("bbb-9", "net-web-dr")];
        let scope = MappingScope {
            kind: MappingKind::Network,
            group: "web-app",
            source_site: "site-a",
            used: &used,
            source: Some(&source),
            target: Some(&target),
        };
        let given = BTreeMap::from([("aaa-1".to_string(), "bbb-9".to_string())]);
        assert_eq!(
            scope.resolve(&given),
            Ok(BTreeMap::from([("net-web".into(), "net-web-dr".into())]))
        );
        let by_name = BTreeMap::from([("net-web".to_string(), "elsewhere".to_string())]);
        assert_eq!(
            scope.resolve(&by_name),
            Ok(BTreeMap::from([("net-web".into(), "elsewhere".into())])),
            "a value the target lacks is kept for the checklist to report"
        );
        let unused = BTreeMap::from([("net-db".to_string(), "net-web".to_string())]);
        let err = scope.resolve(&unused).unwrap_err().0;
        assert_eq!(
            err,
            [
                "network mapping: unknown source network \"net-db\": web-app's servers at site-a \
              use net-web (id aaa-1)"
            ]
        );
        let typo = BTreeMap::from([("net-wbe".to_string(), "x".to_string())]);
        assert!(scope.resolve(&typo).unwrap_err().0[0].contains("\"net-wbe\""));
    }
}
