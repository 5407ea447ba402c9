//! The on-disk shape of drconsole.toml, exactly as an operator writes it. `load` turns it into the
//! resolved `Config`; unknown keys are errors so a typo never silently means "default". Names
//! holding control characters are refused here (names.rs); secrets are `Secret` from the first
//! byte, so not even a type error repeats them; numeric limits keep their position in the file so
//! an out-of-range value is reported at its line.

use super::names;
use crate::secret::Secret;
use serde::Deserialize;
use std::collections::BTreeMap;
use toml::Spanned;

/// A number as written, with where: range checks need both.
pub type RawNumber = Option<Spanned<i64>>;

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
    pub operations: RawOperations,
    #[serde(default)]
    pub sites: Vec<RawSite>,
    #[serde(default)]
    pub protection_groups: Vec<RawGroup>,
}

#[derive(Debug, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct RawStore {
    /// May hold a database password.
    pub url: Option<Secret>,
    pub lease_seconds: RawNumber,
}

#[derive(Debug, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct RawHttp {
    pub timeout_ms: RawNumber,
    pub max_attempts: RawNumber,
    pub backoff_ms: RawNumber,
    pub command_timeout_ms: RawNumber,
    pub max_body_mib: RawNumber,
    pub max_calls_per_site: RawNumber,
}

#[derive(Debug, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct RawOperations {
    pub rollback_budget_seconds: RawNumber,
    pub final_sync_timeout_seconds: RawNumber,
}

#[derive(Debug, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct RawUi {
    #[serde(default, deserialize_with = "names::opt_name")]
    pub theme: Option<String>,
    pub refresh_seconds: RawNumber,
    #[serde(default, deserialize_with = "names::name_map")]
    pub keys: BTreeMap<String, String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawSite {
    #[serde(deserialize_with = "names::name")]
    pub name: String,
    pub role: String,
    /// The clouds.yaml entry; defaults to `OS_CLOUD`.
    #[serde(default, deserialize_with = "names::opt_name")]
    pub cloud: Option<String>,
    pub array: RawArray,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawArray {
    pub url: String,
    #[serde(deserialize_with = "names::name")]
    pub name: String,
    pub api_token_file: Option<String>,
    pub api_token_env: Option<String>,
    pub api_token: Option<Secret>,
    pub verify: Option<bool>,
    /// A CA bundle (PEM) the array's certificate is checked against, beside the system's.
    pub cacert: Option<String>,
    #[serde(default, deserialize_with = "names::opt_name")]
    pub cinder_host: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawGroup {
    #[serde(deserialize_with = "names::name")]
    pub name: String,
    #[serde(deserialize_with = "names::name")]
    pub primary_site: String,
    #[serde(deserialize_with = "names::name")]
    pub secondary_site: String,
    #[serde(default, deserialize_with = "names::opt_name")]
    pub array_pg: Option<String>,
    pub rpo_target_seconds: Spanned<i64>,
    /// No RTO target when left out.
    #[serde(default)]
    pub rto_target_seconds: RawNumber,
    #[serde(deserialize_with = "names::names")]
    pub members: Vec<String>,
    #[serde(default, deserialize_with = "names::waves")]
    pub boot_order: Vec<Vec<String>>,
    #[serde(default, deserialize_with = "names::name_map")]
    pub network_mapping: BTreeMap<String, String>,
    #[serde(default, deserialize_with = "names::name_map")]
    pub test_network_mapping: BTreeMap<String, String>,
    #[serde(default, deserialize_with = "names::name_map")]
    pub flavor_mapping: BTreeMap<String, String>,
}
