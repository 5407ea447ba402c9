//! Retries, timeouts, unreachable sites and the probe.

use std::time::{Duration, Instant};

use super::fake::{Fake, fast_policy, reply, site_config};
use super::fixtures;
use crate::config::HttpPolicy;
use crate::providers::{ErrorKind, SiteClient};

#[tokio::test]
async fn a_503_on_get_is_retried_then_succeeds() {
    let fake = Fake::start().await;
    let path = "/compute/v2.1/flavors/detail";
    fake.on(
        "GET",
        path,
        vec![
            reply(503, fixtures::NOVA_FAULT),
            reply(502, ""),
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
    assert_eq!(fake.count("GET", path), 3);
}

#[tokio::test]
async fn retries_stop_at_max_attempts() {
    let fake = Fake::start().await;
    let path = "/compute/v2.1/flavors/detail";
    fake.on("GET", path, vec![reply(500, fixtures::NOVA_FAULT)]);
    let err = fake
        .client()
        .compute()
        .list_flavors()
        .await
        .expect_err("500");
    assert_eq!(err.kind, ErrorKind::Server(500));
    assert_eq!(fake.count("GET", path), 3);
}

#[tokio::test]
async fn connection_refused_is_unreachable_quickly() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let url = format!("http://{}", listener.local_addr().expect("addr"));
    drop(listener);
    let site = SiteClient::new(&site_config(&url), fast_policy()).expect("client");
    let started = Instant::now();
    let err = site.identity().authenticate().await.expect_err("refused");
    assert!(started.elapsed() < Duration::from_secs(1));
    assert!(matches!(err.kind, ErrorKind::Unreachable { .. }), "{err}");
    assert!(err.is_unreachable() && err.is_transient());
    assert!(
        err.to_string()
            .starts_with("site-a identity: POST /auth/tokens failed: unreachable ("),
        "{err}"
    );
}

#[tokio::test]
async fn a_hanging_request_times_out_after_the_policy_timeout() {
    let fake = Fake::start().await;
    let path = "/compute/v2.1/flavors/detail";
    fake.on("GET", path, vec![reply(200, fixtures::FLAVORS).hang()]);
    let policy = HttpPolicy {
        request_timeout: Duration::from_millis(200),
        max_attempts: 1,
        backoff_base: Duration::from_millis(5),
        ..HttpPolicy::default()
    };
    let site = fake.client().with_policy(policy);
    let started = Instant::now();
    let err = site.compute().list_flavors().await.expect_err("timeout");
    let elapsed = started.elapsed();
    assert_eq!(err.kind, ErrorKind::Timeout, "{err}");
    assert!(
        elapsed >= Duration::from_millis(200) && elapsed < Duration::from_secs(1),
        "{elapsed:?}"
    );
    assert_eq!(
        err.to_string(),
        "site-a compute: GET /flavors/detail failed: timed out: no complete answer within \
         0.2 s ([http] timeout_ms)"
    );
}

#[tokio::test]
async fn a_garbled_answer_is_a_decode_error() {
    let fake = Fake::start().await;
    fake.on(
        "GET",
        "/compute/v2.1/flavors/detail",
        vec![reply(200, r#"{"flavors": "nope"}"#)],
    );
    let err = fake
        .client()
        .compute()
        .list_flavors()
        .await
        .expect_err("decode");
    assert!(matches!(err.kind, ErrorKind::Decode(_)), "{err}");
}

#[tokio::test]
async fn probe_reports_timings_and_array_state() {
    let fake = Fake::start().await;
    let servers = format!(r#"{{"servers": [{}]}}"#, fixtures::SERVER_WEB1);
    fake.on(
        "GET",
        "/compute/v2.1/servers/detail",
        vec![reply(200, &servers)],
    );
    fake.on(
        "GET",
        "/array/api/2.17/array-connections",
        vec![reply(200, fixtures::ARRAY_CONNECTIONS)],
    );
    fake.on(
        "GET",
        "/identity/v3/auth/tokens",
        vec![reply(200, &fake.fill(fixtures::TOKEN_DOC))],
    );
    let client = fake.client();
    let probe = client.probe().await;
    assert!(probe.reachable);
    assert!(probe.identity_ms.is_some() && probe.compute_ms.is_some());
    assert_eq!(probe.array.expect("array").connections.len(), 1);
    assert_eq!(
        probe.servers.expect("listed").expect("servers")[0].name,
        "web-1"
    );
    assert_eq!(probe.error, None);
    let seen = fake.seen("GET", "/compute/v2.1/servers/detail");
    assert!(
        seen[0].header("X-Auth-Token").is_some(),
        "compute is probed with an authenticated call"
    );
    // The first probe's identity round trip is the token itself; a refresh validates the
    // token it has: Keystone is not asked for a new one each time.
    assert_eq!(fake.count("GET", "/identity/v3/auth/tokens"), 0);
    assert!(client.probe().await.reachable);
    assert_eq!(fake.count("POST", "/identity/v3/auth/tokens"), 1);
    assert_eq!(fake.count("GET", "/identity/v3/auth/tokens"), 1);
}

#[tokio::test]
async fn a_compute_that_refuses_a_good_token_is_reported_as_exactly_that() {
    let fake = Fake::start().await;
    fake.on(
        "GET",
        "/compute/v2.1/servers/detail",
        vec![reply(401, fixtures::KEYSTONE_401)],
    );
    fake.on(
        "GET",
        "/array/api/2.17/array-connections",
        vec![reply(200, fixtures::ARRAY_CONNECTIONS)],
    );
    let probe = fake.client().probe().await;
    assert!(probe.reachable, "identity answered");
    assert!(probe.identity_ms.is_some());
    assert_eq!(probe.compute_ms, None);
    assert!(probe.servers.expect("compute answered").is_err());
    let error = probe.error.expect("compute's refusal");
    assert!(
        error.starts_with("site-a compute: GET /servers/detail failed: 401"),
        "{error}"
    );
}

#[tokio::test]
async fn probe_of_a_down_site_never_fails() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let url = format!("http://{}", listener.local_addr().expect("addr"));
    drop(listener);
    let site = SiteClient::new(&site_config(&url), fast_policy()).expect("client");
    let probe = site.probe().await;
    assert!(!probe.reachable);
    assert_eq!((probe.identity_ms, probe.compute_ms), (None, None));
    assert!(probe.array.is_err());
    assert!(probe.error.expect("error").contains("unreachable"));
}

#[tokio::test]
async fn error_messages_are_sanitised_and_truncated() {
    let fake = Fake::start().await;
    let long = format!(
        r#"{{"badRequest": {{"code": 400, "message": "bad\u001b[31m {}"}}}}"#,
        "x".repeat(1000)
    );
    fake.on(
        "GET",
        "/compute/v2.1/flavors/detail",
        vec![reply(400, &long)],
    );
    fake.on(
        "GET",
        "/compute/v2.1",
        vec![reply(404, "<html>\x07Not here</html>")],
    );
    let compute = fake.client().compute();
    let err = compute.list_flavors().await.expect_err("400");
    assert_eq!(err.kind, ErrorKind::BadRequest);
    assert!(err.message.starts_with("bad[31m xxx"), "{}", err.message);
    assert!(err.message.chars().count() <= 301);
    let err = compute.version().await.expect_err("404");
    assert!(err.is_not_found());
    assert_eq!(err.message, "<html>Not here</html>");
}

#[tokio::test]
async fn secrets_stay_out_of_debug_and_errors() {
    let fake = Fake::start().await;
    fake.on(
        "POST",
        "/array/api/2.17/login",
        vec![reply(
            401,
            r#"{"errors": [{"message": "Invalid API token."}]}"#,
        )],
    );
    let site = fake.client();
    let err = site.array().login().await.expect_err("401");
    assert_eq!(err.kind, ErrorKind::Unauthorized);
    let text = format!("{site:?} {err} {err:?}");
    assert!(!text.contains("array-api-token-secret"), "{text}");
    assert!(!text.contains("hunter2"), "{text}");
    assert!(!text.contains("tok-1"), "{text}");
}

#[tokio::test]
async fn with_policy_shares_the_token_cache() {
    let fake = Fake::start().await;
    fake.on(
        "GET",
        "/compute/v2.1",
        vec![reply(200, fixtures::COMPUTE_VERSION)],
    );
    let site = fake.client();
    let quick = site.with_policy(HttpPolicy {
        max_attempts: 1,
        ..fast_policy()
    });
    site.compute().version().await.expect("v");
    quick.compute().version().await.expect("v");
    assert_eq!(quick.policy().max_attempts, 1);
    assert_eq!(quick.name(), "site-a");
    assert_eq!(fake.count("POST", "/identity/v3/auth/tokens"), 1);
}

#[test]
fn an_unreadable_cacert_is_a_config_error() {
    let mut cfg = site_config("https://127.0.0.1:1");
    cfg.cloud.cacert = Some("/nonexistent/ca.pem".into());
    let err = SiteClient::new(&cfg, fast_policy()).expect_err("no such file");
    assert!(
        matches!(err.kind, ErrorKind::Config(ref m) if m.contains("cacert")),
        "{err}"
    );
}
