//! Block storage's public types: volumes, volume types, manageable volumes, manage requests.

use std::collections::BTreeMap;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Volume {
    pub id: String,
    pub name: String,
    /// creating, available, in-use, error, error_managing, deleting…
    pub status: String,
    pub size_gb: u64,
    pub volume_type: Option<String>,
    pub bootable: bool,
    pub attachments: Vec<VolumeAttachment>,
    pub replication_status: Option<String>,
    pub metadata: BTreeMap<String, String>,
    /// `os-vol-host-attr:host`, e.g. `cinder@array#array` (admin only; may be absent).
    pub host: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VolumeAttachment {
    pub server_id: String,
    pub device: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VolumeType {
    pub id: String,
    pub name: String,
    /// extra_specs `replication_enabled` is `<is> True`.
    pub replication_enabled: bool,
    pub extra_specs: BTreeMap<String, String>,
}

/// A volume on the backend that Cinder does not manage yet.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ManageableVolume {
    /// The backend's name for it (`reference.source-name`).
    pub source_name: String,
    pub size_gb: u64,
    pub safe_to_manage: bool,
    pub reason_not_safe: Option<String>,
    pub cinder_id: Option<String>,
}

/// Bring a backend volume under Cinder's management.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ManageVolume {
    /// `cinder@array#array`
    pub host: String,
    pub source_name: String,
    pub name: String,
    pub volume_type: Option<String>,
    pub bootable: bool,
    pub metadata: BTreeMap<String, String>,
}
