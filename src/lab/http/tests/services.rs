//! What python-openstackclient needs beyond drconsole's own calls (issue 13): flavor extra specs,
//! Cinder's service list, volume create, manage with null fields, Nova-made ports that go with
//! their server, subnets with gateway and pool, and 404/405 bodies in each service's shape.

use crate::lab::testkit::{Harness, until};
use reqwest::Method;
use serde_json::json;

const A: &str = "site-a";

#[tokio::test]
async fn the_calls_the_openstack_client_makes_answer_as_the_services_do() {
    let h = Harness::new().await;
    let token = h.token(A).await;
    let compute = |p: &str| h.url(A, &format!("/compute/v2.1{p}"));
    let (code, specs) = h.get(&token, &compute("/flavors/2/os-extra_specs")).await;
    assert_eq!((code, specs), (200, json!({"extra_specs": {}})));
    let (code, err) = h.get(&token, &compute("/flavors/99/os-extra_specs")).await;
    assert_eq!(code, 404);
    assert!(err["itemNotFound"]["message"].is_string(), "{err}");
    let (code, err) = h.get(&token, &compute("/no-such-thing")).await;
    assert_eq!(code, 404);
    assert_eq!(err["itemNotFound"]["code"], 404, "{err}");
    let (code, err) = h.get(&token, &h.url(A, "/network/v2.0/nowhere")).await;
    assert_eq!(
        (code, err["NeutronError"]["type"].clone()),
        (404, json!("HTTPNotFound"))
    );

    let (_, subnets) = h
        .get(
            &token,
            &h.url(A, "/network/v2.0/subnets?name=net-web-subnet"),
        )
        .await;
    let subnet = &subnets["subnets"][0];
    assert_eq!(subnet["gateway_ip"], "10.0.1.1");
    assert_eq!(
        subnet["allocation_pools"],
        json!([{"start": "10.0.1.2", "end": "10.0.1.254"}])
    );

    let (token, volume) = h.volume_url(A).await;
    let (code, services) = h.get(&token, &format!("{volume}/os-services")).await;
    assert_eq!(code, 200);
    let binaries: Vec<&str> = services["services"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["binary"].as_str().unwrap())
        .collect();
    assert_eq!(binaries, ["cinder-scheduler", "cinder-volume"]);

    let body = json!({"volume": {"size": 1, "name": "scratch", "volume_type": "replicated",
        "metadata": null, "description": null}});
    let (code, made) = h
        .send(
            Method::POST,
            &token,
            &format!("{volume}/volumes"),
            Some(body),
        )
        .await;
    assert_eq!(code, 202, "{made}");
    assert_eq!(made["volume"]["status"], "creating");
    let id = made["volume"]["id"].as_str().unwrap().to_string();
    until(5, || async {
        let (_, v) = h.get(&token, &format!("{volume}/volumes/{id}")).await;
        (v["volume"]["status"] == "available").then_some(())
    })
    .await;
    let (code, wrong) = h
        .send(Method::PUT, &token, &format!("{volume}/volumes"), None)
        .await;
    assert_eq!(code, 405);
    assert!(
        wrong["HTTPMethodNotAllowed"]["message"].is_string(),
        "{wrong}"
    );
}

#[tokio::test]
async fn managing_accepts_null_fields_and_nova_made_ports_go_with_their_server() {
    let h = Harness::new().await;
    let (token, volume) = h.volume_url(A).await;
    let session = h.array_session(A).await;
    let (code, _) = h
        .send(
            Method::POST,
            &session,
            &h.url(A, "/array/api/2.17/volumes?names=loose"),
            Some(json!({"provisioned": 1u64 << 30})),
        )
        .await;
    assert_eq!(code, 200);
    let body = json!({"volume": {"host": "cinder@array#array", "ref": {"source-name": "loose"},
        "name": "loose", "description": null, "volume_type": null, "availability_zone": null,
        "metadata": null, "bootable": false}});
    let (code, managed) = h
        .send(
            Method::POST,
            &token,
            &format!("{volume}/manageable_volumes"),
            Some(body),
        )
        .await;
    assert_eq!(code, 202, "{managed}");
    assert_eq!(managed["volume"]["status"], "creating");

    let token = h.token(A).await;
    let (_, nets) = h
        .get(&token, &h.url(A, "/network/v2.0/networks?name=net-web"))
        .await;
    let net = nets["networks"][0]["id"].as_str().unwrap();
    let body = json!({"server": {"name": "temp", "flavorRef": "2", "networks": [{"uuid": net}]}});
    let (code, made) = h
        .send(
            Method::POST,
            &token,
            &h.url(A, "/compute/v2.1/servers"),
            Some(body),
        )
        .await;
    assert_eq!(code, 202);
    let id = made["server"]["id"].as_str().unwrap();
    let ports_of = |id: String| {
        let url = h.url(A, &format!("/network/v2.0/ports?device_id={id}"));
        let token = token.clone();
        let h = &h;
        async move {
            h.get(&token, &url).await.1["ports"]
                .as_array()
                .unwrap()
                .len()
        }
    };
    assert_eq!(ports_of(id.to_string()).await, 1);
    let (code, _) = h
        .send(
            Method::DELETE,
            &token,
            &h.url(A, &format!("/compute/v2.1/servers/{id}")),
            None,
        )
        .await;
    assert_eq!(code, 204);
    let (_, all) = h.get(&token, &h.url(A, "/network/v2.0/ports")).await;
    let left = all["ports"].as_array().unwrap();
    assert!(
        left.iter().all(|p| p["device_id"] != id && p["name"] != ""),
        "the port Nova made is gone with its server, its address free"
    );
}
