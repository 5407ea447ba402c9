//! Neutron: networks, subnets, ports, port creation and its 409s.

use super::fake::{Fake, reply};
use super::fixtures;
use crate::providers::ErrorKind;
use crate::providers::network::{FixedIp, PortCreate, PortFilter};

const PORTS: &str = "/network/v2.0/ports";

#[tokio::test]
async fn networks_subnets_and_find_by_name() {
    let fake = Fake::start().await;
    fake.on(
        "GET",
        "/network/v2.0/networks",
        vec![reply(200, fixtures::NETWORKS)],
    );
    fake.on(
        "GET",
        "/network/v2.0/subnets",
        vec![reply(200, fixtures::SUBNETS)],
    );
    let net = fake.client().network();
    let nets = net.list_networks().await.expect("networks");
    assert_eq!(nets[0].name, "net-web");
    assert_eq!(nets[0].subnet_ids, vec!["sub-1".to_string()]);
    let found = net
        .find_network("net-web")
        .await
        .expect("find")
        .expect("some");
    assert_eq!(found.id, "net-1");
    assert!(net.find_network("net-db").await.expect("find").is_none());
    assert_eq!(
        fake.seen("GET", "/network/v2.0/networks")[1].query,
        "name=net-web"
    );
    let subnets = net.list_subnets().await.expect("subnets");
    assert_eq!(
        (subnets[0].cidr.as_str(), subnets[0].ip_version),
        ("10.0.0.0/24", 4)
    );
}

#[tokio::test]
async fn ports_with_filters() {
    let fake = Fake::start().await;
    fake.on(
        "GET",
        PORTS,
        vec![reply(200, &format!(r#"{{"ports": [{}]}}"#, fixtures::PORT))],
    );
    let filter = PortFilter {
        device_id: Some("srv-1".into()),
        ..PortFilter::default()
    };
    let ports = fake
        .client()
        .network()
        .list_ports(&filter)
        .await
        .expect("ports");
    let p = &ports[0];
    assert_eq!(
        (p.id.as_str(), p.mac.as_str()),
        ("port-1", "fa:16:3e:12:34:56")
    );
    assert_eq!(
        p.fixed_ips,
        vec![FixedIp {
            subnet_id: "sub-1".into(),
            ip: "10.0.0.5".into()
        }]
    );
    assert_eq!(p.device_owner, "compute:nova");
    assert_eq!(fake.seen("GET", PORTS)[0].query, "device_id=srv-1");
}

#[tokio::test]
async fn create_port_keeps_the_address_and_409_is_a_conflict() {
    let fake = Fake::start().await;
    fake.on(
        "POST",
        PORTS,
        vec![
            reply(201, &format!(r#"{{"port": {}}}"#, fixtures::PORT)),
            reply(409, fixtures::NEUTRON_IP_TAKEN),
        ],
    );
    let req = PortCreate {
        network_id: "net-1".into(),
        name: "web-1-net-web".into(),
        ip: Some("10.0.0.5".into()),
        mac: Some("fa:16:3e:12:34:56".into()),
    };
    let net = fake.client().network();
    let port = net.create_port(&req).await.expect("create");
    assert_eq!(port.id, "port-1");
    let body = fake.seen("POST", PORTS)[0].json();
    let expected = serde_json::json!({"port": {"network_id": "net-1", "name": "web-1-net-web",
        "fixed_ips": [{"ip_address": "10.0.0.5"}], "mac_address": "fa:16:3e:12:34:56"}});
    assert_eq!(body, expected);

    let err = net.create_port(&req).await.expect_err("409");
    assert_eq!(err.kind, ErrorKind::Conflict);
    assert_eq!(
        err.message,
        "IP address 10.0.0.5 already allocated in subnet sub-1"
    );
    assert_eq!(fake.count("POST", PORTS), 2, "POST is not retried");
}

#[tokio::test]
async fn delete_port_and_neutron_not_found() {
    let fake = Fake::start().await;
    fake.on("DELETE", "/network/v2.0/ports/port-1", vec![reply(204, "")]);
    fake.on(
        "DELETE",
        "/network/v2.0/ports/gone",
        vec![reply(404, fixtures::NEUTRON_NOT_FOUND)],
    );
    fake.on("GET", PORTS, vec![reply(404, fixtures::NEUTRON_NOT_FOUND)]);
    let net = fake.client().network();
    net.delete_port("port-1").await.expect("delete");
    net.delete_port("gone").await.expect("404 is ok");
    let err = net
        .list_ports(&PortFilter::default())
        .await
        .expect_err("404");
    assert!(err.is_not_found());
    assert_eq!(err.message, "Port nope could not be found.");
}
