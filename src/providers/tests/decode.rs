//! Decoder robustness: each provider's main answers, broken in every way a hostile or buggy
//! endpoint could (truncated, wrong types, huge numbers, nulls where objects belong, nesting past
//! any sane depth, unknown status values, impossible times), end in a typed error that names the
//! site, the service and the call, or in a value drconsole can show, and never in a panic.

use super::fake::{Fake, reply};
use super::fixtures;
use crate::providers::{ErrorKind, ProviderError, SiteClient};

/// One of the answers drconsole depends on.
#[derive(Clone, Copy, Debug)]
enum Answer {
    Token,
    Servers,
    Flavors,
    Volumes,
    Ports,
    ArrayVolumes,
    ArraySnapshots,
    ArrayTransfers,
}

impl Answer {
    const ALL: [Answer; 8] = [
        Answer::Token,
        Answer::Servers,
        Answer::Flavors,
        Answer::Volumes,
        Answer::Ports,
        Answer::ArrayVolumes,
        Answer::ArraySnapshots,
        Answer::ArrayTransfers,
    ];

    /// A field of the good body that drconsole reads, as written there.
    fn field(self) -> &'static str {
        match self {
            Answer::Token => r#""expires_at": "#,
            Answer::Servers => r#""id": "srv-1""#,
            Answer::Flavors => r#""ram": 8192"#,
            Answer::Volumes => r#""size": 20"#,
            Answer::Ports => r#""network_id": "net-1""#,
            Answer::ArrayVolumes => r#""provisioned": 21474836480"#,
            Answer::ArraySnapshots => r#""created": 1764000000000"#,
            Answer::ArrayTransfers => r#""started": 1764000000000"#,
        }
    }

    /// Method, path at the fake, what the error must say, the list's key and a good body.
    fn shape(
        self,
    ) -> (
        &'static str,
        &'static str,
        &'static str,
        &'static str,
        String,
    ) {
        let wrap = |key: &str, item: &str| format!(r#"{{"{key}": [{item}]}}"#);
        match self {
            Answer::Token => (
                "POST",
                "/identity/v3/auth/tokens",
                "site-a identity: POST /auth/tokens failed: unexpected answer",
                "token",
                fixtures::token_body(&fixtures::future_expiry()),
            ),
            Answer::Servers => (
                "GET",
                "/compute/v2.1/servers/detail",
                "site-a compute: GET /servers/detail failed: unexpected answer",
                "servers",
                wrap("servers", fixtures::SERVER_WEB1),
            ),
            Answer::Flavors => (
                "GET",
                "/compute/v2.1/flavors/detail",
                "site-a compute: GET /flavors/detail failed: unexpected answer",
                "flavors",
                fixtures::FLAVORS.to_string(),
            ),
            Answer::Volumes => (
                "GET",
                "/volume/v3/p1/volumes/detail",
                "site-a volume: GET /volumes/detail failed: unexpected answer",
                "volumes",
                wrap("volumes", fixtures::VOLUME),
            ),
            Answer::Ports => (
                "GET",
                "/network/v2.0/ports",
                "site-a network: GET /v2.0/ports failed: unexpected answer",
                "ports",
                wrap("ports", fixtures::PORT),
            ),
            Answer::ArrayVolumes => (
                "GET",
                "/array/api/2.17/volumes",
                "site-a array: GET /api/2.17/volumes failed: unexpected answer",
                "items",
                fixtures::ARRAY_VOLUMES.to_string(),
            ),
            Answer::ArraySnapshots => (
                "GET",
                "/array/api/2.17/protection-group-snapshots",
                "site-a array: GET /api/2.17/protection-group-snapshots failed: unexpected answer",
                "items",
                fixtures::ARRAY_PG_SNAPSHOTS_TARGET.to_string(),
            ),
            Answer::ArrayTransfers => (
                "GET",
                "/array/api/2.17/protection-group-snapshots/transfer",
                "site-a array: GET /api/2.17/protection-group-snapshots/transfer failed: unexpected \
                 answer",
                "items",
                fixtures::ARRAY_TRANSFER.to_string(),
            ),
        }
    }

    /// Ask for it through the real client; a short description of what came back.
    async fn ask(self, site: &SiteClient) -> Result<String, ProviderError> {
        let array = site.array();
        Ok(match self {
            Answer::Token => format!("{:?}", site.identity().authenticate().await?),
            Answer::Servers => format!("{:?}", site.compute().list_servers().await?),
            Answer::Flavors => format!("{:?}", site.compute().list_flavors().await?),
            Answer::Volumes => format!("{:?}", site.volume().list_volumes().await?),
            Answer::Ports => format!(
                "{:?}",
                site.network().list_ports(&Default::default()).await?
            ),
            Answer::ArrayVolumes => format!("{:?}", array.volumes(&["web-1-boot"]).await?),
            Answer::ArraySnapshots => {
                format!("{:?}", array.pg_snapshots("array-a:web-app-pg").await?)
            }
            Answer::ArrayTransfers => format!("{:?}", array.transfers(&["web-app-pg.2291"]).await?),
        })
    }
}

