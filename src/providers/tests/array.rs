//! The array: login and session, connections, volumes, protection groups, snapshots, transfers.

use chrono::{TimeZone, Utc};

use super::fake::{Fake, reply};
use super::fixtures;
use crate::providers::ErrorKind;

const API: &str = "/array/api/2.17";

fn p(path: &str) -> String {
    format!("{API}{path}")
}

#[tokio::test]
async fn login_then_state_with_the_session_header() {
    let fake = Fake::start().await;
    fake.on(
        "GET",
        &p("/array-connections"),
        vec![reply(200, fixtures::ARRAY_CONNECTIONS)],
    );
    let array = fake.client().array();
    let state = array.state().await.expect("state");
    assert_eq!(state.name.as_deref(), Some("array-a"));
    let c = &state.connections[0];
    assert_eq!(
        (c.name.as_str(), c.status.as_str(), c.kind.as_str()),
        ("array-b", "connected", "async-replication")
    );
    let login = &fake.seen("POST", &p("/login"))[0];
    assert_eq!(login.header("api-token"), Some("array-api-token-secret"));
    let seen = &fake.seen("GET", &p("/array-connections"))[0];
    assert_eq!(seen.header("x-auth-token"), Some("sess-1"));
    array.state().await.expect("state");
    assert_eq!(fake.count("POST", &p("/login")), 1, "the session is reused");
}

