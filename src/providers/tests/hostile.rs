//! Hostile endpoints: bodies without end, answers that stall or trickle, redirects that would
//! carry a credential to another host, lists that never end. Each ends in a typed error that
//! names the call, within the limits the policy sets, without reading more than the limit.

use std::time::{Duration, Instant};

use super::fake::{BodyMode, Fake, fast_policy, reply};
use super::fixtures;
use crate::config::HttpPolicy;
use crate::providers::ErrorKind;

const FLAVORS: &str = "/compute/v2.1/flavors/detail";

fn patient() -> HttpPolicy {
    HttpPolicy {
        request_timeout: Duration::from_secs(10),
        max_attempts: 3,
        ..fast_policy()
    }
}

#[tokio::test]
async fn an_endless_or_huge_body_ends_at_the_size_limit_with_the_endpoint_named() {
    let fake = Fake::start().await;
    let site = fake.client().with_policy(patient());
    for mode in [BodyMode::Endless, BodyMode::AnnouncedGiB] {
        fake.on("GET", FLAVORS, vec![reply(200, "{").sent(mode)]);
        let err = site.compute().list_flavors().await.expect_err("too large");
        let limit = HttpPolicy::default().max_body_bytes;
        assert!(
            matches!(&err.kind, ErrorKind::TooLarge { limit_bytes, endpoint }
                if *limit_bytes == limit && *endpoint == fake.url),
            "{mode:?}: {err:?}"
        );
        let text = err.to_string();
        assert!(
            text.starts_with(
                "site-a compute: GET /flavors/detail failed: the answer of http://127.0.0.1:"
            ) && text.contains("larger than 16 MiB, the limit ([http] max_body_mib)"),
            "{text}"
        );
    }
    assert_eq!(
        fake.count("GET", FLAVORS),
        2,
        "an oversized answer is not asked for again"
    );
}

#[tokio::test]
async fn a_stalled_or_trickling_answer_ends_at_the_call_timeout_not_per_read() {
    let fake = Fake::start().await;
    let policy = HttpPolicy {
        request_timeout: Duration::from_millis(800),
        max_attempts: 1,
        ..fast_policy()
    };
    let site = fake.client().with_policy(policy);
    site.identity().authenticate().await.expect("token");
    let hung = reply(200, fixtures::FLAVORS).hang();
    let stalled = reply(200, fixtures::FLAVORS).sent(BodyMode::StallAfterHead);
    // A byte a second: every read succeeds well within any per-read timeout.
    let trickle = reply(200, fixtures::FLAVORS).sent(BodyMode::Trickle);
    for r in [hung, stalled, trickle] {
        fake.on("GET", FLAVORS, vec![r]);
        let started = Instant::now();
        let err = site.compute().list_flavors().await.expect_err("timeout");
        let took = started.elapsed();
        assert_eq!(err.kind, ErrorKind::Timeout, "{err}");
        assert!(took < Duration::from_millis(800 + 1500), "took {took:?}");
        assert!(
            err.to_string()
                .ends_with("timed out: no complete answer within 0.8 s ([http] timeout_ms)"),
            "{err}"
        );
    }
}

