//! Test support: a lab in a temp dir, a plain HTTP client, logins read from the written client
//! files, and polling until the lazy world shows a state.

use super::{LabHandle, LabOptions};
use crate::config::AuthMethod;
use crate::config::clouds::CloudsFile;
use serde_json::{Value, json};
use std::time::Duration;

pub struct Harness {
    pub lab: LabHandle,
    pub dir: tempfile::TempDir,
    pub http: reqwest::Client,
}

/// A plain client that trusts the lab's CA in `dir` (as a client given ca.pem would).
pub fn client(dir: &std::path::Path) -> reqwest::Client {
    let _ = rustls::crypto::ring::default_provider().install_default();
    let pem = std::fs::read(super::tls::ca_path(dir)).unwrap();
    reqwest::Client::builder()
        .timeout(Duration::from_secs(10))
        .add_root_certificate(reqwest::Certificate::from_pem(&pem).unwrap())
        .build()
        .unwrap()
}

impl Harness {
    pub async fn new() -> Self {
        let dir = tempfile::tempdir().unwrap();
        Self::in_dir(dir).await
    }

    pub async fn in_dir(dir: tempfile::TempDir) -> Self {
        let lab = LabHandle::start(LabOptions::for_tests(dir.path()))
            .await
            .unwrap();
        lab.write_client_files().unwrap();
        Self {
            lab,
            http: client(dir.path()),
            dir,
        }
    }

    pub fn url(&self, site: &str, path: &str) -> String {
        format!("{}{path}", self.lab.site_url(site).unwrap())
    }

    fn password(&self, site: &str) -> String {
        let clouds = CloudsFile::read(&self.dir.path().join("clouds.yaml")).unwrap();
        match clouds.cloud(&format!("lab-{site}")).unwrap().auth {
            AuthMethod::Password { password, .. } => password.expose().to_string(),
            other => panic!("{other:?}"),
        }
    }

    /// Issues a token with the password; returns (token, body).
    pub async fn login(&self, site: &str) -> (String, Value) {
        let body = json!({"auth": {"identity": {"methods": ["password"], "password": {"user": {
            "name": "operator", "domain": {"name": "Default"}, "password": self.password(site)}}},
            "scope": {"project": {"name": "dr-demo", "domain": {"name": "Default"}}}}});
        let r = self
            .http
            .post(self.url(site, "/identity/v3/auth/tokens"))
            .json(&body)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 201);
        let token = r.headers()["x-subject-token"].to_str().unwrap().to_string();
        (token, r.json().await.unwrap())
    }

    pub async fn token(&self, site: &str) -> String {
        self.login(site).await.0
    }

    /// The Cinder endpoint (ends in the project id).
    pub async fn volume_url(&self, site: &str) -> (String, String) {
        let (token, body) = self.login(site).await;
        let project = body["token"]["project"]["id"].as_str().unwrap().to_string();
        (token, self.url(site, &format!("/volume/v3/{project}")))
    }

    pub async fn get(&self, token: &str, url: &str) -> (u16, Value) {
        let r = self
            .http
            .get(url)
            .header("x-auth-token", token)
            .header("openstack-api-version", "compute 2.79, volume 3.59")
            .send()
            .await
            .unwrap();
        let status = r.status().as_u16();
        (status, r.json().await.unwrap_or(Value::Null))
    }

    pub async fn send(
        &self,
        method: reqwest::Method,
        token: &str,
        url: &str,
        body: Option<Value>,
    ) -> (u16, Value) {
        let mut req = self
            .http
            .request(method, url)
            .header("x-auth-token", token)
            .header("openstack-api-version", "volume 3.59");
        if let Some(b) = body {
            req = req.json(&b);
        }
        let r = req.send().await.unwrap();
        let status = r.status().as_u16();
        (status, r.json().await.unwrap_or(Value::Null))
    }

    pub async fn array_session(&self, site: &str) -> String {
        let array = if site == "site-a" {
            "array-a"
        } else {
            "array-b"
        };
        let token =
            std::fs::read_to_string(self.dir.path().join(format!("{array}.token"))).unwrap();
        let r = self
            .http
            .post(self.url(site, "/array/api/2.17/login"))
            .header("api-token", token.trim())
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200);
        r.headers()["x-auth-token"].to_str().unwrap().to_string()
    }

    pub async fn lab_post(&self, site: &str, path: &str, body: Value) -> (u16, Value) {
        let r = self
            .http
            .post(self.url(site, path))
            .json(&body)
            .send()
            .await
            .unwrap();
        let status = r.status().as_u16();
        (status, r.json().await.unwrap_or(Value::Null))
    }
}

/// Polls `f` every 20 ms until it returns Some, for at most `secs` seconds.
pub async fn until<T, F, Fut>(secs: u64, mut f: F) -> T
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Option<T>>,
{
    let deadline = tokio::time::Instant::now() + Duration::from_secs(secs);
    let mut poll = tokio::time::interval(Duration::from_millis(20));
    loop {
        poll.tick().await;
        if let Some(v) = f().await {
            return v;
        }
        assert!(tokio::time::Instant::now() < deadline, "timed out waiting");
    }
}
