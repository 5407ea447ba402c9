//! The resolved configuration that the rest of drconsole consumes: no file paths left to follow,
//! no secrets left to read. Secrets are `Secret`, so a `{:?}` never shows them.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::time::Duration;

use crate::domain::SiteRole;
use crate::secret::Secret;

/// One site: an OpenStack cloud (from clouds.yaml) and its replicating storage array.
#[derive(Debug, Clone)]
pub struct SiteConfig {
    pub name: String,
    pub role: SiteRole,
    pub cloud: CloudConfig,
    pub array: ArrayConfig,
}

/// A clouds.yaml entry, resolved.
#[derive(Debug, Clone)]
pub struct CloudConfig {
    /// The clouds.yaml entry's name.
    pub name: String,
    /// Keystone v3 base, e.g. `http://127.0.0.1:5000/identity/v3` (a trailing `/v3` is optional in
    /// clouds.yaml; here it always ends in `/v3`).
    pub auth_url: String,
    pub auth: AuthMethod,
    pub region_name: Option<String>,
    /// `public`, `internal` or `admin`; default `public`.
    pub interface: String,
    /// Verify TLS certificates (clouds.yaml `verify`, default true).
    pub verify: bool,
    /// Extra CA bundle (clouds.yaml `cacert`).
    pub cacert: Option<PathBuf>,
}

#[derive(Debug, Clone)]
pub enum AuthMethod {
    Password {
        username: String,
        user_domain: DomainRef,
        password: Secret,
        project_name: Option<String>,
        project_id: Option<String>,
        project_domain: DomainRef,
    },
    ApplicationCredential {
        id: Option<String>,
        name: Option<String>,
        /// Needed with `name`: the credential belongs to this user.
        username: Option<String>,
        user_domain: DomainRef,
        secret: Secret,
    },
}

/// A Keystone domain given by name or by id (`*_domain_name` / `*_domain_id`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DomainRef {
    Name(String),
    Id(String),
}

impl Default for DomainRef {
    fn default() -> Self {
        DomainRef::Name("Default".into())
    }
}

/// The storage array's REST API. `url` is the base that `/api/2.17/...` is appended to.
#[derive(Debug, Clone)]
pub struct ArrayConfig {
    pub url: String,
    /// The array's own name (`array-a`); replicated groups appear on the peer as `array-a:pg`.
    pub name: String,
    pub api_token: Secret,
    /// Verify the array's TLS certificate (default true).
    pub verify: bool,
    /// Extra CA bundle for the array (`cacert`, relative to drconsole.toml).
    pub cacert: Option<PathBuf>,
    /// The Cinder backend host that manages this array's volumes (`host@backend#pool`), used to
    /// manage replicated copies into Cinder at this site.
    pub cinder_host: String,
}

/// The Cinder host of a devstack-style single array backend.
pub const DEFAULT_CINDER_HOST: &str = "cinder@array#array";

/// A protection group's definition. Its state (status, current primary…) lives in the store.
#[derive(Debug, Clone)]
pub struct GroupConfig {
    pub name: String,
    pub primary_site: String,
    pub secondary_site: String,
    /// The array protection group that replicates this group's volumes.
    pub array_pg: String,
    /// Server names at the primary site.
    pub members: Vec<String>,
    /// Boot waves: servers in wave 0 boot first. Members not listed boot in a last wave.
    pub boot_order: Vec<Vec<String>>,
    /// Source network name → target network name (failover and failback reverse it).
    pub network_mapping: BTreeMap<String, String>,
    /// Source network name → network used for a test failover (drill) at the DR site.
    pub test_network_mapping: BTreeMap<String, String>,
    /// Source flavor name → target flavor name; unmapped flavors keep their name.
    pub flavor_mapping: BTreeMap<String, String>,
    pub rpo_target: Duration,
    /// How soon after a failover starts its servers must be up (reports' verdict); none set, no
    /// verdict.
    pub rto_target: Option<Duration>,
}

impl GroupConfig {
    /// The group's other site: where `site`'s workloads fail over to (and replicate to).
    pub fn other_site(&self, site: &str) -> &str {
        if site == self.primary_site {
            &self.secondary_site
        } else {
            &self.primary_site
        }
    }

    /// The boot waves with every member placed exactly once (unlisted members last).
    pub fn waves(&self) -> Vec<Vec<String>> {
        let mut waves: Vec<Vec<String>> = self
            .boot_order
            .iter()
            .map(|w| {
                w.iter()
                    .filter(|m| self.members.contains(m))
                    .cloned()
                    .collect()
            })
            .filter(|w: &Vec<String>| !w.is_empty())
            .collect();
        let rest: Vec<String> = self
            .members
            .iter()
            .filter(|m| !self.boot_order.iter().any(|w| w.contains(m)))
            .cloned()
            .collect();
        if !rest.is_empty() {
            waves.push(rest);
        }
        waves
    }
}

