//! drconsole's identity provider against a real Keystone (issue 13; run by .ci/contract/run).
//! `cargo run --example keystone_contract -- CLOUDS_YAML`: the file names the clouds `operator`
//! (password), `operator-appcred` (application credential), `operator-wrong` (a wrong password)
//! and `admin`. Prints one line per check and a summary; exits 1 on any failure.

use drconsole::config::clouds::CloudsFile;
use drconsole::config::{ArrayConfig, AuthMethod, CloudConfig, HttpPolicy, SiteConfig};
use drconsole::domain::SiteRole;
use drconsole::providers::SiteClient;
use drconsole::providers::identity::select_endpoint;
use drconsole::secret::Secret;
use serde_json::{Value, json};
use std::future::Future;
use std::path::Path;
use std::time::{Duration, Instant};

type Check = Result<String, String>;

struct Matrix {
    passed: usize,
    failed: usize,
}

impl Matrix {
    async fn run(&mut self, name: &str, check: impl Future<Output = Check>) {
        let started = Instant::now();
        let outcome = check.await;
        let ms = started.elapsed().as_millis();
        let (word, detail) = match &outcome {
            Ok(d) => ("PASS", d.as_str()),
            Err(d) => ("FAIL", d.as_str()),
        };
        println!("{word}  keystone {name:40} {ms:6} ms  {detail}");
        if outcome.is_ok() {
            self.passed += 1;
        } else {
            self.failed += 1;
        }
    }
}

fn site(cloud: CloudConfig) -> SiteConfig {
    SiteConfig {
        name: "keystone".into(),
        role: SiteRole::Production,
        array: ArrayConfig {
            url: "https://127.0.0.1:9/array".into(),
            name: "none".into(),
            api_token: Secret::new("unused"),
            verify: true,
            cacert: None,
            cinder_host: "unused".into(),
        },
        cloud,
    }
}

fn client(clouds: &CloudsFile, name: &str) -> Result<SiteClient, String> {
    let cloud = clouds.cloud(name).map_err(|e| e.to_string())?;
    SiteClient::new(&site(cloud), HttpPolicy::default()).map_err(|e| e.to_string())
}

/// The admin's token, from Keystone directly: what revokes the operator's tokens.
async fn admin_token(clouds: &CloudsFile, http: &reqwest::Client) -> Result<String, String> {
    let cloud = clouds.cloud("admin").map_err(|e| e.to_string())?;
    let AuthMethod::Password { password, .. } = &cloud.auth else {
        return Err("the admin cloud uses a password".into());
    };
    let body = json!({"auth": {"identity": {"methods": ["password"], "password": {"user": {
        "name": "admin", "domain": {"id": "default"}, "password": password.expose()}}},
        "scope": {"project": {"name": "admin", "domain": {"id": "default"}}}}});
    let r = http
        .post(format!("{}/auth/tokens", cloud.auth_url))
        .json(&body)
        .send()
        .await
        .map_err(|e| e.to_string())?;
    r.headers()
        .get("x-subject-token")
        .and_then(|v| v.to_str().ok())
        .map(str::to_string)
        .ok_or_else(|| format!("admin login: {}", r.status()))
}

/// Disabling a user revokes every token Keystone issued to it; enabling it lets it log in again.
async fn set_enabled(clouds: &CloudsFile, user: &str, enabled: bool) -> Result<(), String> {
    let http = reqwest::Client::new();
    let token = admin_token(clouds, &http).await?;
    let base = clouds.cloud("admin").map_err(|e| e.to_string())?.auth_url;
    let users: Value = http
        .get(format!("{base}/users?name={user}"))
        .header("x-auth-token", &token)
        .send()
        .await
        .map_err(|e| e.to_string())?
        .json()
        .await
        .map_err(|e| e.to_string())?;
    let id = users["users"][0]["id"].as_str().ok_or("no such user")?;
    let r = http
        .patch(format!("{base}/users/{id}"))
        .header("x-auth-token", &token)
        .json(&json!({"user": {"enabled": enabled}}))
        .send()
        .await
        .map_err(|e| e.to_string())?;
    r.status()
        .is_success()
        .then_some(())
        .ok_or_else(|| format!("PATCH user: {}", r.status()))
}