/// Bodies no endpoint should send, each of which must be refused as undecodable.
fn broken(answer: Answer, key: &str, good: &str) -> Vec<(&'static str, String)> {
    let deep = format!(
        r#"{{"{key}": {}{}}}"#,
        "[".repeat(100_000),
        "]".repeat(100_000)
    );
    let field = answer.field();
    let name = field.split(':').next().unwrap_or(field);
    // The field's value replaced (for the token, the value is a date string: replaced whole).
    let with = |value: &str| {
        let at = good.find(field).expect("the field is in the good body");
        let end = if field.ends_with(": ") {
            let value_end = good[at + field.len() + 1..]
                .find('"')
                .expect("a string value");
            at + field.len() + value_end + 2
        } else {
            at + field.len()
        };
        format!("{}{name}: {value}{}", &good[..at], &good[end..])
    };
    vec![
        ("empty", String::new()),
        ("truncated", good[..good.len() / 2].to_string()),
        (
            "an HTML error page",
            "<html><body>502 Bad \x1b[31mGateway</body></html>".into(),
        ),
        ("null", "null".into()),
        ("the list missing", "{}".into()),
        ("the list a string", format!(r#"{{"{key}": "many"}}"#)),
        ("the list null", format!(r#"{{"{key}": null}}"#)),
        ("a null item", format!(r#"{{"{key}": [null]}}"#)),
        ("a number for an item", format!(r#"{{"{key}": [42]}}"#)),
        ("nested 100,000 deep", deep),
        ("an object for a value", with(r#"{"nested": true}"#)),
        ("a huge number", with("1e999")),
        ("a number past 64 bits", with("184467440737095516150")),
    ]
}

#[tokio::test]
async fn every_broken_answer_is_a_typed_error_naming_the_call() {
    let fake = Fake::start().await;
    let site = fake.client();
    for answer in Answer::ALL {
        let (method, path, said, key, good) = answer.shape();
        let good = fake.fill(&good);
        fake.on(method, path, vec![ok_reply(answer, &good)]);
        answer
            .ask(&site)
            .await
            .unwrap_or_else(|e| panic!("{answer:?}, good body: {e}"));
        for (what, body) in broken(answer, key, &good) {
            fake.on(method, path, vec![ok_reply(answer, &body)]);
            let err = answer
                .ask(&site)
                .await
                .expect_err(&format!("{answer:?} with {what} must be refused"));
            assert!(
                matches!(err.kind, ErrorKind::Decode(_)),
                "{answer:?}, {what}: {err:?}"
            );
            let text = err.to_string();
            assert!(text.starts_with(said), "{answer:?}, {what}: {text}");
            assert!(
                !text.chars().any(char::is_control),
                "{answer:?}, {what}: {text:?}"
            );
            assert!(
                text.len() < 1200,
                "{answer:?}, {what}: the message is bounded"
            );
        }
    }
}

/// Values that are the right type but strange: an unknown status is kept (cleaned) for the
/// operator to see, an impossible time is unknown rather than believed, a token that claims to
/// last ten thousand years is still refreshed within a day.
#[tokio::test]
async fn strange_but_well_formed_values_are_shown_not_believed_and_never_panic() {
    let fake = Fake::start().await;
    let site = fake.client();
    let odd = "EXPLODING\u{1b}[31m";
    let servers = format!(r#"{{"servers": [{}]}}"#, fixtures::SERVER_WEB1).replace(
        r#""status": "ACTIVE""#,
        &format!(r#""status": "{}""#, odd.replace('\u{1b}', "\\u001b")),
    );
    fake.on(
        "GET",
        "/compute/v2.1/servers/detail",
        vec![reply(200, &servers)],
    );
    let listed = site
        .compute()
        .list_servers()
        .await
        .expect("an unknown status is a status");
    assert_eq!(listed[0].status, "EXPLODING[31m");

    // The year 9999 (a valid time, but one that would win every "newest" comparison) and the
    // most negative time there is.
    let far = fixtures::ARRAY_PG_SNAPSHOTS_TARGET
        .replace("\"created\": 1764000000000", "\"created\": 253402300799000")
        .replace(
            "\"created\": 1764000060000",
            "\"created\": -9223372036854775808",
        );
    assert_ne!(
        far,
        fixtures::ARRAY_PG_SNAPSHOTS_TARGET,
        "the fixture has a creation time"
    );
    fake.on(
        "GET",
        "/array/api/2.17/protection-group-snapshots",
        vec![reply(200, &far)],
    );
    let snaps = site
        .array()
        .pg_snapshots("array-a:web-app-pg")
        .await
        .expect("snapshots");
    assert!(snaps.iter().all(|s| s.created.is_none()), "{snaps:?}");

    let forever = fixtures::token_body("9999-12-31T23:59:59.000000Z")
        .replace("2026-11-24T10:42:07.000000Z", "0001-01-01T00:00:00.000000Z");
    fake.on(
        "POST",
        "/identity/v3/auth/tokens",
        vec![reply(201, &fake.fill(&forever)).header("X-Subject-Token", "tok-9")],
    );
    let fresh = fake.client();
    let info = fresh.identity().authenticate().await.expect("a token");
    assert_eq!(info.expires_at.format("%Y").to_string(), "9999");
    assert!(fresh.identity().has_fresh_token().await);
}

fn ok_reply(answer: Answer, body: &str) -> super::fake::Reply {
    match answer {
        Answer::Token => reply(201, body).header("X-Subject-Token", "tok-1"),
        _ => reply(200, body),
    }
}
