//! The array's session: `POST /api/2.17/login` with the API token gives an `x-auth-token`
//! session, sent on every other call; a 401 means it expired, so log in again once.

use std::sync::Arc;

use reqwest::Method;
use serde::de::DeserializeOwned;
use tokio::sync::Mutex;

use super::super::error::{ProviderError, Service};
use super::super::http::{Call, Http, Raw};
use crate::config::ArrayConfig;
use crate::secret::Secret;

pub(crate) const API: &str = "/api/2.17";

/// Items asked for per list call; longer lists come in pages, followed by continuation token.
pub(crate) const PAGE_SIZE: usize = 500;

/// Never follow more pages than this: an array that always hands out another continuation
/// token must not keep us reading (and holding) forever.
const MAX_PAGES: usize = 1000;

/// Shared by every clone of a site's array client.
pub(crate) struct ArrayAuth {
    pub config: ArrayConfig,
    session: Mutex<Option<Secret>>,
}

impl ArrayAuth {
    pub fn new(config: ArrayConfig) -> Arc<Self> {
        Arc::new(Self {
            config,
            session: Mutex::new(None),
        })
    }
}

#[derive(Clone)]
pub(crate) struct ArraySession {
    pub http: Http,
    pub auth: Arc<ArrayAuth>,
    /// `limit` of each list call.
    pub page_size: usize,
}

impl ArraySession {
    pub fn call(&self, method: Method, path: &str) -> Call {
        let base = self.auth.config.url.trim_end_matches('/');
        Call::new(Service::Array, method, base, &format!("{API}{path}"))
    }

    /// Ends the cached session (`POST /logout`), if there is one.
    pub async fn logout(&self) -> Result<(), ProviderError> {
        let Some(session) = self.auth.session.lock().await.take() else {
            return Ok(());
        };
        let call = self
            .call(Method::POST, "/logout")
            .header("x-auth-token", session.expose());
        let raw = self.http.send(&call).await?;
        if raw.is_success() || raw.status == 401 {
            Ok(())
        } else {
            Err(self.http.status_error(&call, &raw))
        }
    }

    /// A new session (one POST), which replaces the cached one.
    pub async fn login(&self) -> Result<(), ProviderError> {
        let mut guard = self.auth.session.lock().await;
        *guard = Some(self.issue().await?);
        Ok(())
    }

    async fn session(&self) -> Result<Secret, ProviderError> {
        let mut guard = self.auth.session.lock().await;
        if let Some(s) = guard.as_ref() {
            return Ok(s.clone());
        }
        let s = self.issue().await?;
        *guard = Some(s.clone());
        Ok(s)
    }

    async fn forget(&self, rejected: &Secret) {
        let mut guard = self.auth.session.lock().await;
        if guard.as_ref() == Some(rejected) {
            *guard = None;
        }
    }

    async fn issue(&self) -> Result<Secret, ProviderError> {
        let call = self
            .call(Method::POST, "/login")
            .header("api-token", self.auth.config.api_token.expose())
            .idempotent(true);
        let raw = self.http.send(&call).await?;
        if !raw.is_success() {
            return Err(self.http.status_error(&call, &raw));
        }
        raw.header("x-auth-token")
            .filter(|v| !v.is_empty())
            .map(Secret::new)
            .ok_or_else(|| {
                ProviderError::decode(
                    &self.http.site,
                    call.service,
                    &call.label,
                    "no x-auth-token",
                )
            })
    }

    /// Send with the session; log in again once on a 401. Only success returns Ok.
    pub async fn execute(&self, mut call: Call) -> Result<Raw, ProviderError> {
        let mut relogged = false;
        loop {
            let session = self.session().await?;
            call.headers.retain(|(n, _)| *n != "x-auth-token");
            call.headers
                .push(("x-auth-token", session.expose().to_string()));
            let raw = self.http.send(&call).await?;
            if raw.status == 401 && !relogged {
                tracing::info!(site = %self.http.site, call = %call.label,
                    "array session expired, logging in again");
                self.forget(&session).await;
                relogged = true;
                continue;
            }
            if raw.is_success() {
                return Ok(raw);
            }
            return Err(missing_is_not_found(self.http.status_error(&call, &raw)));
        }
    }

    /// Every item of a list, page after page (`limit`, then `continuation_token` until the
    /// array sets none). Answers to changes are one page: they carry what changed.
    pub async fn items<T: DeserializeOwned>(&self, call: Call) -> Result<Vec<T>, ProviderError> {
        if call.method != Method::GET {
            let raw = self.execute(call.clone()).await?;
            let page: super::wire::Items<T> = self.http.decode(&call, &raw)?;
            return Ok(page.items);
        }
        let first = call.query("limit", self.page_size.to_string());
        let mut out = Vec::new();
        let mut next = first.clone();
        for _ in 0..MAX_PAGES {
            let raw = self.execute(next.clone()).await?;
            let page: super::wire::Items<T> = self.http.decode(&next, &raw)?;
            if page.items.len() > self.page_size {
                // More than `limit` asked for: the array ignores the paging it promised, and
                // nothing then bounds what one list may hold.
                return Err(ProviderError::decode(
                    &self.http.site,
                    next.service,
                    &next.label,
                    format!(
                        "a page of {} items when at most {} were asked for (limit)",
                        page.items.len(),
                        self.page_size
                    ),
                ));
            }
            out.extend(page.items);
            match page.continuation_token.filter(|t| !t.is_empty()) {
                Some(token) => next = first.clone().query("continuation_token", token),
                None => return Ok(out),
            }
        }
        Err(ProviderError::decode(
            &self.http.site,
            first.service,
            &first.label,
            format!("still more pages after {MAX_PAGES}: the list does not end"),
        ))
    }
}

/// The array answers 400 "… does not exist." for a missing name (FlashArray REST 2.x): that is a
/// NotFound to its callers, so deleting what is already gone is not an error.
fn missing_is_not_found(mut e: ProviderError) -> ProviderError {
    if e.kind == crate::providers::ErrorKind::BadRequest
        && e.message.to_lowercase().contains("does not exist")
    {
        e.kind = crate::providers::ErrorKind::NotFound;
    }
    e
}
