//! The dialog's mapping fields as text: `src=dst, src2=dst2` read into a map and printed back.

use std::collections::BTreeMap;
use thiserror::Error;

pub fn format_mapping(m: &BTreeMap<String, String>) -> String {
    m.iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Source name → target name (networks or flavors).
pub type Mapping = BTreeMap<String, String>;

/// A part of a mapping text that is not `source=target`.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error("{0:?} is not source=target")]
pub struct BadMapping(pub String);

impl BadMapping {
    pub(crate) fn of(self, field: &'static str) -> MappingError {
        MappingError { field, bad: self }
    }
}

/// A mapping field of the dialog that cannot be read: names the field and the bad part.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error("{field} mapping: {bad}")]
pub struct MappingError {
    /// `network` or `flavor`.
    pub field: &'static str,
    pub bad: BadMapping,
}

/// `src=dst, src2=dst2` → a map; an empty text is an empty map.
pub fn parse_mapping(text: &str) -> Result<Mapping, BadMapping> {
    let mut out = BTreeMap::new();
    for part in text.split(',').map(str::trim).filter(|p| !p.is_empty()) {
        let (k, v) = part
            .split_once('=')
            .map(|(k, v)| (k.trim(), v.trim()))
            .filter(|(k, v)| !k.is_empty() && !v.is_empty())
            .ok_or_else(|| BadMapping(part.to_string()))?;
        out.insert(k.to_string(), v.to_string());
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mappings_parse_and_print() {
        let m = parse_mapping(" net-a=net-b, flat = flat-dr ,").expect("parse");
        assert_eq!(m.get("flat").map(String::as_str), Some("flat-dr"));
        assert_eq!(format_mapping(&m), "flat=flat-dr, net-a=net-b");
        let e = parse_mapping("oops").unwrap_err().of("network");
        assert_eq!(
            e.to_string(),
            "network mapping: \"oops\" is not source=target"
        );
        assert!(parse_mapping("").expect("empty").is_empty());
    }
}
