//! Keystone v3: the token (password or application credential), its catalog and endpoint
//! selection, and the token cache that all of a site's services share. A token is refreshed a
//! minute before it expires, and once more when a service answers 401.

use std::sync::Arc;

use chrono::{DateTime, Utc};
use reqwest::Method;
use serde::Deserialize;
use serde_json::{Value, json};
use tokio::sync::Mutex;
use tokio::time::Instant;

use super::error::{ProviderError, Service};
use super::http::{Call, Http};
use crate::config::{AuthMethod, CloudConfig, DomainRef};
use crate::sanitize::clean;
use crate::secret::Secret;

/// Refresh a token this long before Keystone says it expires.
const REFRESH_MARGIN: chrono::Duration = chrono::Duration::seconds(60);
/// Never keep a token longer than this, whatever its `expires_at` says (a far-future date is a
/// broken or hostile answer, not a token to keep for years).
const LONGEST_KEEP: chrono::Duration = chrono::Duration::seconds(24 * 3600);

/// What a token says about itself (never the token).
#[derive(Debug, Clone, PartialEq)]
pub struct TokenInfo {
    pub expires_at: DateTime<Utc>,
    pub user_name: String,
    pub project_id: Option<String>,
    pub project_name: Option<String>,
    pub catalog: Vec<CatalogService>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CatalogService {
    pub service_type: String,
    pub name: String,
    pub endpoints: Vec<CatalogEndpoint>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CatalogEndpoint {
    pub interface: String,
    pub region: Option<String>,
    pub url: String,
}

#[derive(Clone)]
struct Token {
    value: Secret,
    info: TokenInfo,
    /// When to get a new one, on the local monotonic clock.
    refresh_at: Instant,
}

/// Refresh `REFRESH_MARGIN` before the end of the token's lifetime as Keystone counts it
/// (`expires_at - issued_at`, so a skewed local clock does not matter); a token shorter-lived
/// than twice the margin is refreshed halfway, and none is kept past `LONGEST_KEEP`.
fn refresh_at(issued_at: Option<DateTime<Utc>>, expires_at: DateTime<Utc>) -> Instant {
    let lifetime = expires_at - issued_at.unwrap_or_else(Utc::now);
    let keep = if lifetime > REFRESH_MARGIN * 2 {
        lifetime - REFRESH_MARGIN
    } else {
        lifetime / 2
    };
    let keep = keep.min(LONGEST_KEEP).to_std().unwrap_or_default();
    let now = Instant::now();
    now.checked_add(keep).unwrap_or(now)
}

/// The shared part: configuration and the cached token.
pub(crate) struct IdentityState {
    cloud: CloudConfig,
    token: Mutex<Option<Token>>,
}

impl IdentityState {
    pub fn new(cloud: CloudConfig) -> Arc<Self> {
        Arc::new(Self {
            cloud,
            token: Mutex::new(None),
        })
    }
}

/// A site's Keystone client. Cheap to clone; clones share the token cache.
#[derive(Clone)]
pub struct Identity {
    http: Http,
    state: Arc<IdentityState>,
}

impl Identity {
    pub(crate) fn new(http: Http, state: Arc<IdentityState>) -> Self {
        Self { http, state }
    }

    /// The cached token's description, authenticating first if needed.
    pub async fn token_info(&self) -> Result<TokenInfo, ProviderError> {
        Ok(self.token().await?.1)
    }

    /// A fresh token (one POST), which replaces the cached one.
    pub async fn authenticate(&self) -> Result<TokenInfo, ProviderError> {
        let mut guard = self.state.token.lock().await;
        let token = self.issue().await?;
        let info = token.info.clone();
        *guard = Some(token);
        Ok(info)
    }

    /// A token is cached and not yet due for refresh (no call is made).
    pub async fn has_fresh_token(&self) -> bool {
        let guard = self.state.token.lock().await;
        guard
            .as_ref()
            .is_some_and(|t| Instant::now() < t.refresh_at)
    }

    /// `GET /auth/tokens`: asks Keystone whether the cached token is still valid.
    pub async fn validate(&self) -> Result<(), ProviderError> {
        let (token, _) = self.token().await?;
        let call = Call::new(Service::Identity, Method::GET, &self.base(), "/auth/tokens")
            .header("X-Auth-Token", token.expose())
            .header("X-Subject-Token", token.expose());
        let raw = self.http.send(&call).await?;
        if raw.is_success() {
            Ok(())
        } else {
            Err(self.http.status_error(&call, &raw))
        }
    }

    /// The URL of the first catalog entry of one of `service_types` for the configured interface
    /// and region (any region when none is configured).
    pub async fn endpoint(&self, service_types: &[&str]) -> Result<String, ProviderError> {
        let (_, info) = self.token().await?;
        let cloud = &self.state.cloud;
        select_endpoint(
            &info.catalog,
            service_types,
            &cloud.interface,
            cloud.region_name.as_deref(),
        )
        .ok_or_else(|| {
            let region = cloud.region_name.as_deref().unwrap_or("any region");
            ProviderError::config(
                &self.http.site,
                Service::Identity,
                "catalog",
                format!(
                    "no {} endpoint with interface {} in {region}",
                    service_types.join("/"),
                    cloud.interface
                ),
            )
        })
    }

    /// The token to send and its description; issues one when none is cached or it is about to
    /// expire.
    pub(crate) async fn token(&self) -> Result<(Secret, TokenInfo), ProviderError> {
        let mut guard = self.state.token.lock().await;
        if let Some(t) = guard.as_ref()
            && Instant::now() < t.refresh_at
        {
            return Ok((t.value.clone(), t.info.clone()));
        }
        let token = self.issue().await?;
        let out = (token.value.clone(), token.info.clone());
        *guard = Some(token);
        Ok(out)
    }

    /// Forget `rejected` (a service answered 401 with it); a newer token is kept.
    pub(crate) async fn invalidate(&self, rejected: &Secret) {
        let mut guard = self.state.token.lock().await;
        if guard.as_ref().is_some_and(|t| &t.value == rejected) {
            *guard = None;
        }
    }

    fn base(&self) -> String {
        self.state.cloud.auth_url.trim_end_matches('/').to_string()
    }

    async fn issue(&self) -> Result<Token, ProviderError> {
        let call = Call::new(
            Service::Identity,
            Method::POST,
            &self.base(),
            "/auth/tokens",
        )
        .json(auth_body(&self.state.cloud.auth))
        .idempotent(true);
        let raw = self.http.send(&call).await?;
        if !raw.is_success() {
            return Err(self.http.status_error(&call, &raw));
        }
        let value = raw
            .header("X-Subject-Token")
            .filter(|v| !v.is_empty())
            .map(Secret::new)
            .ok_or_else(|| {
                ProviderError::decode(
                    &self.http.site,
                    call.service,
                    &call.label,
                    "no X-Subject-Token",
                )
            })?;
        let body: wire::TokenBody = self.http.decode(&call, &raw)?;
        let refresh_at = refresh_at(body.token.issued_at, body.token.expires_at);
        Ok(Token {
            value,
            info: body.token.into_info(),
            refresh_at,
        })
    }
}

/// The first endpoint matching a type, an interface and (if given) a region.
pub fn select_endpoint(
    catalog: &[CatalogService],
    service_types: &[&str],
    interface: &str,
    region: Option<&str>,
) -> Option<String> {
    let interface = interface.trim_end_matches("URL");
    service_types.iter().find_map(|ty| {
        catalog
            .iter()
            .filter(|s| s.service_type == *ty)
            .flat_map(|s| s.endpoints.iter())
            .find(|e| {
                e.interface == interface && region.is_none_or(|r| e.region.as_deref() == Some(r))
            })
            .map(|e| e.url.trim_end_matches('/').to_string())
    })
}

fn domain(d: &DomainRef) -> Value {
    match d {
        DomainRef::Name(n) => json!({ "name": n }),
        DomainRef::Id(i) => json!({ "id": i }),
    }
}

/// The body of `POST /auth/tokens`. It holds the secret: never log it.
fn auth_body(auth: &AuthMethod) -> Value {
    match auth {
        AuthMethod::Password {
            username,
            user_domain,
            password,
            project_name,
            project_id,
            project_domain,
        } => {
            let identity = json!({ "methods": ["password"], "password": { "user": {
                "name": username, "domain": domain(user_domain), "password": password.expose() } } });
            let project = match (project_id, project_name) {
                (Some(id), _) => Some(json!({ "id": id })),
                (None, Some(name)) => {
                    Some(json!({ "name": name, "domain": domain(project_domain) }))
                }
                (None, None) => None,
            };
            match project {
                Some(p) => json!({ "auth": { "identity": identity, "scope": { "project": p } } }),
                None => json!({ "auth": { "identity": identity } }),
            }
        }
        AuthMethod::ApplicationCredential {
            id,
            name,
            username,
            user_domain,
            secret,
        } => {
            let mut cred = json!({ "secret": secret.expose() });
            if let Some(id) = id {
                cred["id"] = json!(id);
            } else {
                cred["name"] = json!(name);
                cred["user"] = json!({ "name": username, "domain": domain(user_domain) });
            }
            json!({ "auth": { "identity": { "methods": ["application_credential"],
                "application_credential": cred } } })
        }
    }
}

mod wire {
    use super::*;

    #[derive(Deserialize)]
    pub struct TokenBody {
        pub token: TokenWire,
    }

    #[derive(Deserialize)]
    pub struct TokenWire {
        pub expires_at: DateTime<Utc>,
        #[serde(default)]
        pub issued_at: Option<DateTime<Utc>>,
        #[serde(default)]
        user: Option<Named>,
        #[serde(default)]
        project: Option<Named>,
        #[serde(default)]
        catalog: Vec<ServiceWire>,
    }

    #[derive(Deserialize)]
    struct Named {
        #[serde(default)]
        id: Option<String>,
        #[serde(default)]
        name: Option<String>,
    }

    #[derive(Deserialize)]
    struct ServiceWire {
        #[serde(rename = "type")]
        ty: String,
        #[serde(default)]
        name: Option<String>,
        #[serde(default)]
        endpoints: Vec<EndpointWire>,
    }

    #[derive(Deserialize)]
    struct EndpointWire {
        interface: String,
        #[serde(default)]
        region: Option<String>,
        #[serde(default)]
        region_id: Option<String>,
        url: String,
    }

    impl TokenWire {
        pub fn into_info(self) -> TokenInfo {
            TokenInfo {
                expires_at: self.expires_at,
                user_name: self
                    .user
                    .and_then(|u| u.name)
                    .map(|n| clean(&n))
                    .unwrap_or_default(),
                project_id: self.project.as_ref().and_then(|p| p.id.clone()),
                project_name: self.project.and_then(|p| p.name).map(|n| clean(&n)),
                catalog: self
                    .catalog
                    .into_iter()
                    .map(|s| CatalogService {
                        service_type: s.ty,
                        name: s.name.map(|n| clean(&n)).unwrap_or_default(),
                        endpoints: s
                            .endpoints
                            .into_iter()
                            .map(|e| CatalogEndpoint {
                                interface: e.interface,
                                region: e.region.or(e.region_id),
                                url: e.url,
                            })
                            .collect(),
                    })
                    .collect(),
            }
        }
    }
}

#[cfg(test)]
pub(crate) fn refresh_at_for_test(
    issued_at: Option<DateTime<Utc>>,
    expires_at: DateTime<Utc>,
) -> Instant {
    refresh_at(issued_at, expires_at)
}
