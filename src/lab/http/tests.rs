//! The lab's services over real HTTP: identity, the documented shapes, server lifecycle,
//! manage/unmanage, ports, replication, and the faults.

mod array;
mod query;
mod services;

use crate::lab::testkit::{Harness, until};
use reqwest::Method;
use serde_json::{Value, json};

const A: &str = "site-a";
const B: &str = "site-b";

fn keys(v: &Value) -> Vec<&str> {
    v.as_object().unwrap().keys().map(String::as_str).collect()
}

fn has_all(v: &Value, fields: &[&str]) {
    let k = keys(v);
    for f in fields {
        assert!(k.contains(f), "missing {f} in {v}");
    }
}

#[tokio::test]
async fn tokens_are_issued_and_required() {
    let h = Harness::new().await;
    let (token, body) = h.login(A).await;
    let types: Vec<&str> = body["token"]["catalog"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["type"].as_str().unwrap())
        .collect();
    for t in [
        "identity",
        "compute",
        "network",
        "volumev3",
        "block-storage",
    ] {
        assert!(types.contains(&t), "{types:?}");
    }
    has_all(
        &body["token"],
        &[
            "methods",
            "expires_at",
            "issued_at",
            "user",
            "project",
            "roles",
        ],
    );
    let servers = h.url(A, "/compute/v2.1/servers/detail");
    assert_eq!(h.get(&token, &servers).await.0, 200);
    let (code, err) = h.get("nonsense", &servers).await;
    assert_eq!(code, 401);
    assert_eq!(err["error"]["code"], 401);
    let r = h.http.get(&servers).send().await.unwrap();
    assert_eq!(r.status(), 401);
    // The token validates, and a token of site-a is not one of site-b.
    let r = h
        .http
        .get(h.url(A, "/identity/v3/auth/tokens"))
        .header("x-auth-token", &token)
        .header("x-subject-token", &token)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(
        h.get(&token, &h.url(B, "/compute/v2.1/servers/detail"))
            .await
            .0,
        401
    );
    // Bad password.
    let bad = json!({"auth": {"identity": {"methods": ["password"], "password": {"user": {
        "name": "operator", "domain": {"name": "Default"}, "password": "wrong"}}}}});
    let r = h
        .http
        .post(h.url(A, "/identity/v3/auth/tokens"))
        .json(&bad)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 401);
}

#[tokio::test]
async fn application_credentials_and_revocation() {
    let h = Harness::new().await;
    let yaml = std::fs::read_to_string(h.dir.path().join("clouds.yaml")).unwrap();
    let field = |k: &str| {
        yaml.lines()
            .find(|l| l.trim().starts_with(k))
            .unwrap()
            .split(':')
            .nth(1)
            .unwrap()
            .trim()
            .to_string()
    };
    let body = json!({"auth": {"identity": {"methods": ["application_credential"],
        "application_credential": {"id": field("application_credential_id"),
            "secret": field("application_credential_secret")}}}});
    let r = h
        .http
        .post(h.url(A, "/identity/v3/auth/tokens"))
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 201);
    let token = r.headers()["x-subject-token"].to_str().unwrap().to_string();
    let session = h.array_session(A).await;
    let (code, _) = h.lab_post(A, "/lab/v1/tokens/revoke", json!({})).await;
    assert_eq!(code, 204);
    assert_eq!(
        h.get(&token, &h.url(A, "/compute/v2.1/flavors/detail"))
            .await
            .0,
        401
    );
    let (code, err) = h.get(&session, &h.url(A, "/array/api/2.17/volumes")).await;
    assert_eq!(code, 401);
    assert!(err["errors"].is_array(), "{err}");
}

