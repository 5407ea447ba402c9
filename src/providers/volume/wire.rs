//! Cinder's JSON, as far as drconsole reads it.

use std::collections::BTreeMap;

use serde::{Deserialize, Deserializer};

use super::types::{ManageableVolume, Volume, VolumeAttachment, VolumeType};
use crate::sanitize::clean;

#[derive(Deserialize)]
pub struct VolumeList {
    pub volumes: Vec<VolumeWire>,
}

#[derive(Deserialize)]
pub struct VolumeOne {
    pub volume: VolumeWire,
}

#[derive(Deserialize)]
pub struct VolumeWire {
    id: String,
    #[serde(default, deserialize_with = "null_as_empty")]
    name: String,
    #[serde(default)]
    status: String,
    #[serde(default)]
    size: u64,
    #[serde(default)]
    volume_type: Option<String>,
    #[serde(default)]
    bootable: Option<BoolOrString>,
    #[serde(default)]
    attachments: Vec<AttachmentWire>,
    #[serde(default)]
    replication_status: Option<String>,
    #[serde(default)]
    metadata: BTreeMap<String, String>,
    #[serde(default, rename = "os-vol-host-attr:host")]
    host: Option<String>,
}

/// Cinder says `"true"`; some clients and fakes say `true`.
#[derive(Deserialize)]
#[serde(untagged)]
enum BoolOrString {
    Bool(bool),
    Text(String),
}

impl BoolOrString {
    fn truth(&self) -> bool {
        match self {
            BoolOrString::Bool(b) => *b,
            BoolOrString::Text(s) => s.eq_ignore_ascii_case("true"),
        }
    }
}

fn null_as_empty<'de, D: Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    Ok(Option::<String>::deserialize(d)?.unwrap_or_default())
}

#[derive(Deserialize)]
struct AttachmentWire {
    #[serde(default)]
    server_id: String,
    #[serde(default)]
    device: Option<String>,
}

impl From<VolumeWire> for Volume {
    fn from(w: VolumeWire) -> Self {
        Volume {
            id: clean(&w.id),
            name: clean(&w.name),
            status: clean(&w.status),
            size_gb: w.size,
            volume_type: w.volume_type.map(|t| clean(&t)),
            bootable: w.bootable.as_ref().is_some_and(BoolOrString::truth),
            attachments: w
                .attachments
                .iter()
                .map(|a| VolumeAttachment {
                    server_id: clean(&a.server_id),
                    device: a.device.as_deref().map(clean),
                })
                .collect(),
            replication_status: w.replication_status.map(|r| clean(&r)),
            metadata: w
                .metadata
                .into_iter()
                .map(|(k, v)| (clean(&k), clean(&v)))
                .collect(),
            host: w.host.map(|h| clean(&h)),
        }
    }
}

#[derive(Deserialize)]
pub struct TypeList {
    pub volume_types: Vec<TypeWire>,
}

#[derive(Deserialize)]
pub struct TypeWire {
    id: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    extra_specs: BTreeMap<String, String>,
}

impl From<TypeWire> for VolumeType {
    fn from(w: TypeWire) -> Self {
        let replication_enabled = w
            .extra_specs
            .get("replication_enabled")
            .is_some_and(|v| v.trim().eq_ignore_ascii_case("<is> true"));
        VolumeType {
            id: clean(&w.id),
            name: clean(&w.name),
            replication_enabled,
            extra_specs: w
                .extra_specs
                .into_iter()
                .map(|(k, v)| (clean(&k), clean(&v)))
                .collect(),
        }
    }
}

#[derive(Deserialize)]
pub struct ManageableList {
    #[serde(rename = "manageable-volumes")]
    pub volumes: Vec<ManageableWire>,
}

#[derive(Deserialize)]
pub struct ManageableWire {
    reference: Reference,
    #[serde(default)]
    size: u64,
    #[serde(default)]
    safe_to_manage: bool,
    #[serde(default)]
    reason_not_safe: Option<String>,
    #[serde(default)]
    cinder_id: Option<String>,
}

#[derive(Deserialize)]
struct Reference {
    #[serde(rename = "source-name", default)]
    source_name: String,
}

impl From<ManageableWire> for ManageableVolume {
    fn from(w: ManageableWire) -> Self {
        ManageableVolume {
            source_name: clean(&w.reference.source_name),
            size_gb: w.size,
            safe_to_manage: w.safe_to_manage,
            reason_not_safe: w.reason_not_safe.map(|r| clean(&r)),
            cinder_id: w.cinder_id.map(|c| clean(&c)),
        }
    }
}
