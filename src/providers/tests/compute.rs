//! Nova: servers with pagination, one server, names, metadata, actions, create, flavors.

use super::fake::{Fake, reply};
use super::fixtures;
use crate::providers::ErrorKind;
use crate::providers::compute::{ServerAddress, ServerCreate};

const DETAIL: &str = "/compute/v2.1/servers/detail";

fn page(servers: &[String], next: Option<&str>) -> String {
    let links = next.map_or(String::new(), |m| {
        format!(r#", "servers_links": [{{"rel": "next", "href": "http://127.0.0.1:PORT/compute/v2.1/servers/detail?limit=1&marker={m}"}}]"#)
    });
    format!(r#"{{"servers": [{}]{links}}}"#, servers.join(","))
}

#[tokio::test]
async fn lists_servers_following_next_links_and_sends_microversions() {
    let fake = Fake::start().await;
    fake.on(
        "GET",
        DETAIL,
        vec![
            reply(
                200,
                &page(&[fixtures::SERVER_WEB1.to_string()], Some("srv-1")),
            ),
            reply(
                200,
                &page(&[fixtures::server("srv-2", "web-2", "{}")], None),
            ),
        ],
    );
    let servers = fake
        .client()
        .compute()
        .list_servers()
        .await
        .expect("servers");
    assert_eq!(servers.len(), 2);
    let s = &servers[0];
    assert_eq!(
        (s.id.as_str(), s.name.as_str(), s.status.as_str()),
        ("srv-1", "web-1", "ACTIVE")
    );
    assert_eq!(s.flavor_name, "m1.large");
    assert_eq!(
        s.addresses,
        vec![ServerAddress {
            network: "net-web".into(),
            ip: "10.0.0.5".into(),
            mac: Some("fa:16:3e:12:34:56".into())
        }]
    );
    assert_eq!(s.volume_ids, vec!["vol-id".to_string()]);
    assert_eq!(s.task_state, None);
    assert_eq!(servers[1].name, "web-2");

    let seen = fake.seen("GET", DETAIL);
    assert_eq!(seen.len(), 2);
    assert_eq!(seen[0].query, "");
    assert_eq!(seen[1].query, "limit=1&marker=srv-1");
    assert_eq!(
        seen[0].header("OpenStack-API-Version"),
        Some("compute 2.79")
    );
    assert_eq!(seen[0].header("X-OpenStack-Nova-API-Version"), Some("2.79"));
}

#[tokio::test]
async fn gets_one_server_and_404_is_none() {
    let fake = Fake::start().await;
    let one = format!(r#"{{"server": {}}}"#, fixtures::SERVER_WEB1);
    fake.on("GET", "/compute/v2.1/servers/srv-1", vec![reply(200, &one)]);
    let compute = fake.client().compute();
    let s = compute
        .get_server("srv-1")
        .await
        .expect("get")
        .expect("some");
    assert_eq!(s.name, "web-1");
    assert!(compute.get_server("nope").await.expect("get").is_none());
}

#[tokio::test]
async fn finds_by_exact_name_and_by_metadata() {
    let fake = Fake::start().await;
    let servers = [
        fixtures::server("srv-1", "web-1", r#"{"drconsole:group": "web-app"}"#),
        fixtures::server("srv-10", "web-10", "{}"),
    ];
    fake.on("GET", DETAIL, vec![reply(200, &page(&servers, None))]);
    let compute = fake.client().compute();
    let found = compute.find_servers_by_name("web-1").await.expect("find");
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].id, "srv-1");
    assert_eq!(fake.seen("GET", DETAIL)[0].query, "name=%5Eweb-1%24");

    let found = compute
        .find_servers_by_metadata("drconsole:group", "web-app")
        .await
        .expect("find");
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].metadata["drconsole:group"], "web-app");
}

#[tokio::test]
async fn stop_start_and_a_conflict_carries_novas_message() {
    let fake = Fake::start().await;
    let action = "/compute/v2.1/servers/srv-1/action";
    fake.on(
        "POST",
        action,
        vec![
            reply(202, ""),
            reply(202, ""),
            reply(409, fixtures::NOVA_CONFLICT),
        ],
    );
    let compute = fake.client().compute();
    compute.stop("srv-1").await.expect("stop");
    compute.start("srv-1").await.expect("start");
    let err = compute.stop("srv-1").await.expect_err("409");
    assert!(err.is_conflict());
    assert_eq!(
        err.to_string(),
        "site-a compute: POST /servers/srv-1/action failed: 409 Conflict: Cannot 'stop' instance while it is in vm_state stopped"
    );
    let bodies: Vec<_> = fake.seen("POST", action).iter().map(|s| s.json()).collect();
    assert_eq!(bodies[0], serde_json::json!({"os-stop": null}));
    assert_eq!(bodies[1], serde_json::json!({"os-start": null}));
}