#[tokio::test]
async fn version_documents_and_microversions() {
    let h = Harness::new().await;
    let get = |p: &str| {
        let u = h.url(A, p);
        let c = h.http.clone();
        async move {
            c.get(u)
                .send()
                .await
                .unwrap()
                .json::<Value>()
                .await
                .unwrap()
        }
    };
    let id = get("/identity/v3").await;
    assert_eq!(id["version"]["id"], "v3.14");
    has_all(&id["version"], &["status", "links", "media-types"]);
    let c = get("/compute/v2.1").await;
    assert_eq!(c["version"]["version"], "2.96");
    assert_eq!(c["version"]["min_version"], "2.1");
    let n = get("/network").await;
    assert_eq!(n["versions"][0]["id"], "v2.0");
    let v = get("/volume/v3").await;
    assert_eq!(v["versions"][0]["id"], "v3.0");
    has_all(
        &v["versions"][0],
        &["version", "min_version", "links", "status"],
    );

    let token = h.token(A).await;
    let r = h
        .http
        .get(h.url(A, "/compute/v2.1/flavors/detail"))
        .header("x-auth-token", &token)
        .header("openstack-api-version", "compute 2.79")
        .send()
        .await
        .unwrap();
    assert_eq!(r.headers()["openstack-api-version"], "compute 2.79");
    let flavors: Value = r.json().await.unwrap();
    has_all(
        &flavors["flavors"][0],
        &["id", "name", "vcpus", "ram", "disk"],
    );
    let r = h
        .http
        .get(h.url(A, "/compute/v2.1/servers/detail"))
        .header("x-auth-token", &token)
        .header("openstack-api-version", "compute 2.97")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 406);
}

#[tokio::test]
async fn documented_shapes_are_served() {
    let h = Harness::new().await;
    let token = h.token(A).await;
    let (_, list) = h
        .get(
            &token,
            &h.url(A, "/compute/v2.1/servers/detail?name=^web-1$"),
        )
        .await;
    let servers = list["servers"].as_array().unwrap();
    assert_eq!(servers.len(), 1);
    let s = &servers[0];
    has_all(
        s,
        &[
            "id",
            "name",
            "status",
            "flavor",
            "addresses",
            "os-extended-volumes:volumes_attached",
            "metadata",
            "OS-EXT-STS:vm_state",
            "OS-EXT-STS:task_state",
            "OS-EXT-STS:power_state",
            "created",
            "updated",
            "tenant_id",
            "user_id",
            "image",
            "links",
        ],
    );
    assert_eq!(s["status"], "ACTIVE");
    has_all(&s["flavor"], &["original_name", "vcpus", "ram", "disk"]);
    let addr = &s["addresses"]["net-web"][0];
    has_all(
        addr,
        &[
            "addr",
            "version",
            "OS-EXT-IPS:type",
            "OS-EXT-IPS-MAC:mac_addr",
        ],
    );
    assert!(
        addr["OS-EXT-IPS-MAC:mac_addr"]
            .as_str()
            .unwrap()
            .starts_with("fa:16:3e:")
    );
    let server_id = s["id"].as_str().unwrap();

    // Paging.
    let (_, page) = h
        .get(&token, &h.url(A, "/compute/v2.1/servers/detail?limit=4"))
        .await;
    assert_eq!(page["servers"].as_array().unwrap().len(), 4);
    let next = page["servers_links"][0]["href"].as_str().unwrap();
    let (_, rest) = h.get(&token, next).await;
    assert_eq!(rest["servers"].as_array().unwrap().len(), 4);
    let next = rest["servers_links"][0]["href"].as_str().unwrap();
    let (_, last) = h.get(&token, next).await;
    assert_eq!(last["servers"].as_array().unwrap().len(), 2);
    assert!(last.get("servers_links").is_none());

    let (_, nets) = h
        .get(&token, &h.url(A, "/network/v2.0/networks?name=net-web"))
        .await;
    let net = &nets["networks"][0];
    has_all(
        net,
        &[
            "id",
            "name",
            "status",
            "subnets",
            "admin_state_up",
            "project_id",
            "shared",
        ],
    );
    let (_, subnets) = h.get(&token, &h.url(A, "/network/v2.0/subnets")).await;
    has_all(
        &subnets["subnets"][0],
        &["id", "name", "network_id", "cidr", "ip_version"],
    );
    let (_, ports) = h
        .get(
            &token,
            &h.url(A, &format!("/network/v2.0/ports?device_id={server_id}")),
        )
        .await;
    let p = &ports["ports"][0];
    has_all(
        p,
        &[
            "id",
            "name",
            "network_id",
            "mac_address",
            "fixed_ips",
            "device_id",
            "device_owner",
            "status",
            "project_id",
        ],
    );
    assert_eq!(p["device_owner"], "compute:nova");
    assert_eq!(p["status"], "ACTIVE");
    has_all(&p["fixed_ips"][0], &["subnet_id", "ip_address"]);

    let (_, vurl) = h.volume_url(A).await;
    let (_, vols) = h.get(&token, &format!("{vurl}/volumes/detail")).await;
    let v = &vols["volumes"][0];
    has_all(
        v,
        &[
            "id",
            "name",
            "status",
            "size",
            "volume_type",
            "bootable",
            "attachments",
            "replication_status",
            "metadata",
            "created_at",
            "availability_zone",
            "os-vol-host-attr:host",
        ],
    );
    assert_eq!(v["bootable"], "true");
    assert_eq!(v["replication_status"], "enabled");
    has_all(
        &v["attachments"][0],
        &["server_id", "attachment_id", "volume_id", "device", "id"],
    );
    let (_, types) = h.get(&token, &format!("{vurl}/types")).await;
    let rep = types["volume_types"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["name"] == "replicated")
        .unwrap();
    assert_eq!(rep["extra_specs"]["replication_enabled"], "<is> True");

    let session = h.array_session(A).await;
    let arr = |p: &str| h.url(A, &format!("/array/api/2.17/{p}"));
    let (_, conns) = h.get(&session, &arr("array-connections")).await;
    has_all(&conns, &["items", "continuation_token", "total_item_count"]);
    assert_eq!(conns["items"][0]["name"], "array-b");
    let (_, vols) = h.get(&session, &arr("volumes?names=web-1-boot")).await;
    has_all(
        &vols["items"][0],
        &[
            "id",
            "name",
            "provisioned",
            "created",
            "source",
            "destroyed",
            "serial",
        ],
    );
    let (_, pgs) = h
        .get(&session, &arr("protection-groups?names=web-app-pg"))
        .await;
    let pg = &pgs["items"][0];
    has_all(
        pg,
        &[
            "name",
            "source",
            "target_count",
            "volume_count",
            "replication_schedule",
        ],
    );
    assert_eq!(pg["volume_count"], 3);
    // 60 s of lab time at the tests' speed (100×), in the wall-clock time snapshots are stamped in.
    assert_eq!(pg["replication_schedule"]["frequency"], 600);
    let (code, err) = h
        .get(&session, &arr("protection-groups?names=nope-pg"))
        .await;
    assert_eq!(code, 400);
    assert_eq!(err["errors"][0]["context"], "nope-pg");
    let (_, members) = h
        .get(
            &session,
            &arr("protection-groups/volumes?group_names=db-cluster-pg"),
        )
        .await;
    assert_eq!(members["total_item_count"], 4);
    let (_, targets) = h
        .get(
            &session,
            &arr("protection-groups/targets?group_names=web-app-pg"),
        )
        .await;
    assert_eq!(targets["items"][0]["member"]["name"], "array-b");
    assert_eq!(targets["items"][0]["allowed"], true);
}