pub use crate::domain::StoreConfig;

#[derive(Debug, Clone)]
pub struct UiConfig {
    pub theme: String,
    /// How often the console refreshes site and group state in the background.
    pub refresh_interval: Duration,
    /// Key overrides: action name → key description (`"f"`, `"ctrl-f"`).
    pub keys: BTreeMap<String, String>,
}

impl Default for UiConfig {
    fn default() -> Self {
        Self {
            theme: "default".into(),
            refresh_interval: Duration::from_secs(5),
            keys: BTreeMap::new(),
        }
    }
}

/// Timeouts, retry budget and size limits for every HTTP call to a site (`[http]`; the ranges
/// are in limits.rs).
#[derive(Debug, Clone, Copy)]
pub struct HttpPolicy {
    /// One call's total deadline: connect, headers and the whole body (not per read).
    pub request_timeout: Duration,
    /// Attempts for an idempotent call (1 = no retry).
    pub max_attempts: u32,
    /// First backoff; doubled each retry, with full jitter, each wait at most `MAX_BACKOFF`.
    pub backoff_base: Duration,
    /// The largest reply body accepted; a longer one is an error, never read to the end.
    pub max_body_bytes: u64,
    /// The whole of a read-only command (`status`, `check`, `instances`), retries included.
    pub command_timeout: Duration,
    /// Calls in flight to one site at once; more wait their turn.
    pub max_calls_per_site: usize,
    /// When set, no call (nor retry) runs past it: the command's deadline, set when it starts.
    pub deadline: Option<tokio::time::Instant>,
}

impl Default for HttpPolicy {
    fn default() -> Self {
        use super::limits::*;
        let ms = |l: Limit| Duration::from_millis(l.default.unsigned_abs());
        Self {
            request_timeout: ms(TIMEOUT_MS),
            max_attempts: MAX_ATTEMPTS.default as u32,
            backoff_base: ms(BACKOFF_MS),
            max_body_bytes: MAX_BODY_MIB.default.unsigned_abs() << 20,
            command_timeout: ms(COMMAND_TIMEOUT_MS),
            max_calls_per_site: MAX_CALLS_PER_SITE.default.unsigned_abs() as usize,
            deadline: None,
        }
    }
}

impl HttpPolicy {
    /// The same policy, every call of which ends by `command_timeout` from now.
    pub fn with_deadline_from_now(self) -> Self {
        Self {
            deadline: Some(tokio::time::Instant::now() + self.command_timeout),
            ..self
        }
    }
}

/// How operations run, where the operator sets it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OperationsConfig {
    /// How long a rollback keeps retrying compensations that fail because a site does not answer
    /// (with backoff), before it leaves what it could not undo behind.
    pub rollback_budget: Duration,
    /// A planned move's final sync: past it the move fails, rolls back and restarts production.
    pub final_sync_timeout: Duration,
}

impl OperationsConfig {
    /// The defaults of limits.rs (the ranges are there too).
    pub const DEFAULT_ROLLBACK_BUDGET: Duration =
        Duration::from_secs(super::limits::ROLLBACK_BUDGET_SECONDS.default as u64);
    pub const DEFAULT_FINAL_SYNC_TIMEOUT: Duration =
        Duration::from_secs(super::limits::FINAL_SYNC_TIMEOUT_SECONDS.default as u64);
}

impl Default for OperationsConfig {
    fn default() -> Self {
        Self {
            rollback_budget: Self::DEFAULT_ROLLBACK_BUDGET,
            final_sync_timeout: Self::DEFAULT_FINAL_SYNC_TIMEOUT,
        }
    }
}

#[derive(Debug, Clone)]
pub struct Config {
    /// The drconsole.toml this came from.
    pub path: PathBuf,
    pub sites: Vec<SiteConfig>,
    pub groups: Vec<GroupConfig>,
    pub store: StoreConfig,
    /// How long a group's lock outlives a console that stops renewing it (`[store]
    /// lease_seconds`): then another console may take its operation over.
    pub lease: Duration,
    pub ui: UiConfig,
    pub http: HttpPolicy,
    pub operations: OperationsConfig,
}

impl Config {
    pub fn site(&self, name: &str) -> Option<&SiteConfig> {
        self.sites.iter().find(|s| s.name == name)
    }

    pub fn group(&self, name: &str) -> Option<&GroupConfig> {
        self.groups.iter().find(|g| g.name == name)
    }
}