#[tokio::test]
async fn an_expired_session_logs_in_again() {
    let fake = Fake::start().await;
    fake.on(
        "GET",
        &p("/array-connections"),
        vec![
            reply(401, r#"{"errors": [{"message": "Session expired."}]}"#),
            reply(200, fixtures::ARRAY_CONNECTIONS),
        ],
    );
    fake.client().array().state().await.expect("state");
    assert_eq!(fake.count("POST", &p("/login")), 2);
}

#[tokio::test]
async fn volumes_create_from_snapshot_destroy_and_eradicate() {
    let fake = Fake::start().await;
    let vols = p("/volumes");
    fake.on("GET", &vols, vec![reply(200, fixtures::ARRAY_VOLUMES)]);
    fake.on(
        "POST",
        &vols,
        vec![
            reply(200, fixtures::ARRAY_VOLUMES),
            reply(400, fixtures::ARRAY_NAME_TAKEN),
        ],
    );
    fake.on("PATCH", &vols, vec![reply(200, fixtures::ARRAY_VOLUMES)]);
    fake.on("DELETE", &vols, vec![reply(200, "")]);
    let array = fake.client().array();

    let v = array
        .volumes(&["web-1-boot", "web-1-boot-dr"])
        .await
        .expect("volumes");
    assert_eq!(
        fake.seen("GET", &vols)[0].query,
        "names=web-1-boot%2Cweb-1-boot-dr&limit=500"
    );
    assert_eq!(v[0].provisioned_bytes, 21_474_836_480);
    assert_eq!(
        v[0].created,
        Utc.timestamp_millis_opt(1_764_000_000_000).single()
    );
    assert_eq!(v[0].source, None);
    assert_eq!(
        v[1].source.as_deref(),
        Some("array-a:web-app-pg.2291.web-1-boot")
    );

    let created = array
        .create_volume_from_snapshot("web-1-boot-dr", "array-a:web-app-pg.2291.web-1-boot")
        .await
        .expect("create");
    assert_eq!(created.name, "web-1-boot");
    let post = &fake.seen("POST", &vols)[0];
    assert_eq!(post.query, "names=web-1-boot-dr");
    assert_eq!(
        post.json(),
        serde_json::json!({"source": {"name": "array-a:web-app-pg.2291.web-1-boot"}})
    );
    let err = array
        .create_volume_from_snapshot("web-1-boot-dr", "x")
        .await
        .expect_err("taken");
    assert_eq!(err.kind, ErrorKind::Conflict);
    assert_eq!(err.message, "web-1-boot-dr: Volume already exists.");

    array
        .destroy_volume("web-1-boot-dr")
        .await
        .expect("destroy");
    assert_eq!(
        fake.seen("PATCH", &vols)[0].json(),
        serde_json::json!({"destroyed": true})
    );
    array
        .eradicate_volume("web-1-boot-dr")
        .await
        .expect("eradicate");
    assert_eq!(fake.seen("DELETE", &vols)[0].query, "names=web-1-boot-dr");
}

#[tokio::test]
async fn protection_groups_members_and_targets() {
    let fake = Fake::start().await;
    fake.on(
        "GET",
        &p("/protection-groups"),
        vec![reply(200, fixtures::ARRAY_PGS)],
    );
    fake.on("POST", &p("/protection-groups"), vec![reply(200, fixtures::ARRAY_PGS), reply(400, r#"{"errors": [{"context": "web-app-pg", "message": "Protection group already exists."}]}"#)]);
    fake.on(
        "GET",
        &p("/protection-groups/volumes"),
        vec![reply(200, fixtures::ARRAY_PG_VOLUMES)],
    );
    fake.on(
        "POST",
        &p("/protection-groups/volumes"),
        vec![reply(200, fixtures::ARRAY_PG_VOLUMES)],
    );
    fake.on(
        "GET",
        &p("/protection-groups/targets"),
        vec![reply(200, fixtures::ARRAY_PG_TARGETS)],
    );
    fake.on(
        "POST",
        &p("/protection-groups/targets"),
        vec![reply(200, fixtures::ARRAY_PG_TARGETS)],
    );
    fake.on(
        "DELETE",
        &p("/protection-groups/targets"),
        vec![reply(200, "")],
    );
    let array = fake.client().array();

    let pg = &array.protection_groups(&["web-app-pg"]).await.expect("pgs")[0];
    assert_eq!(pg.source.as_deref(), Some("array-a"));
    assert_eq!((pg.target_count, pg.volume_count), (1, 5));
    assert!(pg.replication_enabled);
    assert_eq!(pg.replication_frequency_ms, Some(60_000));

    array
        .create_protection_group("web-app-pg")
        .await
        .expect("create");
    let err = array
        .create_protection_group("web-app-pg")
        .await
        .expect_err("exists");
    assert!(err.is_conflict());

    array
        .add_pg_volumes("web-app-pg", &["web-1-boot", "web-1-data"])
        .await
        .expect("add");
    assert_eq!(
        fake.seen("POST", &p("/protection-groups/volumes"))[0].query,
        "group_names=web-app-pg&member_names=web-1-boot%2Cweb-1-data"
    );
    let members = array.pg_volumes("web-app-pg").await.expect("members");
    assert_eq!(
        (members[0].group.as_str(), members[0].member.as_str()),
        ("web-app-pg", "web-1-boot")
    );
    let targets = array.pg_targets("web-app-pg").await.expect("targets");
    assert_eq!(targets[0].target, "array-b");
    assert!(targets[0].allowed);
    array
        .add_pg_target("web-app-pg", "array-b")
        .await
        .expect("add target");
    array
        .remove_pg_target("web-app-pg", "array-b")
        .await
        .expect("remove target");
    assert_eq!(
        fake.seen("DELETE", &p("/protection-groups/targets"))[0].query,
        "group_names=web-app-pg&member_names=array-b"
    );
}

#[tokio::test]
async fn snapshots_transfers_and_volume_snapshots() {
    let fake = Fake::start().await;
    let snaps = p("/protection-group-snapshots");
    fake.on(
        "POST",
        &snaps,
        vec![reply(200, fixtures::ARRAY_PG_SNAPSHOT)],
    );
    fake.on(
        "GET",
        &snaps,
        vec![reply(200, fixtures::ARRAY_PG_SNAPSHOTS_TARGET)],
    );
    fake.on(
        "GET",
        &p("/protection-group-snapshots/transfer"),
        vec![reply(200, fixtures::ARRAY_TRANSFER)],
    );
    fake.on(
        "GET",
        &p("/volume-snapshots"),
        vec![reply(200, fixtures::ARRAY_VOLUME_SNAPSHOTS)],
    );
    let array = fake.client().array();

    let snap = array
        .create_pg_snapshot("web-app-pg", true)
        .await
        .expect("snapshot");
    assert_eq!(
        (
            snap.name.as_str(),
            snap.suffix.as_str(),
            snap.source.as_str()
        ),
        ("web-app-pg.2291", "2291", "web-app-pg")
    );
    assert_eq!(
        fake.seen("POST", &snaps)[0].query,
        "source_names=web-app-pg&replicate_now=true"
    );

    let arrived = array
        .pg_snapshots("array-a:web-app-pg")
        .await
        .expect("snapshots");
    let names: Vec<_> = arrived.iter().map(|s| s.name.as_str()).collect();
    assert_eq!(
        names,
        ["array-a:web-app-pg.2291", "array-a:web-app-pg.2292"]
    );
    assert!(
        fake.seen("GET", &p("/protection-group-snapshots"))[0]
            .query
            .contains("sort=created&"),
        "the array is asked to sort, as the real one would"
    );

    let t = array
        .transfers(&["web-app-pg.2291", "web-app-pg.2292"])
        .await
        .expect("transfers");
    assert_eq!(
        t[0].completed,
        Utc.timestamp_millis_opt(1_764_000_004_000).single()
    );
    assert_eq!((t[0].progress, t[0].data_transferred), (1.0, 123_456));
    assert_eq!(t[1].completed, None);

    let vs = array
        .volume_snapshots(&["array-a:web-app-pg.2291"])
        .await
        .expect("vsnaps");
    assert_eq!(vs[0].name, "array-a:web-app-pg.2291.web-1-boot");
}

#[tokio::test]
async fn array_errors_carry_context_and_message() {
    let fake = Fake::start().await;
    fake.on(
        "GET",
        &p("/protection-groups"),
        vec![reply(400, fixtures::ARRAY_ERROR)],
    );
    let err = fake
        .client()
        .array()
        .protection_groups(&["web-app-pg"])
        .await
        .expect_err("400");
    // FlashArray answers 400 "does not exist" for a missing name: callers see NotFound.
    assert_eq!(err.kind, ErrorKind::NotFound);
    assert!(err.is_not_found());
    assert_eq!(err.message, "web-app-pg: Protection group does not exist.");
    assert_eq!(
        err.to_string(),
        "site-a array: GET /api/2.17/protection-groups failed: 400 Bad Request: web-app-pg: Protection group does not exist."
    );
}

#[tokio::test]
async fn a_long_list_is_read_page_after_page_with_the_continuation_token() {
    let fake = Fake::start().await;
    let page = |names: &[&str], token: &str| {
        let items: Vec<String> = names
            .iter()
            .map(|n| format!(r#"{{"id": "{n}", "name": "{n}", "provisioned": 1, "created": 1, "destroyed": false}}"#))
            .collect();
        format!(
            r#"{{"items": [{}], "continuation_token": {token}, "total_item_count": 5}}"#,
            items.join(",")
        )
    };
    fake.on(
        "GET",
        &p("/volumes"),
        vec![
            reply(200, &page(&["v1", "v2"], r#""t-2""#)),
            reply(200, &page(&["v3", "v4"], r#""t-4""#)),
            reply(200, &page(&["v5"], "null")),
        ],
    );
    let array = fake.client().array().with_page_size(2);
    let all = array.volumes(&[]).await.expect("volumes");
    let names: Vec<&str> = all.iter().map(|v| v.name.as_str()).collect();
    assert_eq!(names, ["v1", "v2", "v3", "v4", "v5"]);
    let queries: Vec<String> = fake
        .seen("GET", &p("/volumes"))
        .iter()
        .map(|s| s.query.clone())
        .collect();
    assert_eq!(
        queries,
        [
            "limit=2",
            "limit=2&continuation_token=t-2",
            "limit=2&continuation_token=t-4"
        ]
    );
}
