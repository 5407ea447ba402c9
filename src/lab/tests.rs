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
    let Harness { lab, dir, .. } = h;
    lab.shutdown().await.unwrap();

    let h = Harness::in_dir(dir).await;
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
    use std::os::unix::fs::PermissionsExt;
    let mode = std::fs::metadata(&files.clouds_yaml)
        .unwrap()
        .permissions()
        .mode();
    assert_eq!(mode & 0o077, 0, "clouds.yaml is private");
}
