//! Nova v2.1 at microversion 2.79: servers (list with pagination, find, stop, start, delete,
//! create from volumes on ports), flavors and the version document.

mod types;
mod wire;

use reqwest::Method;
use serde_json::json;

pub use types::*;

use super::error::{ProviderError, Service};
use super::session::Session;

/// Never follow more pages than this (a server that always says "next" must not loop us).
const MAX_PAGES: usize = 1000;

#[derive(Clone)]
pub struct Compute {
    session: Session,
}

impl Compute {
    pub(crate) fn new(session: Session) -> Self {
        Self { session }
    }

    /// `GET /` of the endpoint: Nova's version document.
    pub async fn version(&self) -> Result<ApiVersion, ProviderError> {
        let doc: wire::VersionDoc = self.session.get("").await?;
        Ok(doc.version.into())
    }

    pub async fn list_servers(&self) -> Result<Vec<Server>, ProviderError> {
        self.servers_where(Vec::new()).await
    }

    pub async fn get_server(&self, id: &str) -> Result<Option<Server>, ProviderError> {
        let one: Option<wire::ServerOne> = self.session.get_opt(&format!("/servers/{id}")).await?;
        Ok(one.map(|o| o.server.into()))
    }

    /// Servers named exactly `name` (Nova's filter is a regex, so it is checked here too).
    pub async fn find_servers_by_name(&self, name: &str) -> Result<Vec<Server>, ProviderError> {
        let filter = format!("^{}$", regex_escape(name));
        let servers = self.servers_where(vec![("name".into(), filter)]).await?;
        Ok(servers.into_iter().filter(|s| s.name == name).collect())
    }

    /// Servers whose metadata has `key` = `value` (Nova cannot filter on metadata: done here).
    pub async fn find_servers_by_metadata(
        &self,
        key: &str,
        value: &str,
    ) -> Result<Vec<Server>, ProviderError> {
        let servers = self.list_servers().await?;
        Ok(servers
            .into_iter()
            .filter(|s| s.metadata.get(key).map(String::as_str) == Some(value))
            .collect())
    }

    pub async fn stop(&self, id: &str) -> Result<(), ProviderError> {
        self.action(id, json!({ "os-stop": null })).await
    }

    pub async fn start(&self, id: &str) -> Result<(), ProviderError> {
        self.action(id, json!({ "os-start": null })).await
    }

    /// Deletes the server; one already gone is not an error.
    pub async fn delete(&self, id: &str) -> Result<(), ProviderError> {
        self.session.delete(&format!("/servers/{id}")).await
    }

    /// Boots a server from volumes on existing ports; returns its id. Not retried (not
    /// idempotent): look for it by metadata before trying again.
    pub async fn create_server(&self, req: &ServerCreate) -> Result<String, ProviderError> {
        let networks: Vec<_> = req.port_ids.iter().map(|p| json!({ "port": p })).collect();
        let bdm: Vec<_> = req
            .volume_ids
            .iter()
            .enumerate()
            .map(|(i, v)| {
                json!({ "boot_index": i, "uuid": v, "source_type": "volume",
                    "destination_type": "volume", "delete_on_termination": false })
            })
            .collect();
        let body = json!({ "server": { "name": req.name, "flavorRef": req.flavor_id,
            "networks": networks, "block_device_mapping_v2": bdm, "metadata": req.metadata } });
        let call = self
            .session
            .call(Method::POST, "/servers")
            .await?
            .json(body);
        let created: wire::Created = self.session.execute_json(call).await?;
        Ok(crate::sanitize::clean(&created.server.id))
    }

    pub async fn list_flavors(&self) -> Result<Vec<Flavor>, ProviderError> {
        let list: wire::FlavorList = self.session.get("/flavors/detail").await?;
        Ok(list.flavors.into_iter().map(Flavor::from).collect())
    }

    /// Stop and start are safe to send again: once done, a repeat is refused with 409, which
    /// callers take as done. So a lost answer is retried like a GET's.
    async fn action(&self, id: &str, body: serde_json::Value) -> Result<(), ProviderError> {
        let path = format!("/servers/{id}/action");
        let call = self
            .session
            .call(Method::POST, &path)
            .await?
            .json(body)
            .idempotent(true);
        self.session.execute(call).await.map(|_| ())
    }

    /// `GET /servers/detail` with `query`, following `servers_links` "next" to the end.
    async fn servers_where(
        &self,
        mut query: Vec<(String, String)>,
    ) -> Result<Vec<Server>, ProviderError> {
        let mut out = Vec::new();
        for _ in 0..MAX_PAGES {
            let mut call = self.session.call(Method::GET, "/servers/detail").await?;
            call.query = query.clone();
            let page: wire::ServerList = self.session.execute_json(call).await?;
            out.extend(page.servers.into_iter().map(Server::from));
            let next = page.servers_links.iter().find(|l| l.rel == "next");
            let Some(next_query) = next.and_then(|l| query_of(&l.href)) else {
                return Ok(out);
            };
            if next_query == query {
                return Ok(out);
            }
            query = next_query;
        }
        // A list cut short would be reported as the whole truth (a missing member, a false ✓).
        Err(ProviderError::decode(
            &self.session.http.site,
            Service::Compute,
            "GET /servers/detail",
            format!("still more pages after {MAX_PAGES}: the list does not end"),
        ))
    }
}

/// The query pairs of a "next" link (its host may be a proxy's: only the query is used).
fn query_of(href: &str) -> Option<Vec<(String, String)>> {
    let url = reqwest::Url::parse(href).ok()?;
    let pairs: Vec<(String, String)> = url
        .query_pairs()
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect();
    (!pairs.is_empty()).then_some(pairs)
}

fn regex_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if "\\.^$|?*+()[]{}".contains(c) {
            out.push('\\');
        }
        out.push(c);
    }
    out
}
