//! Names from the configuration (sites, groups, members, networks, flavors, the theme…) reach
//! terminals, logs and reports. One that holds a control character or a bidi override is refused
//! where it is written (file, line and column), never cleaned quietly into another name.

use crate::sanitize::first_control;
use serde::{Deserialize, Deserializer};
use std::collections::BTreeMap;

/// The start of the error for such a name; `load` adds a hint when it sees it.
pub const CONTROL_IN_NAME: &str = "a name may not hold control characters";

/// A string without control characters.
#[derive(PartialEq, Eq, PartialOrd, Ord)]
struct Name(String);

impl<'de> Deserialize<'de> for Name {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        match first_control(&s) {
            None => Ok(Name(s)),
            Some(c) => Err(serde::de::Error::custom(format!(
                "{CONTROL_IN_NAME}; this one holds U+{:04X}",
                c as u32
            ))),
        }
    }
}

pub fn name<'de, D: Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    Name::deserialize(d).map(|n| n.0)
}

pub fn opt_name<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    Ok(Option::<Name>::deserialize(d)?.map(|n| n.0))
}

pub fn names<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<String>, D::Error> {
    Ok(Vec::<Name>::deserialize(d)?
        .into_iter()
        .map(|n| n.0)
        .collect())
}

pub fn waves<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<Vec<String>>, D::Error> {
    Ok(Vec::<Vec<Name>>::deserialize(d)?
        .into_iter()
        .map(|w| w.into_iter().map(|n| n.0).collect())
        .collect())
}

/// Name to name (network, flavor and key mappings).
type NameMap = BTreeMap<String, String>;

pub fn name_map<'de, D: Deserializer<'de>>(d: D) -> Result<NameMap, D::Error> {
    Ok(BTreeMap::<Name, Name>::deserialize(d)?
        .into_iter()
        .map(|(k, v)| (k.0, v.0))
        .collect())
}

/// A map whose keys are names (clouds.yaml's cloud entries).
pub fn keyed<'de, D, V>(d: D) -> Result<BTreeMap<String, V>, D::Error>
where
    D: Deserializer<'de>,
    V: Deserialize<'de>,
{
    Ok(BTreeMap::<Name, V>::deserialize(d)?
        .into_iter()
        .map(|(k, v)| (k.0, v))
        .collect())
}
