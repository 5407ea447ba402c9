//! Cinder: volumes, types, manageable volumes, manage and unmanage.

use super::fake::{Fake, reply};
use super::fixtures;
use crate::providers::ErrorKind;
use crate::providers::volume::ManageVolume;

const BASE: &str = "/volume/v3/p1";

#[tokio::test]
async fn volumes_parse_bootable_strings_attachments_and_host() {
    let fake = Fake::start().await;
    fake.on(
        "GET",
        &format!("{BASE}/volumes/detail"),
        vec![reply(
            200,
            &format!(r#"{{"volumes": [{}]}}"#, fixtures::VOLUME),
        )],
    );
    fake.on(
        "GET",
        &format!("{BASE}/volumes/vol-1"),
        vec![reply(
            200,
            &format!(r#"{{"volume": {}}}"#, fixtures::VOLUME),
        )],
    );
    let vol = fake.client().volume();
    let v = &vol.list_volumes().await.expect("volumes")[0];
    assert_eq!(
        (v.id.as_str(), v.name.as_str(), v.status.as_str()),
        ("vol-1", "web-1-boot", "in-use")
    );
    assert_eq!(v.size_gb, 20);
    assert!(v.bootable);
    assert_eq!(v.volume_type.as_deref(), Some("replicated"));
    assert_eq!(v.attachments[0].server_id, "srv-1");
    assert_eq!(v.attachments[0].device.as_deref(), Some("/dev/vda"));
    assert_eq!(v.replication_status.as_deref(), Some("enabled"));
    assert_eq!(v.host.as_deref(), Some("cinder@array#array"));
    assert!(vol.get_volume("vol-1").await.expect("get").is_some());
    assert!(vol.get_volume("nope").await.expect("get").is_none());
    let seen = &fake.seen("GET", &format!("{BASE}/volumes/detail"))[0];
    assert_eq!(seen.header("OpenStack-API-Version"), Some("volume 3.59"));
}

#[tokio::test]
async fn types_know_whether_replication_is_enabled() {
    let fake = Fake::start().await;
    fake.on(
        "GET",
        &format!("{BASE}/types"),
        vec![reply(200, fixtures::VOLUME_TYPES)],
    );
    let types = fake
        .client()
        .volume()
        .list_volume_types()
        .await
        .expect("types");
    assert!(types[0].replication_enabled);
    assert_eq!(types[0].extra_specs["replication_type"], "<in> async");
    assert!(!types[1].replication_enabled);
}

#[tokio::test]
async fn manageable_volumes_manage_and_unmanage() {
    let fake = Fake::start().await;
    let path = format!("{BASE}/manageable_volumes");
    fake.on("GET", &path, vec![reply(200, fixtures::MANAGEABLE)]);
    let creating = fixtures::VOLUME.replace("\"in-use\"", "\"creating\"");
    fake.on(
        "POST",
        &path,
        vec![
            reply(202, &format!(r#"{{"volume": {creating}}}"#)),
            reply(400, fixtures::CINDER_BAD_REQUEST),
        ],
    );
    fake.on(
        "POST",
        &format!("{BASE}/volumes/vol-1/action"),
        vec![reply(202, "")],
    );
    fake.on(
        "DELETE",
        &format!("{BASE}/volumes/vol-1"),
        vec![reply(202, "")],
    );
    let vol = fake.client().volume();

    let m = vol
        .list_manageable_volumes("cinder@array#array")
        .await
        .expect("list");
    assert_eq!(m[0].source_name, "web-1-boot-dr");
    assert!(m[0].safe_to_manage);
    assert_eq!((m[0].size_gb, m[0].cinder_id.clone()), (20, None));
    assert_eq!(
        fake.seen("GET", &path)[0].query,
        "host=cinder%40array%23array"
    );

    let req = ManageVolume {
        host: "cinder@array#array".into(),
        source_name: "web-1-boot-dr".into(),
        name: "web-1-boot".into(),
        volume_type: Some("replicated".into()),
        bootable: true,
        metadata: [("drconsole:operation".to_string(), "op-1".to_string())].into(),
    };
    let v = vol.manage_volume(&req).await.expect("manage");
    assert_eq!(v.status, "creating");
    let expected = serde_json::json!({"volume": {"host": "cinder@array#array", "ref":
        {"source-name": "web-1-boot-dr"}, "name": "web-1-boot", "volume_type": "replicated",
        "bootable": true, "metadata": {"drconsole:operation": "op-1"}}});
    assert_eq!(fake.seen("POST", &path)[0].json(), expected);

    let err = vol.manage_volume(&req).await.expect_err("400");
    assert_eq!(err.kind, ErrorKind::BadRequest);
    assert_eq!(err.message, "Invalid volume type: nope");

    vol.unmanage_volume("vol-1").await.expect("unmanage");
    let body = fake.seen("POST", &format!("{BASE}/volumes/vol-1/action"))[0].json();
    assert_eq!(body, serde_json::json!({"os-unmanage": {}}));
    vol.delete_volume("vol-1").await.expect("delete");
}
