//! Keystone v3: version documents, issuing tokens (password or application credential) with a
//! catalog of this site's services, and validating them.

use super::errors;
use crate::lab::clock::{self, Time};
use crate::lab::state::Ctx;
use crate::lab::world::{Site, Token, ids};
use axum::Json;
use axum::Router;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use serde_json::{Value, json};

pub fn routes() -> Router<Ctx> {
    Router::new()
        .route("/identity", get(versions))
        .route("/identity/", get(versions))
        .route("/identity/v3", get(version))
        .route("/identity/v3/", get(version))
        .route("/identity/v3/auth/tokens", get(validate).post(issue))
}

fn version_doc(base: &str) -> Value {
    json!({
        "id": "v3.14", "status": "stable", "updated": "2020-04-07T00:00:00Z",
        "links": [{"rel": "self", "href": format!("{base}/identity/v3/")}],
        "media-types": [{"base": "application/json",
            "type": "application/vnd.openstack.identity-v3+json"}]
    })
}

async fn versions(State(ctx): State<Ctx>) -> Response {
    let doc = version_doc(&ctx.base_url());
    (
        StatusCode::MULTIPLE_CHOICES,
        Json(json!({"versions": {"values": [doc]}})),
    )
        .into_response()
}

async fn version(State(ctx): State<Ctx>) -> Json<Value> {
    Json(json!({"version": version_doc(&ctx.base_url())}))
}

fn domain_ok(d: &Value) -> bool {
    d.is_null()
        || d.get("id").and_then(Value::as_str) == Some("default")
        || d.get("name").and_then(Value::as_str) == Some("Default")
}

fn str_at<'a>(v: &'a Value, path: &[&str]) -> Option<&'a str> {
    path.iter().try_fold(v, |v, k| v.get(*k))?.as_str()
}

/// Which method authenticated, or None.
fn authenticate(site: &Site, body: &Value) -> Option<&'static str> {
    let identity = body.get("auth")?.get("identity")?;
    let id = &site.identity;
    if let Some(pw) = identity.get("password") {
        let user = pw.get("user")?;
        let user_ok = str_at(user, &["id"]) == Some(id.user_id.as_str())
            || (str_at(user, &["name"]) == Some(id.user_name.as_str())
                && domain_ok(user.get("domain").unwrap_or(&Value::Null)));
        let pass_ok = str_at(user, &["password"]) == Some(id.password.as_str());
        let scope = body.get("auth").and_then(|a| a.get("scope"));
        let project_ok = match scope.and_then(|s| s.get("project")) {
            None => true,
            Some(p) => {
                str_at(p, &["id"]) == Some(id.project_id.as_str())
                    || (str_at(p, &["name"]) == Some(id.project_name.as_str())
                        && domain_ok(p.get("domain").unwrap_or(&Value::Null)))
            }
        };
        return (user_ok && pass_ok && project_ok).then_some("password");
    }
    let ac = identity.get("application_credential")?;
    let by_id = str_at(ac, &["id"]) == Some(id.app_cred_id.as_str());
    let by_name = str_at(ac, &["name"]) == Some(id.app_cred_name.as_str())
        && (str_at(ac, &["user", "id"]) == Some(id.user_id.as_str())
            || str_at(ac, &["user", "name"]) == Some(id.user_name.as_str()));
    let secret_ok = str_at(ac, &["secret"]) == Some(id.app_cred_secret.as_str());
    ((by_id || by_name) && secret_ok).then_some("application_credential")
}

fn catalog(site: &Site, base: &str) -> Value {
    let project = &site.identity.project_id;
    let services = [
        ("identity", "keystone", format!("{base}/identity")),
        ("compute", "nova", format!("{base}/compute/v2.1")),
        ("network", "neutron", format!("{base}/network")),
        (
            "volumev3",
            "cinderv3",
            format!("{base}/volume/v3/{project}"),
        ),
        (
            "block-storage",
            "cinder",
            format!("{base}/volume/v3/{project}"),
        ),
    ];
    let entries: Vec<Value> = services
        .iter()
        .enumerate()
        .map(|(i, (kind, name, url))| {
            let endpoints: Vec<Value> = ["public", "internal", "admin"]
                .iter()
                .enumerate()
                .map(|(j, iface)| {
                    json!({"id": format!("e{i}{j}"), "interface": iface, "region": "RegionOne",
                        "region_id": "RegionOne", "url": url})
                })
                .collect();
            json!({"type": kind, "name": name, "id": format!("s{i}"), "endpoints": endpoints})
        })
        .collect();
    Value::Array(entries)
}

fn token_body(site: &Site, t: &Token, base: &str) -> Value {
    let id = &site.identity;
    let domain = json!({"id": "default", "name": "Default"});
    json!({"token": {
        "methods": t.methods,
        "expires_at": clock::iso_micro_z(t.expires_at),
        "issued_at": clock::iso_micro_z(t.issued_at),
        "audit_ids": [ids::hex(8)],
        "user": {"id": id.user_id, "name": id.user_name, "domain": domain,
            "password_expires_at": null},
        "project": {"id": id.project_id, "name": id.project_name, "domain": domain},
        "roles": [{"id": id.role_id, "name": "member"}],
        "is_domain": false,
        "catalog": catalog(site, base),
    }})
}

fn with_subject(status: StatusCode, token: &str, body: Value) -> Response {
    let mut resp = (status, Json(body)).into_response();
    if let Ok(v) = HeaderValue::from_str(token) {
        resp.headers_mut().insert("x-subject-token", v);
    }
    resp
}

async fn issue(State(ctx): State<Ctx>, body: Option<Json<Value>>) -> Response {
    let base = ctx.base_url();
    let ttl =
        chrono::Duration::from_std(ctx.shared.opts.token_ttl).unwrap_or(chrono::Duration::hours(1));
    let body = body.map(|Json(b)| b).unwrap_or(Value::Null);
    ctx.with(|site, now: Time| {
        let Some(method) = authenticate(site, &body) else {
            return errors::keystone(401, "The request you have made requires authentication.");
        };
        let token = Token {
            id: format!("gAAAAA{}", ids::hex(32)),
            methods: vec![method.to_string()],
            issued_at: now,
            expires_at: now + ttl,
        };
        site.tokens.push(token.clone());
        with_subject(
            StatusCode::CREATED,
            &token.id,
            token_body(site, &token, &base),
        )
    })
}

async fn validate(State(ctx): State<Ctx>, headers: HeaderMap) -> Response {
    let base = ctx.base_url();
    let subject = headers
        .get("x-subject-token")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_string();
    ctx.with(|site, now| {
        match site
            .tokens
            .iter()
            .find(|t| t.id == subject && t.expires_at > now)
        {
            Some(t) => with_subject(StatusCode::OK, &t.id, token_body(site, t, &base)),
            None => errors::keystone(404, &format!("Could not find token: {subject}")),
        }
    })
}