/// Copies web-1-boot's newest replicated snapshot on array-b into `name`, then manages it.
async fn managed_copy_at_b(h: &Harness, name: &str) -> String {
    let session = h.array_session(B).await;
    let arr = |p: &str| h.url(B, &format!("/array/api/2.17/{p}"));
    let (_, snaps) = h
        .get(
            &session,
            &arr("protection-group-snapshots?source_names=array-a:web-app-pg"),
        )
        .await;
    assert!(
        snaps["items"].as_array().is_some_and(|i| !i.is_empty()),
        "{snaps}"
    );
    let newest = snaps["items"].as_array().unwrap().last().unwrap()["name"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(newest.starts_with("array-a:web-app-pg."), "{newest}");
    let source = format!("{newest}.web-1-boot");
    let body = json!({"source": {"name": source}});
    let url = arr(&format!("volumes?names={name}"));
    let (code, made) = h
        .send(Method::POST, &session, &url, Some(body.clone()))
        .await;
    assert_eq!(code, 200, "{made}");
    assert_eq!(made["items"][0]["source"]["name"], source.as_str());
    assert_eq!(
        h.send(Method::POST, &session, &url, Some(body)).await.0,
        400
    );

    let (token, vurl) = h.volume_url(B).await;
    let (_, manageable) = h
        .get(
            &token,
            &format!("{vurl}/manageable_volumes?host=cinder@array%23array"),
        )
        .await;
    let listed = manageable["manageable-volumes"]
        .as_array()
        .unwrap()
        .iter()
        .any(|m| m["reference"]["source-name"] == name && m["safe_to_manage"] == true);
    assert!(listed, "{manageable}");
    let body = json!({"volume": {"host": "cinder@array#array", "ref": {"source-name": name},
        "name": "web-1-boot", "volume_type": "replicated", "bootable": true,
        "metadata": {"drconsole:operation": "op1"}}});
    let (code, v) = h
        .send(
            Method::POST,
            &token,
            &format!("{vurl}/manageable_volumes"),
            Some(body),
        )
        .await;
    assert_eq!(code, 202, "{v}");
    assert_eq!(v["volume"]["status"], "creating");
    let id = v["volume"]["id"].as_str().unwrap().to_string();
    until(5, || async {
        let (_, v) = h.get(&token, &format!("{vurl}/volumes/{id}")).await;
        (v["volume"]["status"] == "available").then_some(())
    })
    .await;
    id
}

async fn port_at(h: &Harness, site: &str, token: &str, ip: &str, mac: &str) -> (u16, Value) {
    let (_, nets) = h
        .get(token, &h.url(site, "/network/v2.0/networks?name=net-web"))
        .await;
    let net = nets["networks"][0]["id"].as_str().unwrap();
    let body = json!({"port": {"network_id": net, "name": "web-1-net-web",
        "fixed_ips": [{"ip_address": ip}], "mac_address": mac}});
    h.send(
        Method::POST,
        token,
        &h.url(site, "/network/v2.0/ports"),
        Some(body),
    )
    .await
}

async fn create_server(h: &Harness, token: &str, name: &str, volume: &str, port: &str) -> String {
    let body = json!({"server": {"name": name, "flavorRef": "2",
        "networks": [{"port": port}],
        "block_device_mapping_v2": [{"boot_index": 0, "uuid": volume, "source_type": "volume",
            "destination_type": "volume", "delete_on_termination": false}],
        "metadata": {"drconsole:group": "web-app", "drconsole:operation": "op1"}}});
    let (code, made) = h
        .send(
            Method::POST,
            token,
            &h.url(B, "/compute/v2.1/servers"),
            Some(body),
        )
        .await;
    assert_eq!(code, 202, "{made}");
    has_all(
        &made["server"],
        &["id", "links", "OS-DCF:diskConfig", "security_groups"],
    );
    made["server"]["id"].as_str().unwrap().to_string()
}

async fn server_status(h: &Harness, token: &str, id: &str) -> Value {
    let (_, s) = h
        .get(token, &h.url(B, &format!("/compute/v2.1/servers/{id}")))
        .await;
    s["server"].clone()
}

#[tokio::test]
async fn a_server_boots_from_a_managed_volume_and_a_port_then_stops() {
    let h = Harness::new().await;
    let volume = managed_copy_at_b(&h, "web-1-boot-fo1").await;
    let token = h.token(B).await;
    let (code, port) = port_at(&h, B, &token, "10.0.1.10", "fa:16:3e:00:00:01").await;
    assert_eq!(code, 201, "{port}");
    let port_id = port["port"]["id"].as_str().unwrap().to_string();
    let id = create_server(&h, &token, "web-1", &volume, &port_id).await;
    assert_eq!(server_status(&h, &token, &id).await["status"], "BUILD");
    until(5, || async {
        (server_status(&h, &token, &id).await["status"] == "ACTIVE").then_some(())
    })
    .await;
    let s = server_status(&h, &token, &id).await;
    assert_eq!(s["addresses"]["net-web"][0]["addr"], "10.0.1.10");
    assert_eq!(
        s["addresses"]["net-web"][0]["OS-EXT-IPS-MAC:mac_addr"],
        "fa:16:3e:00:00:01"
    );
    assert_eq!(
        s["os-extended-volumes:volumes_attached"][0]["id"],
        volume.as_str()
    );
    assert_eq!(s["metadata"]["drconsole:group"], "web-app");

    let action = h.url(B, &format!("/compute/v2.1/servers/{id}/action"));
    let start = Some(json!({"os-start": null}));
    assert_eq!(
        h.send(Method::POST, &token, &action, start.clone()).await.0,
        409
    );
    let stop = Some(json!({"os-stop": null}));
    assert_eq!(h.send(Method::POST, &token, &action, stop).await.0, 202);
    until(5, || async {
        (server_status(&h, &token, &id).await["status"] == "SHUTOFF").then_some(())
    })
    .await;
    assert_eq!(
        server_status(&h, &token, &id).await["OS-EXT-STS:power_state"],
        4
    );

    // Delete: the port stays, unbound; the volume is available and can be unmanaged.
    let url = h.url(B, &format!("/compute/v2.1/servers/{id}"));
    assert_eq!(h.send(Method::DELETE, &token, &url, None).await.0, 204);
    assert_eq!(h.get(&token, &url).await.0, 404);
    let (_, p) = h
        .get(&token, &h.url(B, &format!("/network/v2.0/ports/{port_id}")))
        .await;
    assert_eq!(p["port"]["device_id"], "");
    let (_, vurl) = h.volume_url(B).await;
    let vol_url = format!("{vurl}/volumes/{volume}");
    assert_eq!(
        h.get(&token, &vol_url).await.1["volume"]["status"],
        "available"
    );
    let unmanage = Some(json!({"os-unmanage": {}}));
    let (code, _) = h
        .send(Method::POST, &token, &format!("{vol_url}/action"), unmanage)
        .await;
    assert_eq!(code, 202);
    assert_eq!(h.get(&token, &vol_url).await.0, 404);
    let session = h.array_session(B).await;
    let (code, _) = h
        .get(
            &session,
            &h.url(B, "/array/api/2.17/volumes?names=web-1-boot-fo1"),
        )
        .await;
    assert_eq!(code, 200, "the array keeps an unmanaged volume");
}

#[tokio::test]
async fn a_boot_failure_fault_makes_the_server_error() {
    let h = Harness::new().await;
    let volume = managed_copy_at_b(&h, "web-2-boot-fo1").await;
    let token = h.token(B).await;
    let (_, port) = port_at(&h, B, &token, "10.0.1.11", "fa:16:3e:00:00:02").await;
    let (code, f) = h
        .lab_post(
            B,
            "/lab/v1/faults",
            json!({"kind": "boot_failure", "server": "web-2"}),
        )
        .await;
    assert_eq!(code, 201, "{f}");
    let id = create_server(
        &h,
        &token,
        "web-2",
        &volume,
        port["port"]["id"].as_str().unwrap(),
    )
    .await;
    let s = until(5, || async {
        let s = server_status(&h, &token, &id).await;
        (s["status"] == "ERROR").then_some(s)
    })
    .await;
    assert_eq!(s["fault"]["code"], 500);
    assert!(s["fault"]["message"].as_str().unwrap().contains("web-2"));
}

#[tokio::test]
async fn taken_addresses_conflict() {
    let h = Harness::new().await;
    let token = h.token(A).await;
    // 10.0.1.10 belongs to web-1 in the demo.
    let (code, err) = port_at(&h, A, &token, "10.0.1.10", "fa:16:3e:aa:bb:cc").await;
    assert_eq!(code, 409);
    assert_eq!(err["NeutronError"]["type"], "IpAddressAlreadyAllocated");
    let (code, _) = port_at(&h, A, &token, "10.0.1.200", "fa:16:3e:aa:bb:cc").await;
    assert_eq!(code, 201);
    let (code, err) = port_at(&h, A, &token, "10.0.1.201", "fa:16:3e:aa:bb:cc").await;
    assert_eq!(code, 409);
    assert_eq!(err["NeutronError"]["type"], "MacAddressInUse");
}

fn a_url(h: &Harness, path: &str) -> String {
    h.url(A, &format!("/array/api/2.17/{path}"))
}

async fn arrived(h: &Harness, session: &str) -> Vec<String> {
    let (_, snaps) = h
        .get(
            session,
            &h.url(
                B,
                "/array/api/2.17/protection-group-snapshots?source_names=array-a:web-app-pg",
            ),
        )
        .await;
    snaps["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["name"].as_str().unwrap().to_string())
        .collect()
}

#[tokio::test]
async fn snapshots_replicate_and_can_stall() {
    let h = Harness::new().await;
    let sa = h.array_session(A).await;
    let sb = h.array_session(B).await;
    let take = h.url(
        A,
        "/array/api/2.17/protection-group-snapshots?source_names=web-app-pg&replicate_now=true",
    );
    let (code, made) = h.send(Method::POST, &sa, &take, None).await;
    assert_eq!(code, 200, "{made}");
    let snap = made["items"][0]["name"].as_str().unwrap().to_string();
    has_all(
        &made["items"][0],
        &["name", "source", "suffix", "created", "destroyed"],
    );
    let expected = format!("array-a:{snap}");
    until(5, || async {
        arrived(&h, &sb).await.contains(&expected).then_some(())
    })
    .await;
    let (_, t) = h
        .get(
            &sa,
            &h.url(
                A,
                &format!("/array/api/2.17/protection-group-snapshots/transfer?names={snap}"),
            ),
        )
        .await;
    assert_eq!(t["items"][0]["progress"], 1.0);
    assert!(t["items"][0]["completed"].is_i64());
    let (_, vs) = h
        .get(
            &sb,
            &h.url(
                B,
                &format!("/array/api/2.17/volume-snapshots?source_names={expected}"),
            ),
        )
        .await;
    let names: Vec<&str> = vs["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v["name"].as_str().unwrap())
        .collect();
    assert!(
        names.contains(&format!("{expected}.web-1-boot").as_str()),
        "{names:?}"
    );

    // Stalled: nothing new arrives, however long we wait.
    let (code, _) = h
        .lab_post(B, "/lab/v1/faults", json!({"kind": "replication_stalled"}))
        .await;
    assert_eq!(code, 201);
    let before = arrived(&h, &sb).await.last().cloned();
    let (_, made) = h.send(Method::POST, &sa, &take, None).await;
    let stalled = format!("array-a:{}", made["items"][0]["name"].as_str().unwrap());
    let suffix: u64 = made["items"][0]["suffix"]
        .as_str()
        .unwrap()
        .parse()
        .unwrap();
    // Two scheduled snapshots later a full interval has passed since ours: long enough for its
    // transfer, had replication not been stalled.
    until(10, || async {
        let (_, s) = h
            .get(
                &sa,
                &a_url(&h, "protection-group-snapshots?source_names=web-app-pg"),
            )
            .await;
        let newer = s["items"]
            .as_array()?
            .iter()
            .filter_map(|i| i["suffix"].as_str()?.parse::<u64>().ok())
            .filter(|n| *n > suffix)
            .count();
        (newer >= 2).then_some(())
    })
    .await;
    assert_eq!(arrived(&h, &sb).await.last().cloned(), before);
    let transfer = a_url(
        &h,
        &format!(
            "protection-group-snapshots/transfer?names={}",
            &stalled["array-a:".len()..]
        ),
    );
    let (_, t) = h.get(&sa, &transfer).await;
    assert_eq!(t["items"][0]["progress"], 0.0, "{t}");
    let r = h
        .http
        .delete(h.url(B, "/lab/v1/faults"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 204);
    until(5, || async {
        arrived(&h, &sb).await.contains(&stalled).then_some(())
    })
    .await;
}

#[tokio::test]
async fn a_down_site_drops_connections_but_its_control_api_answers() {
    let h = Harness::new().await;
    let token = h.token(A).await;
    let (code, f) = h
        .lab_post(A, "/lab/v1/faults", json!({"kind": "site_down"}))
        .await;
    assert_eq!(code, 201);
    let id = f["fault"]["id"].as_str().unwrap().to_string();
    let err = h
        .http
        .get(h.url(A, "/compute/v2.1/servers/detail"))
        .header("x-auth-token", &token)
        .send()
        .await
        .unwrap_err();
    assert!(!err.is_status(), "{err}");
    let status: Value = h
        .http
        .get(h.lab.status_url(A).unwrap())
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(status["faults"][0]["kind"], "site_down");
    // Site B is unaffected.
    assert_eq!(
        h.get(&h.token(B).await, &h.url(B, "/compute/v2.1/flavors"))
            .await
            .0,
        200
    );
    let r = h
        .http
        .delete(h.url(A, &format!("/lab/v1/faults/{id}")))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 204);
    assert_eq!(
        h.get(&token, &h.url(A, "/compute/v2.1/servers/detail"))
            .await
            .0,
        200
    );
}

#[tokio::test]
async fn a_counted_error_rate_fails_exactly_that_many_calls() {
    let h = Harness::new().await;
    let token = h.token(A).await;
    let (code, _) = h
        .lab_post(
            A,
            "/lab/v1/faults",
            json!({"kind": "error_rate", "service": "compute", "rate": 1.0, "count": 1}),
        )
        .await;
    assert_eq!(code, 201);
    // Other services are untouched.
    assert_eq!(
        h.get(&token, &h.url(A, "/network/v2.0/networks")).await.0,
        200
    );
    let url = h.url(A, "/compute/v2.1/servers/detail");
    let (code, err) = h.get(&token, &url).await;
    assert_eq!(code, 500);
    assert_eq!(err["computeFault"]["code"], 500);
    assert_eq!(h.get(&token, &url).await.0, 200);
    let status: Value = h
        .http
        .get(h.lab.status_url(A).unwrap())
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(status["requests"]["compute"]["GET"], 2);
    assert_eq!(status["faults"].as_array().unwrap().len(), 0);
    assert_eq!(status["site"], "site-a");
}

#[tokio::test]
async fn bad_faults_are_refused() {
    let h = Harness::new().await;
    let (code, err) = h
        .lab_post(A, "/lab/v1/faults", json!({"kind": "meteor"}))
        .await;
    assert_eq!(code, 400);
    assert!(err["error"].as_str().unwrap().contains("site_down"));
    let (code, _) = h
        .lab_post(A, "/lab/v1/faults", json!({"kind": "boot_failure"}))
        .await;
    assert_eq!(code, 400);
}

#[tokio::test]
async fn replication_reverses_when_the_groups_are_rebuilt() {
    let h = Harness::new().await;
    let sa = h.array_session(A).await;
    let sb = h.array_session(B).await;
    let b = |p: &str| h.url(B, &format!("/array/api/2.17/{p}"));
    let a = |p: &str| h.url(A, &format!("/array/api/2.17/{p}"));
    let newest = arrived(&h, &sb).await.last().cloned().unwrap();
    let body = json!({"source": {"name": format!("{newest}.web-1-boot")}});
    let (code, _) = h
        .send(
            Method::POST,
            &sb,
            &b("volumes?names=web-1-boot-fo1"),
            Some(body),
        )
        .await;
    assert_eq!(code, 200);
    let (code, pg) = h
        .send(
            Method::POST,
            &sb,
            &b("protection-groups?names=web-app-pg"),
            None,
        )
        .await;
    assert_eq!(code, 200, "{pg}");
    assert_eq!(pg["items"][0]["source"]["name"], "array-b");
    let add = "protection-groups/volumes?group_names=web-app-pg&member_names=web-1-boot-fo1";
    assert_eq!(h.send(Method::POST, &sb, &b(add), None).await.0, 200);
    let target = "protection-groups/targets?group_names=web-app-pg&member_names=array-a";
    assert_eq!(h.send(Method::POST, &sb, &b(target), None).await.0, 200);
    let stop = "protection-groups/targets?group_names=web-app-pg&member_names=array-b";
    assert_eq!(h.send(Method::DELETE, &sa, &a(stop), None).await.0, 200);
    let (_, targets) = h
        .get(&sa, &a("protection-groups/targets?group_names=web-app-pg"))
        .await;
    assert_eq!(targets["total_item_count"], 0);

    let take = "protection-group-snapshots?source_names=web-app-pg&replicate_now=true";
    let (_, made) = h.send(Method::POST, &sb, &b(take), None).await;
    let expected = format!("array-b:{}", made["items"][0]["name"].as_str().unwrap());
    until(5, || async {
        let (_, s) = h
            .get(
                &sa,
                &a("protection-group-snapshots?source_names=array-b:web-app-pg"),
            )
            .await;
        let names: Vec<&str> = s["items"]
            .as_array()?
            .iter()
            .filter_map(|i| i["name"].as_str())
            .collect();
        names.contains(&expected.as_str()).then_some(())
    })
    .await;
}

#[tokio::test]
async fn latency_faults_slow_calls_and_faults_expire() {
    let h = Harness::new().await;
    let token = h.token(A).await;
    let until_at = chrono::Utc::now() + chrono::Duration::milliseconds(600);
    let (code, _) = h
        .lab_post(
            A,
            "/lab/v1/faults",
            json!({"kind": "latency", "service": "network", "latency_ms": 200, "until": until_at}),
        )
        .await;
    assert_eq!(code, 201);
    let started = std::time::Instant::now();
    assert_eq!(h.get(&token, &h.url(A, "/network/v2.0/ports")).await.0, 200);
    assert!(started.elapsed() >= std::time::Duration::from_millis(200));
    until(5, || async {
        let (_, faults) = h.get("", &h.url(A, "/lab/v1/faults")).await;
        faults["faults"].as_array()?.is_empty().then_some(())
    })
    .await;
    assert!(
        chrono::Utc::now() >= until_at,
        "the fault holds until its time"
    );
}
