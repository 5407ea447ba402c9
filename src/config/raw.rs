//! The on-disk shape of drconsole.toml, exactly as an operator writes it. `load` turns it into the
//! resolved `Config`; unknown keys are errors so a typo never silently means "default".

use serde::Deserialize;
use std::collections::BTreeMap;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawConfig {
    pub clouds_file: Option<String>,
    #[serde(default)]
    pub store: RawStore,
    #[serde(default)]
    pub http: RawHttp,
    #[serde(default)]
    pub ui: RawUi,
    #[serde(default)]
    pub sites: Vec<RawSite>,
    #[serde(default)]
    pub protection_groups: Vec<RawGroup>,
}

#[derive(Debug, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct RawStore {
    pub url: Option<String>,
    pub lease_seconds: Option<u64>,
}

#[derive(Debug, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct RawHttp {
    pub timeout_ms: Option<u64>,
    pub max_attempts: Option<u32>,
    pub backoff_ms: Option<u64>,
}

#[derive(Debug, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct RawUi {
    pub theme: Option<String>,
    pub refresh_seconds: Option<u64>,
    #[serde(default)]
    pub keys: BTreeMap<String, String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawSite {
    pub name: String,
    pub role: String,
    /// The clouds.yaml entry; defaults to `OS_CLOUD`.
    pub cloud: Option<String>,
    pub array: RawArray,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawArray {
    pub url: String,
    pub name: String,
    pub api_token_file: Option<String>,
    pub api_token_env: Option<String>,
    pub api_token: Option<String>,
    pub verify: Option<bool>,
    /// A CA bundle (PEM) the array's certificate is checked against, beside the system's.
    pub cacert: Option<String>,
    pub cinder_host: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawGroup {
    pub name: String,
    pub primary_site: String,
    pub secondary_site: String,
    pub array_pg: Option<String>,
    pub rpo_target_seconds: u64,
    #[serde(default)]
    pub rto_target_seconds: Option<u64>,
    pub members: Vec<String>,
    #[serde(default)]
    pub boot_order: Vec<Vec<String>>,
    #[serde(default)]
    pub network_mapping: BTreeMap<String, String>,
    #[serde(default)]
    pub test_network_mapping: BTreeMap<String, String>,
    #[serde(default)]
    pub flavor_mapping: BTreeMap<String, String>,
}
