//! Keystone: token bodies, the catalog, endpoint selection, the cache and re-authentication.

use chrono::{TimeZone, Utc};

use super::fake::{Fake, fast_policy, reply};
use super::fixtures;
use crate::config::{AuthMethod, DomainRef};
use crate::providers::{ErrorKind, SiteClient};
use crate::secret::Secret;

const TOKENS: &str = "/identity/v3/auth/tokens";

#[tokio::test]
async fn parses_the_documented_token_and_sends_a_scoped_password_body() {
    let fake = Fake::start().await;
    fake.on(
        "POST",
        TOKENS,
        vec![reply(201, fixtures::TOKEN_DOC).header("X-Subject-Token", "tok-doc")],
    );
    let info = fake
        .client()
        .identity()
        .authenticate()
        .await
        .expect("token");
    assert_eq!(
        info.expires_at,
        Utc.with_ymd_and_hms(2026, 11, 24, 11, 42, 7)
            .single()
            .expect("time")
    );
    assert_eq!(info.user_name, "operator");
    assert_eq!(info.project_id.as_deref(), Some("p1"));
    assert_eq!(info.project_name.as_deref(), Some("dr-demo"));
    assert_eq!(info.catalog.len(), 1);
    assert_eq!(info.catalog[0].service_type, "compute");
    assert_eq!(
        info.catalog[0].endpoints[0].region.as_deref(),
        Some("RegionOne")
    );

    let sent = fake.seen("POST", TOKENS)[0].json();
    let expected = serde_json::json!({"auth": {"identity": {"methods": ["password"], "password":
        {"user": {"name": "operator", "domain": {"name": "Default"}, "password": "hunter2-password"}}},
        "scope": {"project": {"name": "dr-demo", "domain": {"name": "Default"}}}}});
    assert_eq!(sent, expected);
}

#[tokio::test]
async fn application_credential_and_project_id_bodies() {
    let fake = Fake::start().await;
    let mut cfg = fake.site_config();
    cfg.cloud.auth = AuthMethod::ApplicationCredential {
        id: Some("ac-1".into()),
        name: None,
        username: None,
        user_domain: DomainRef::default(),
        secret: Secret::new("ac-secret"),
    };
    let site = SiteClient::new(&cfg, fast_policy()).expect("client");
    site.identity().authenticate().await.expect("token");
    let sent = fake.seen("POST", TOKENS)[0].json();
    let expected = serde_json::json!({"auth": {"identity": {"methods": ["application_credential"],
        "application_credential": {"id": "ac-1", "secret": "ac-secret"}}}});
    assert_eq!(sent, expected);

    cfg.cloud.auth = AuthMethod::Password {
        username: "operator".into(),
        user_domain: DomainRef::Id("default".into()),
        password: Secret::new("pw"),
        project_name: None,
        project_id: Some("p1".into()),
        project_domain: DomainRef::default(),
    };
    let site = SiteClient::new(&cfg, fast_policy()).expect("client");
    site.identity().authenticate().await.expect("token");
    let sent = fake.seen("POST", TOKENS)[1].json();
    assert_eq!(
        sent["auth"]["scope"],
        serde_json::json!({"project": {"id": "p1"}})
    );
    assert_eq!(
        sent["auth"]["identity"]["password"]["user"]["domain"],
        serde_json::json!({"id": "default"})
    );
}

#[tokio::test]
async fn endpoint_selection_by_type_interface_and_region() {
    let fake = Fake::start().await;
    let site = fake.client();
    let id = site.identity();
    let url = |p: &str| format!("{}{p}", fake.url);
    assert_eq!(
        id.endpoint(&["compute"]).await.expect("compute"),
        url("/compute/v2.1")
    );
    assert_eq!(
        id.endpoint(&["volumev3", "block-storage"])
            .await
            .expect("v"),
        url("/volume/v3/p1")
    );
    assert_eq!(
        id.endpoint(&["block-storage", "volumev3"])
            .await
            .expect("v"),
        url("/volume/v3/p1")
    );

    let mut cfg = fake.site_config();
    cfg.cloud.interface = "internal".into();
    let internal = SiteClient::new(&cfg, fast_policy())
        .expect("client")
        .identity();
    assert_eq!(
        internal.endpoint(&["compute"]).await.expect("internal"),
        url("/internal/compute/v2.1")
    );
    let err = internal
        .endpoint(&["network"])
        .await
        .expect_err("no internal network");
    assert!(matches!(err.kind, ErrorKind::Config(_)), "{err}");

    cfg.cloud.interface = "public".into();
    cfg.cloud.region_name = Some("RegionTwo".into());
    let r2 = SiteClient::new(&cfg, fast_policy())
        .expect("client")
        .identity();
    assert_eq!(
        r2.endpoint(&["compute"]).await.expect("r2"),
        url("/r2/compute/v2.1")
    );
}

