//! A tiny programmable endpoint on 127.0.0.1:0: each (method, path) answers a queue of replies
//! (the last one repeats), and every request is recorded so tests can count and inspect calls.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Router;
use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;

use super::fixtures;
use crate::config::{ArrayConfig, AuthMethod, CloudConfig, DomainRef, HttpPolicy, SiteConfig};
use crate::domain::SiteRole;
use crate::providers::SiteClient;
use crate::secret::Secret;

#[derive(Clone)]
pub struct Reply {
    pub status: u16,
    pub body: String,
    pub headers: Vec<(&'static str, String)>,
    /// Never answer (the client must time out).
    pub hang: bool,
    /// How the body is sent after the head (hostile endpoints).
    pub body_mode: BodyMode,
}

/// A body as a hostile or broken endpoint sends it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BodyMode {
    /// `body`, all at once.
    Whole,
    /// Spaces forever (chunked), as fast as the client reads.
    Endless,
    /// The head, a `Content-Length` of 1 GiB, then nothing.
    AnnouncedGiB,
    /// The head, the first byte of `body`, then nothing.
    StallAfterHead,
    /// `body`, one byte a second.
    Trickle,
}

pub fn reply(status: u16, body: &str) -> Reply {
    Reply {
        status,
        body: body.to_string(),
        headers: Vec::new(),
        hang: false,
        body_mode: BodyMode::Whole,
    }
}

impl Reply {
    pub fn header(mut self, name: &'static str, value: &str) -> Self {
        self.headers.push((name, value.to_string()));
        self
    }

    pub fn hang(mut self) -> Self {
        self.hang = true;
        self
    }

    pub fn sent(mut self, mode: BodyMode) -> Self {
        self.body_mode = mode;
        self
    }
}

#[derive(Clone, Debug)]
pub struct Seen {
    pub method: String,
    pub path: String,
    pub query: String,
    pub headers: HeaderMap,
    pub body: String,
}

impl Seen {
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.body).expect("request body is JSON")
    }

    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }
}

#[derive(Default)]
struct FakeState {
    routes: Mutex<HashMap<(String, String), Vec<Reply>>>,
    seen: Mutex<Vec<Seen>>,
}

pub struct Fake {
    pub url: String,
    state: Arc<FakeState>,
}

impl Fake {
    /// A fake site with Keystone answering API.md's token (catalog pointing here) and the array
    /// answering login.
    pub async fn start() -> Fake {
        let fake = Self::bare().await;
        let token = fake.fill(&fixtures::token_body(&fixtures::future_expiry()));
        fake.on(
            "POST",
            "/identity/v3/auth/tokens",
            vec![reply(201, &token).header("X-Subject-Token", "tok-1")],
        );
        fake.on(
            "POST",
            "/array/api/2.17/login",
            vec![reply(200, fixtures::ARRAY_LOGIN).header("x-auth-token", "sess-1")],
        );
        fake
    }

    /// A fake with no routes at all.
    pub async fn bare() -> Fake {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let port = listener.local_addr().expect("addr").port();
        let state = Arc::new(FakeState::default());
        let app = Router::new().fallback(handle).with_state(state.clone());
        tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        Fake {
            url: format!("http://127.0.0.1:{port}"),
            state,
        }
    }

    /// `PORT` in a fixture becomes this fake's port.
    pub fn fill(&self, body: &str) -> String {
        let port = self.url.rsplit(':').next().unwrap_or_default();
        body.replace("PORT", port)
    }

    pub fn on(&self, method: &str, path: &str, replies: Vec<Reply>) {
        let replies = replies
            .into_iter()
            .map(|mut r| {
                r.body = self.fill(&r.body);
                r
            })
            .collect();
        self.state
            .routes
            .lock()
            .expect("lock")
            .insert((method.to_string(), path.to_string()), replies);
    }

    /// Every request to `method path`, in order.
    pub fn seen(&self, method: &str, path: &str) -> Vec<Seen> {
        let seen = self.state.seen.lock().expect("lock");
        seen.iter()
            .filter(|s| s.method == method && s.path == path)
            .cloned()
            .collect()
    }

    /// Every request, whatever its path.
    pub fn all_seen(&self) -> Vec<Seen> {
        self.state.seen.lock().expect("lock").clone()
    }

