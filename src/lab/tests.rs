//! The lab as a whole: restart from its directory, and client files a config loader accepts.

use super::testkit::Harness;
use reqwest::Method;
use serde_json::json;

#[tokio::test]
async fn a_restart_keeps_the_world() {
    let h = Harness::new().await;
    let token = h.token("site-a").await;
    let url = h.url("site-a", "/network/v2.0/ports");
    let (_, nets) = h
        .get(
            &token,
            &h.url("site-a", "/network/v2.0/networks?name=net-db"),
        )
        .await;
    let net = nets["networks"][0]["id"].as_str().unwrap();
    let body = json!({"port": {"network_id": net, "name": "kept",
        "fixed_ips": [{"ip_address": "10.0.2.99"}]}});
    let (code, _) = h.send(Method::POST, &token, &url, Some(body)).await;
    assert_eq!(code, 201);
    let body = json!({"server": {"name": "kept-server", "flavorRef": "m1.small",
        "networks": [{"uuid": net}]}});
    let (code, _) = h
        .send(
            Method::POST,
            &token,
            &h.url("site-a", "/compute/v2.1/servers"),
            Some(body),
        )
        .await;
    assert_eq!(code, 202);
    let port_a = h.lab.site_url("site-a").unwrap();
    let Harness { lab, dir, http } = h;
    lab.shutdown().await.unwrap();

    let h = Harness::in_dir(dir).await;
    // A client that trusted the first start's CA still trusts the restarted lab.
    let r = http
        .get(h.url("site-a", "/identity/v3"))
        .send()
        .await
        .expect("the kept CA signs the restarted lab's certificate");
    assert_eq!(r.status(), 200);
    assert_eq!(
        h.lab.site_url("site-a").unwrap(),
        port_a,
        "the port is remembered"
    );
    let token = h.token("site-a").await;
    let (_, ports) = h.get(&token, &format!("{url}?name=kept")).await;
    assert_eq!(ports["ports"][0]["fixed_ips"][0]["ip_address"], "10.0.2.99");
    let (_, servers) = h
        .get(
            &token,
            &h.url("site-a", "/compute/v2.1/servers/detail?name=kept-server"),
        )
        .await;
    assert_eq!(servers["servers"].as_array().unwrap().len(), 1);
}

#[tokio::test]
async fn the_client_files_load_as_a_configuration() {
    let h = Harness::new().await;
    let files = h.lab.write_client_files().unwrap();
    let loaded = crate::config::load(&files.config).unwrap();
    assert_eq!(loaded.config.sites.len(), 2);
    assert_eq!(loaded.config.groups.len(), 3);
    let site = loaded.config.site("site-a").unwrap();
    assert_eq!(
        site.cloud.auth_url,
        format!("{}/identity/v3", h.lab.site_url("site-a").unwrap())
    );
    assert!(site.cloud.auth_url.starts_with("https://127.0.0.1:"));
    assert!(site.array.url.starts_with("https://127.0.0.1:"));
    let ca = std::fs::canonicalize(h.dir.path().join("ca.pem")).unwrap();
    assert_eq!(site.cloud.cacert.as_deref(), Some(ca.as_path()));
    assert_eq!(site.array.cacert.as_deref(), Some(ca.as_path()));
    assert!(site.cloud.verify && site.array.verify);
    assert!(loaded.warnings.is_empty(), "{:?}", loaded.warnings);
    use std::os::unix::fs::PermissionsExt;
    let mode = std::fs::metadata(&files.clouds_yaml)
        .unwrap()
        .permissions()
        .mode();
    assert_eq!(mode & 0o077, 0, "clouds.yaml is private");
}

#[tokio::test]
async fn plain_http_keeps_the_old_mode() {
    let dir = tempfile::tempdir().unwrap();
    let mut opts = super::LabOptions::for_tests(dir.path());
    opts.plain_http = true;
    let lab = super::LabHandle::start(opts).await.unwrap();
    let files = lab.write_client_files().unwrap();
    let url = lab.site_url("site-a").unwrap();
    assert!(url.starts_with("http://127.0.0.1:"), "{url}");
    assert!(lab.ca_file().is_none());
    let r = reqwest::get(format!("{url}/identity/v3")).await.unwrap();
    assert_eq!(r.status(), 200);
    let loaded = crate::config::load(&files.config).unwrap();
    let site = loaded.config.site("site-a").unwrap();
    assert!(site.cloud.cacert.is_none() && site.array.cacert.is_none());
    lab.shutdown().await.unwrap();
}