#[tokio::test]
async fn bad_credentials_are_unauthorized_with_keystones_message_and_no_secret() {
    let fake = Fake::start().await;
    fake.on("POST", TOKENS, vec![reply(401, fixtures::KEYSTONE_401)]);
    let err = fake
        .client()
        .identity()
        .authenticate()
        .await
        .expect_err("401");
    assert_eq!(err.kind, ErrorKind::Unauthorized);
    assert_eq!(
        err.message,
        "The request you have made requires authentication."
    );
    let text = format!("{err} {err:?}");
    assert!(!text.contains("hunter2"), "{text}");
    assert_eq!(
        err.to_string(),
        "site-a identity: POST /auth/tokens failed: 401 Unauthorized: The request you have made requires authentication."
    );
    assert_eq!(fake.count("POST", TOKENS), 1, "4xx is never retried");
}

#[tokio::test]
async fn a_token_is_cached_across_services_and_refreshed_when_expired() {
    let fake = Fake::start().await;
    fake.on(
        "GET",
        "/compute/v2.1",
        vec![reply(200, fixtures::COMPUTE_VERSION)],
    );
    let site = fake.client();
    site.compute().version().await.expect("v");
    site.compute().version().await.expect("v");
    site.network().list_networks().await.ok();
    assert_eq!(fake.count("POST", TOKENS), 1);
    let seen = fake.seen("GET", "/compute/v2.1");
    assert_eq!(seen[1].header("X-Auth-Token"), Some("tok-1"));

    // A short-lived token (1.2 s) is kept for half its life, then replaced.
    let issued = Utc::now();
    let body = fixtures::token_body(&(issued + chrono::Duration::milliseconds(1200)).to_rfc3339())
        .replace("2026-11-24T10:42:07.000000Z", &issued.to_rfc3339());
    let fake = Fake::start().await;
    fake.on(
        "POST",
        TOKENS,
        vec![reply(201, &body).header("X-Subject-Token", "t")],
    );
    fake.on(
        "GET",
        "/compute/v2.1",
        vec![reply(200, fixtures::COMPUTE_VERSION)],
    );
    let site = fake.client();
    site.compute().version().await.expect("v");
    site.compute().version().await.expect("v");
    assert_eq!(fake.count("POST", TOKENS), 1);
    // Past half its life on the client's clock; nothing is in flight while time jumps.
    tokio::time::pause();
    tokio::time::advance(std::time::Duration::from_millis(700)).await;
    tokio::time::resume();
    site.compute().version().await.expect("v");
    assert_eq!(fake.count("POST", TOKENS), 2);
}

#[test]
fn refresh_uses_keystones_lifetime_not_the_local_clock() {
    use super::super::identity::refresh_at_for_test as refresh_at;
    let issued = Utc
        .with_ymd_and_hms(2020, 1, 1, 0, 0, 0)
        .single()
        .expect("time");
    let now = tokio::time::Instant::now();
    let r = refresh_at(Some(issued), issued + chrono::Duration::hours(1));
    let keep = r - now;
    assert!(
        keep > std::time::Duration::from_secs(3539) && keep <= std::time::Duration::from_secs(3541)
    );
}

#[tokio::test]
async fn a_401_on_a_service_call_reauthenticates_once_then_succeeds() {
    let fake = Fake::start().await;
    fake.on(
        "GET",
        "/compute/v2.1/flavors/detail",
        vec![
            reply(401, fixtures::KEYSTONE_401),
            reply(200, fixtures::FLAVORS),
        ],
    );
    let flavors = fake
        .client()
        .compute()
        .list_flavors()
        .await
        .expect("flavors");
    assert_eq!(flavors.len(), 2);
    assert_eq!(fake.count("POST", TOKENS), 2);
    assert_eq!(fake.count("GET", "/compute/v2.1/flavors/detail"), 2);
}

#[tokio::test]
async fn a_second_401_is_an_error_after_exactly_one_reauthentication() {
    let fake = Fake::start().await;
    fake.on(
        "GET",
        "/compute/v2.1/flavors/detail",
        vec![reply(401, fixtures::KEYSTONE_401)],
    );
    let err = fake
        .client()
        .compute()
        .list_flavors()
        .await
        .expect_err("401");
    assert_eq!(err.kind, ErrorKind::Unauthorized);
    assert_eq!(fake.count("POST", TOKENS), 2);
    assert_eq!(fake.count("GET", "/compute/v2.1/flavors/detail"), 2);
}