#[tokio::test]
async fn no_call_nor_retry_runs_past_the_commands_deadline() {
    let fake = Fake::start().await;
    let policy = HttpPolicy {
        request_timeout: Duration::from_secs(60),
        max_attempts: 10,
        backoff_base: Duration::from_millis(400),
        command_timeout: Duration::from_millis(1500),
        ..fast_policy()
    }
    .with_deadline_from_now();
    let site = fake.client().with_policy(policy);
    let started = Instant::now();
    // 5xx answers are retried: with 10 attempts and backoff, only the deadline stops them.
    fake.on("GET", FLAVORS, vec![reply(503, fixtures::NOVA_FAULT)]);
    let err = site.compute().list_flavors().await.expect_err("503");
    assert_eq!(err.kind, ErrorKind::Server(503), "{err}");
    assert!(started.elapsed() < Duration::from_millis(1500));
    // An answer that trickles is cut at the deadline, not at the call's 60 s.
    fake.on(
        "GET",
        FLAVORS,
        vec![reply(200, fixtures::FLAVORS).sent(BodyMode::Trickle)],
    );
    let err = site.compute().list_flavors().await.expect_err("deadline");
    let took = started.elapsed();
    assert_eq!(err.kind, ErrorKind::Timeout, "{err}");
    assert!(took < Duration::from_millis(1500 + 1000), "took {took:?}");
    assert!(
        err.to_string().contains("[http] command_timeout_ms"),
        "{err}"
    );
    // After the deadline, a call fails at once without being sent.
    let before = fake.count("GET", FLAVORS);
    let err = site
        .compute()
        .list_flavors()
        .await
        .expect_err("out of time");
    assert_eq!(err.kind, ErrorKind::Timeout);
    assert!(
        err.to_string().contains("ran out before this call"),
        "{err}"
    );
    assert_eq!(fake.count("GET", FLAVORS), before);
}

/// A 3xx from every kind of call that carries a credential, pointing at a second listener.
#[tokio::test]
async fn a_redirect_never_carries_a_credential_to_another_host() {
    let elsewhere = Fake::bare().await;
    let to = |path: &str| format!("{}{path}", elsewhere.url);
    let cases: [(&str, &str, u16); 4] = [
        ("POST", "/identity/v3/auth/tokens", 307),
        ("GET", FLAVORS, 302),
        ("POST", "/array/api/2.17/login", 308),
        ("GET", "/array/api/2.17/array-connections", 301),
    ];
    for (method, path, status) in cases {
        let fresh = Fake::start().await;
        let target = to(&format!("{path}?token=abc"));
        fresh.on(
            method,
            path,
            vec![reply(status, "").header("location", &target)],
        );
        let site = fresh.client();
        let err = match path {
            "/identity/v3/auth/tokens" => site.identity().authenticate().await.map(|_| ()),
            FLAVORS => site.compute().list_flavors().await.map(|_| ()),
            _ => site.array().state().await.map(|_| ()),
        }
        .expect_err("redirect refused");
        assert_eq!(err.status, Some(status), "{err}");
        assert!(
            matches!(&err.kind, ErrorKind::Redirect { location } if *location == to(path)),
            "{path}: {err:?}"
        );
        assert!(err.to_string().contains("does not follow"), "{err}");
        assert_eq!(fresh.count(method, path), 1, "a redirect is not retried");
    }
    let leaked = elsewhere.all_seen();
    assert!(leaked.is_empty(), "the second host was called: {leaked:?}");
}

#[tokio::test]
async fn an_array_list_that_never_ends_or_overfills_its_pages_is_an_error() {
    let fake = Fake::start().await;
    let path = "/array/api/2.17/volumes";
    let item = r#"{"id": "v", "name": "v", "provisioned": 1, "created": 1, "destroyed": false}"#;
    let endless = format!(r#"{{"items": [{item}], "continuation_token": "again"}}"#);
    fake.on("GET", path, vec![reply(200, &endless)]);
    let array = fake.client().array().with_page_size(1);
    let err = array.volumes(&[]).await.expect_err("endless");
    assert!(matches!(err.kind, ErrorKind::Decode(_)), "{err}");
    assert!(
        err.to_string().contains("still more pages after 1000"),
        "{err}"
    );
    assert_eq!(fake.count("GET", path), 1000);

    let overfull = format!(r#"{{"items": [{item}, {item}, {item}], "continuation_token": null}}"#);
    fake.on("GET", path, vec![reply(200, &overfull)]);
    let err = array.volumes(&[]).await.expect_err("overfull");
    assert!(
        err.to_string()
            .contains("a page of 3 items when at most 1 were asked for"),
        "{err}"
    );
}