#[tokio::test]
async fn delete_of_a_missing_server_is_ok() {
    let fake = Fake::start().await;
    fake.on(
        "DELETE",
        "/compute/v2.1/servers/srv-1",
        vec![reply(204, "")],
    );
    let compute = fake.client().compute();
    compute.delete("srv-1").await.expect("delete");
    compute.delete("gone").await.expect("404 is ok");
}

#[tokio::test]
async fn create_server_sends_the_documented_body() {
    let fake = Fake::start().await;
    fake.on(
        "POST",
        "/compute/v2.1/servers",
        vec![reply(202, fixtures::SERVER_CREATED)],
    );
    let req = ServerCreate {
        name: "web-1".into(),
        flavor_id: "f1".into(),
        port_ids: vec!["port-1".into()],
        volume_ids: vec!["vol-1".into()],
        metadata: [("drconsole:group".to_string(), "web-app".to_string())].into(),
    };
    let id = fake
        .client()
        .compute()
        .create_server(&req)
        .await
        .expect("create");
    assert_eq!(id, "srv-new");
    let body = fake.seen("POST", "/compute/v2.1/servers")[0].json();
    let expected = serde_json::json!({"server": {"name": "web-1", "flavorRef": "f1",
        "networks": [{"port": "port-1"}],
        "block_device_mapping_v2": [{"boot_index": 0, "uuid": "vol-1", "source_type": "volume",
            "destination_type": "volume", "delete_on_termination": false}],
        "metadata": {"drconsole:group": "web-app"}}});
    assert_eq!(body, expected);
}

#[tokio::test]
async fn a_503_on_create_server_is_not_retried() {
    let fake = Fake::start().await;
    fake.on(
        "POST",
        "/compute/v2.1/servers",
        vec![
            reply(503, fixtures::NOVA_FAULT),
            reply(202, fixtures::SERVER_CREATED),
        ],
    );
    let err = fake
        .client()
        .compute()
        .create_server(&ServerCreate::default())
        .await
        .expect_err("503");
    assert_eq!(err.kind, ErrorKind::Server(503));
    assert!(err.is_transient());
    assert_eq!(err.message, "Service temporarily unavailable");
    assert_eq!(fake.count("POST", "/compute/v2.1/servers"), 1);
}

#[tokio::test]
async fn flavors_and_version() {
    let fake = Fake::start().await;
    fake.on(
        "GET",
        "/compute/v2.1/flavors/detail",
        vec![reply(200, fixtures::FLAVORS)],
    );
    fake.on(
        "GET",
        "/compute/v2.1",
        vec![reply(200, fixtures::COMPUTE_VERSION)],
    );
    let compute = fake.client().compute();
    let flavors = compute.list_flavors().await.expect("flavors");
    assert_eq!(flavors[1].name, "m1.small");
    assert_eq!(
        (flavors[1].vcpus, flavors[1].ram_mb, flavors[1].disk_gb),
        (1, 2048, 20)
    );
    let v = compute.version().await.expect("version");
    assert_eq!(
        (v.id.as_str(), v.max_microversion.as_str()),
        ("v2.1", "2.96")
    );
}

#[tokio::test]
async fn an_error_server_has_its_fault_and_strings_are_sanitised() {
    let fake = Fake::start().await;
    let s = fixtures::server("srv-1", "web-1\\u001b[2J", "{}").replace(
        "\"status\": \"ACTIVE\"",
        "\"status\": \"ERROR\", \"fault\": {\"code\": 500, \"message\": \"No valid host\\u0007\"}",
    );
    fake.on(
        "GET",
        "/compute/v2.1/servers/srv-1",
        vec![reply(200, &format!(r#"{{"server": {s}}}"#))],
    );
    let server = fake
        .client()
        .compute()
        .get_server("srv-1")
        .await
        .expect("get")
        .expect("some");
    assert_eq!(server.name, "web-1[2J");
    assert_eq!(server.status, "ERROR");
    assert_eq!(server.fault.as_deref(), Some("No valid host"));
}
