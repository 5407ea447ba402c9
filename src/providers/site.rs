//! One site's clients: a cheap, cloneable handle that owns the site's HTTP client, its Keystone
//! token cache and its array session, and hands out the per-service clients. Also the probe that
//! the console's site pane shows.

use std::sync::Arc;
use std::time::Instant;

use super::array::{Array, ArrayAuth, ArraySession, ArrayState};
use super::compute::{Compute, Server};
use super::error::{ProviderError, Service};
use super::http::Http;
use super::identity::{Identity, IdentityState};
use super::network::Networking;
use super::session::Session;
use super::volume::BlockStorage;
use crate::config::{HttpPolicy, SiteConfig};

const COMPUTE_HEADERS: &[(&str, &str)] = &[
    ("OpenStack-API-Version", "compute 2.79"),
    ("X-OpenStack-Nova-API-Version", "2.79"),
];
const VOLUME_HEADERS: &[(&str, &str)] = &[("OpenStack-API-Version", "volume 3.59")];

struct Shared {
    /// The last server list fetched for waits, and when it was asked for.
    polled: tokio::sync::Mutex<Option<(Instant, Arc<Vec<Server>>)>>,
    name: String,
    identity: Arc<IdentityState>,
    array: Arc<ArrayAuth>,
    array_name: String,
    cinder_host: String,
}

#[derive(Clone)]
pub struct SiteClient {
    shared: Arc<Shared>,
    http: Http,
    /// The array's client: the same as `http` unless its TLS verification differs.
    array_http: Http,
}

/// What a quick look at a site found. Never an error: failures are in the fields.
#[derive(Debug, Clone, PartialEq)]
pub struct SiteProbe {
    pub site: String,
    /// Keystone answered for the site's credentials.
    pub reachable: bool,
    /// Round trip of the identity check: a new token, or validating the cached one.
    pub identity_ms: Option<u64>,
    /// Round trip of an authenticated compute call (the server list).
    pub compute_ms: Option<u64>,
    /// The server list that call returned (what `status` counts members in), or why compute
    /// refused it; None when identity failed first.
    pub servers: Option<Result<Vec<Server>, ProviderError>>,
    pub array: Result<ArrayState, ProviderError>,
    /// The first OpenStack failure, for display.
    pub error: Option<String>,
}

impl SiteClient {
    pub fn new(config: &SiteConfig, policy: HttpPolicy) -> Result<Self, ProviderError> {
        let cloud = &config.cloud;
        let http = Http::new(&config.name, policy, cloud.verify, cloud.cacert.as_deref())?;
        let array = &config.array;
        let array_http = if array.verify == cloud.verify && array.cacert == cloud.cacert {
            http.clone()
        } else {
            Http::new(&config.name, policy, array.verify, array.cacert.as_deref())?
        };
        Ok(Self {
            shared: Arc::new(Shared {
                polled: tokio::sync::Mutex::new(None),
                name: config.name.clone(),
                identity: IdentityState::new(cloud.clone()),
                array: ArrayAuth::new(config.array.clone()),
                array_name: config.array.name.clone(),
                cinder_host: config.array.cinder_host.clone(),
            }),
            http,
            array_http,
        })
    }

    /// The same site (same token cache and sessions) with other timeouts and retries.
    pub fn with_policy(&self, policy: HttpPolicy) -> Self {
        Self {
            shared: self.shared.clone(),
            http: self.http.with_policy(policy),
            array_http: self.array_http.with_policy(policy),
        }
    }

    pub fn name(&self) -> &str {
        &self.shared.name
    }

    /// The server list as waits poll it: one list shared by every wait at this site (of every
    /// operation) that takes a list asked for at or after `since`; those asking while it is
    /// fetched wait for it. A 20-group site failover listed the site's 1,000 servers once a
    /// poll per group. Only for polls: a look that decides whether to create lists afresh.
    pub async fn servers_for_polling(
        &self,
        since: Instant,
    ) -> Result<Arc<Vec<Server>>, ProviderError> {
        let mut last = self.shared.polled.lock().await;
        if let Some((at, list)) = &*last
            && *at >= since
        {
            return Ok(list.clone());
        }
        let asked = Instant::now();
        let list = Arc::new(self.compute().list_servers().await?);
        *last = Some((asked, list.clone()));
        Ok(list)
    }