async fn password(clouds: &CloudsFile) -> Check {
    let c = client(clouds, "operator")?;
    let info = c
        .identity()
        .authenticate()
        .await
        .map_err(|e| e.to_string())?;
    c.identity().validate().await.map_err(|e| e.to_string())?;
    Ok(format!(
        "user {}, project {}, validated",
        info.user_name,
        info.project_name.unwrap_or_default()
    ))
}

async fn catalog(clouds: &CloudsFile) -> Check {
    let c = client(clouds, "operator")?;
    let info = c.identity().token_info().await.map_err(|e| e.to_string())?;
    let url = select_endpoint(&info.catalog, &["identity"], "public", Some("RegionOne"))
        .ok_or("no public identity endpoint in RegionOne")?;
    let cloud = clouds.cloud("operator").map_err(|e| e.to_string())?;
    let expected = cloud.auth_url.trim_end_matches("/v3");
    url.starts_with(expected)
        .then(|| format!("{} services; identity at {url}", info.catalog.len()))
        .ok_or_else(|| format!("identity endpoint {url}, expected {expected}"))
}

async fn application_credential(clouds: &CloudsFile) -> Check {
    let c = client(clouds, "operator-appcred")?;
    let info = c
        .identity()
        .authenticate()
        .await
        .map_err(|e| e.to_string())?;
    let project = info.project_name.ok_or("the token has no project scope")?;
    Ok(format!(
        "user {}, project {project} (from the credential)",
        info.user_name
    ))
}

async fn wrong_password(clouds: &CloudsFile) -> Check {
    let c = client(clouds, "operator-wrong")?;
    match c.identity().authenticate().await {
        Ok(_) => Err("a wrong password was accepted".into()),
        Err(e) if e.is_unauthorized() && !e.is_transient() => Ok(e.to_string()),
        Err(e) => Err(format!("not an authorization error: {e}")),
    }
}

/// A token revoked by Keystone is refused when validated; the next identity check gets a new
/// one (Keystone may refuse tokens issued in the second of the revocation: retried until a
/// deadline).
async fn revoked_token(clouds: &CloudsFile) -> Check {
    let c = client(clouds, "operator")?;
    c.identity()
        .authenticate()
        .await
        .map_err(|e| e.to_string())?;
    set_enabled(clouds, "operator", false).await?;
    set_enabled(clouds, "operator", true).await?;
    let refused = match c.identity().validate().await {
        Ok(()) => return Err("a revoked token still validates".into()),
        Err(e) if e.is_unauthorized() => e.to_string(),
        Err(e) => return Err(format!("not an authorization error: {e}")),
    };
    let deadline = Instant::now() + Duration::from_secs(10);
    let mut poll = tokio::time::interval(Duration::from_millis(250));
    loop {
        poll.tick().await;
        let probe = c.probe().await;
        if probe.reachable && c.identity().validate().await.is_ok() {
            return Ok(format!("refused ({refused}); a new token works"));
        }
        if Instant::now() > deadline {
            return Err(format!(
                "no new token after the revocation: {:?}",
                probe.error
            ));
        }
    }
}

#[tokio::main]
async fn main() {
    let Some(path) = std::env::args().nth(1) else {
        eprintln!("usage: keystone_contract CLOUDS_YAML");
        std::process::exit(2);
    };
    let clouds = match CloudsFile::read(Path::new(&path)) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("{e}");
            std::process::exit(2);
        }
    };
    let mut m = Matrix {
        passed: 0,
        failed: 0,
    };
    m.run("password", password(&clouds)).await;
    m.run("catalog", catalog(&clouds)).await;
    m.run("application credential", application_credential(&clouds))
        .await;
    m.run("wrong password", wrong_password(&clouds)).await;
    m.run("revoked token", revoked_token(&clouds)).await;
    println!(
        "keystone identity matrix: {} passed, {} failed",
        m.passed, m.failed
    );
    std::process::exit(if m.failed == 0 { 0 } else { 1 });
}