    pub fn count(&self, method: &str, path: &str) -> usize {
        self.seen(method, path).len()
    }

    pub fn site_config(&self) -> SiteConfig {
        site_config(&self.url)
    }

    pub fn client(&self) -> SiteClient {
        SiteClient::new(&self.site_config(), fast_policy()).expect("client")
    }
}

pub fn fast_policy() -> HttpPolicy {
    HttpPolicy {
        request_timeout: Duration::from_millis(300),
        max_attempts: 3,
        backoff_base: Duration::from_millis(5),
        ..HttpPolicy::default()
    }
}

pub fn site_config(url: &str) -> SiteConfig {
    SiteConfig {
        name: "site-a".into(),
        role: SiteRole::Production,
        cloud: CloudConfig {
            name: "site-a".into(),
            auth_url: format!("{url}/identity/v3"),
            auth: AuthMethod::Password {
                username: "operator".into(),
                user_domain: DomainRef::Name("Default".into()),
                password: Secret::new("hunter2-password"),
                project_name: Some("dr-demo".into()),
                project_id: None,
                project_domain: DomainRef::Name("Default".into()),
            },
            region_name: None,
            interface: "public".into(),
            verify: true,
            cacert: None,
        },
        array: ArrayConfig {
            url: format!("{url}/array"),
            name: "array-a".into(),
            api_token: Secret::new("array-api-token-secret"),
            verify: true,
            cacert: None,
            cinder_host: "cinder@array#array".into(),
        },
    }
}

async fn handle(State(state): State<Arc<FakeState>>, req: Request) -> Response {
    let method = req.method().to_string();
    let path = req.uri().path().to_string();
    let query = req.uri().query().unwrap_or_default().to_string();
    let headers = req.headers().clone();
    let body = axum::body::to_bytes(req.into_body(), usize::MAX)
        .await
        .map(|b| String::from_utf8_lossy(&b).into_owned())
        .unwrap_or_default();
    state.seen.lock().expect("lock").push(Seen {
        method: method.clone(),
        path: path.clone(),
        query,
        headers,
        body,
    });
    let next = {
        let mut routes = state.routes.lock().expect("lock");
        routes.get_mut(&(method, path)).map(|queue| {
            if queue.len() > 1 {
                queue.remove(0)
            } else {
                queue[0].clone()
            }
        })
    };
    let r = next.unwrap_or_else(|| reply(404, fixtures::NOVA_NOT_FOUND));
    if r.hang {
        std::future::pending::<()>().await;
    }
    let mut builder = Response::builder().status(StatusCode::from_u16(r.status).expect("status"));
    if !r.body.is_empty() {
        builder = builder.header("content-type", "application/json");
    }
    for (name, value) in r.headers {
        builder = builder.header(name, value);
    }
    let body = match r.body_mode {
        BodyMode::Whole => Body::from(r.body),
        mode => {
            if mode == BodyMode::AnnouncedGiB {
                builder = builder.header("content-length", (1u64 << 30).to_string());
            }
            hostile_body(mode, r.body.into_bytes())
        }
    };
    builder.body(body).expect("response")
}

/// A stream that yields every `period`, the first at once.
fn tokio_stream_interval(period: Duration) -> impl futures_util::Stream<Item = ()> {
    futures_util::stream::unfold(tokio::time::interval(period), |mut every| async move {
        every.tick().await;
        Some(((), every))
    })
}

fn hostile_body(mode: BodyMode, body: Vec<u8>) -> Body {
    use futures_util::stream::{self, StreamExt};
    type Chunk = Result<Vec<u8>, std::convert::Infallible>;
    match mode {
        BodyMode::Endless => {
            Body::from_stream(stream::repeat_with(|| Chunk::Ok(vec![b' '; 65536])))
        }
        BodyMode::Trickle => {
            // A byte a second: the endpoint's pace, not a wait of the test.
            let ticks = tokio_stream_interval(Duration::from_secs(1));
            Body::from_stream(
                stream::iter(body)
                    .zip(ticks)
                    .map(|(b, ())| Chunk::Ok(vec![b])),
            )
        }
        _ => {
            let first = body.first().map(|b| vec![*b]).unwrap_or_default();
            let head = stream::once(async move { Chunk::Ok(first) });
            Body::from_stream(head.chain(stream::pending()))
        }
    }
}
