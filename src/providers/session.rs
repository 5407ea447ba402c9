//! An OpenStack service endpoint reached with the site's Keystone token: finds the endpoint in the
//! catalog, adds the token and microversion headers, re-authenticates once on a 401, and turns
//! non-success answers into `ProviderError`s.

use reqwest::Method;
use serde::de::DeserializeOwned;

use super::error::{ProviderError, Service};
use super::http::{Call, Http, Raw};
use super::identity::Identity;

#[derive(Clone)]
pub(crate) struct Session {
    pub http: Http,
    pub identity: Identity,
    pub service: Service,
    /// Catalog types, in order of preference (`volumev3`, `block-storage`).
    service_types: &'static [&'static str],
    headers: &'static [(&'static str, &'static str)],
    /// Removed from the catalog URL (Neutron's `/v2.0` is part of our paths).
    strip_suffix: Option<&'static str>,
}

impl Session {
    pub fn new(
        http: Http,
        identity: Identity,
        service: Service,
        service_types: &'static [&'static str],
        headers: &'static [(&'static str, &'static str)],
    ) -> Self {
        Self {
            http,
            identity,
            service,
            service_types,
            headers,
            strip_suffix: None,
        }
    }

    pub fn strip_suffix(mut self, suffix: &'static str) -> Self {
        self.strip_suffix = Some(suffix);
        self
    }

    /// A call to `path` under the service's catalog endpoint.
    pub async fn call(&self, method: Method, path: &str) -> Result<Call, ProviderError> {
        let mut base = self.identity.endpoint(self.service_types).await?;
        if let Some(suffix) = self.strip_suffix
            && base.ends_with(suffix)
        {
            base.truncate(base.len() - suffix.len());
        }
        let mut call = Call::new(self.service, method, &base, path);
        for (name, value) in self.headers {
            call = call.header(name, *value);
        }
        Ok(call)
    }

    /// Send with the token; on a 401 get a new token and send once more. Only success returns Ok.
    pub async fn execute(&self, mut call: Call) -> Result<Raw, ProviderError> {
        let mut reauthenticated = false;
        loop {
            let (token, _) = self.identity.token().await?;
            call.headers.retain(|(n, _)| *n != "X-Auth-Token");
            call.headers
                .push(("X-Auth-Token", token.expose().to_string()));
            let raw = self.http.send(&call).await?;
            if raw.status == 401 && !reauthenticated {
                tracing::info!(site = %self.http.site, service = %self.service,
                    call = %call.label, "token rejected, authenticating again");
                self.identity.invalidate(&token).await;
                reauthenticated = true;
                continue;
            }
            if raw.is_success() {
                return Ok(raw);
            }
            return Err(self.http.status_error(&call, &raw));
        }
    }

    pub async fn execute_json<T: DeserializeOwned>(&self, call: Call) -> Result<T, ProviderError> {
        let raw = self.execute(call.clone()).await?;
        self.http.decode(&call, &raw)
    }

    pub async fn get<T: DeserializeOwned>(&self, path: &str) -> Result<T, ProviderError> {
        let call = self.call(Method::GET, path).await?;
        self.execute_json(call).await
    }

    /// A GET whose 404 means "there is none".
    pub async fn get_opt<T: DeserializeOwned>(
        &self,
        path: &str,
    ) -> Result<Option<T>, ProviderError> {
        match self.get(path).await {
            Ok(v) => Ok(Some(v)),
            Err(e) if e.is_not_found() => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// A DELETE whose 404 means "already gone".
    pub async fn delete(&self, path: &str) -> Result<(), ProviderError> {
        let call = self.call(Method::DELETE, path).await?;
        match self.execute(call).await {
            Ok(_) => Ok(()),
            Err(e) if e.is_not_found() => Ok(()),
            Err(e) => Err(e),
        }
    }
}