    /// The array's own name (`array-a`), which prefixes what it replicates to its peer.
    pub fn array_name(&self) -> &str {
        &self.shared.array_name
    }

    /// The Cinder backend host that manages the array's volumes at this site.
    pub fn cinder_host(&self) -> &str {
        &self.shared.cinder_host
    }

    pub fn policy(&self) -> HttpPolicy {
        self.http.policy
    }

    pub fn identity(&self) -> Identity {
        Identity::new(self.http.clone(), self.shared.identity.clone())
    }

    pub fn compute(&self) -> Compute {
        Compute::new(self.session(Service::Compute, &["compute"], COMPUTE_HEADERS))
    }

    pub fn network(&self) -> Networking {
        Networking::new(
            self.session(Service::Network, &["network"], &[])
                .strip_suffix("/v2.0"),
        )
    }

    pub fn volume(&self) -> BlockStorage {
        let types = &["volumev3", "block-storage"];
        BlockStorage::new(self.session(Service::Volume, types, VOLUME_HEADERS))
    }

    pub fn array(&self) -> Array {
        Array::new(ArraySession {
            http: self.array_http.clone(),
            auth: self.shared.array.clone(),
            page_size: super::array::PAGE_SIZE,
        })
    }

    /// Identity, then an authenticated compute call, with the array in parallel: two round trips
    /// in a row at most (a token, or a check of the cached one; then the server list). A compute
    /// that refuses a token Keystone issued is reported as exactly that.
    pub async fn probe(&self) -> SiteProbe {
        let openstack = async {
            let identity_ms = self.identity_round_trip().await?;
            let started = Instant::now();
            let servers = self.compute().list_servers().await;
            Ok::<_, ProviderError>((identity_ms, servers.map(|s| (elapsed_ms(started), s))))
        };
        let array = self.array();
        let (openstack, array) = tokio::join!(openstack, array.state());
        let mut probe = SiteProbe {
            site: self.shared.name.clone(),
            reachable: false,
            identity_ms: None,
            compute_ms: None,
            servers: None,
            array,
            error: None,
        };
        match openstack {
            Ok((identity_ms, compute)) => {
                probe.reachable = true;
                probe.identity_ms = Some(identity_ms);
                match compute {
                    Ok((ms, servers)) => {
                        probe.compute_ms = Some(ms);
                        probe.servers = Some(Ok(servers));
                    }
                    Err(e) => {
                        probe.error = Some(e.to_string());
                        probe.servers = Some(Err(e));
                    }
                }
            }
            Err(e) => probe.error = Some(e.to_string()),
        }
        probe
    }

    /// One identity call, timed: validate a cached token (a new one if Keystone refuses it), or
    /// get the first one. Keystone is not asked for a new token on every refresh.
    async fn identity_round_trip(&self) -> Result<u64, ProviderError> {
        let identity = self.identity();
        let started = Instant::now();
        if identity.has_fresh_token().await {
            match identity.validate().await {
                Ok(()) => return Ok(elapsed_ms(started)),
                Err(e) if !e.is_unauthorized() => return Err(e),
                Err(_) => {}
            }
        }
        let started = Instant::now();
        identity.authenticate().await?;
        Ok(elapsed_ms(started))
    }

    fn session(
        &self,
        service: Service,
        types: &'static [&'static str],
        headers: &'static [(&'static str, &'static str)],
    ) -> Session {
        Session::new(self.http.clone(), self.identity(), service, types, headers)
    }
}

impl std::fmt::Debug for SiteClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SiteClient")
            .field("name", &self.shared.name)
            .field("policy", &self.http.policy)
            .finish_non_exhaustive()
    }
}

fn elapsed_ms(started: Instant) -> u64 {
    u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX)
}
