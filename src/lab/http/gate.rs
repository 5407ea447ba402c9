//! The gate in front of every service call: request counters, injected errors and latency,
//! token and session checks, and microversion negotiation with its echo.

use super::errors;
use crate::lab::faults;
use crate::lab::state::Ctx;
use axum::extract::{Request, State};
use axum::http::{HeaderValue, Method};
use axum::middleware::Next;
use axum::response::Response;

/// The negotiated microversion's minor number (compute 2.x, volume 3.x).
#[derive(Debug, Clone, Copy)]
pub struct Microversion(pub u32);

pub const COMPUTE_MAX: u32 = 96;
pub const VOLUME_MAX: u32 = 71;

pub(super) fn service_of(path: &str) -> Option<&'static str> {
    let first = path.trim_start_matches('/').split('/').next().unwrap_or("");
    match first {
        "identity" => Some("identity"),
        "compute" => Some("compute"),
        "network" => Some("network"),
        "volume" => Some("volume"),
        "array" => Some("array"),
        _ => None,
    }
}

/// Version documents and the calls that get a token answer without one.
fn open_call(method: &Method, path: &str) -> bool {
    let p = path.trim_end_matches('/');
    let roots = [
        "/identity",
        "/identity/v3",
        "/compute",
        "/compute/v2.1",
        "/network",
        "/volume",
        "/volume/v3",
        "/array/api/api_version",
    ];
    let array_login = p
        .strip_prefix("/array/api/")
        .and_then(|rest| rest.strip_suffix("/login"))
        .is_some_and(super::array::served);
    (method == Method::GET && roots.contains(&p))
        || (method == Method::POST && (p == "/identity/v3/auth/tokens" || array_login))
}

/// `/array/api/2.99/…`: a REST version the array does not serve. FlashArray answers such a
/// call as an unknown path; the message says where the served versions are listed.
fn unserved_array_version(path: &str) -> Option<Response> {
    let version = path.strip_prefix("/array/api/")?.split('/').next()?;
    if version == "api_version" || super::array::served(version) {
        return None;
    }
    let msg = format!(
        "REST API version {version} is not served; GET /api/api_version lists those that are."
    );
    Some(errors::array(404, "", &msg))
}

pub fn service_error(service: &str, code: u16, message: &str) -> Response {
    match service {
        "identity" => errors::keystone(code, message),
        "network" => {
            let kind = match code {
                401 => "Unauthorized",
                404 => "HTTPNotFound",
                405 => "HTTPMethodNotAllowed",
                _ => "HTTPInternalServerError",
            };
            errors::neutron(code, kind, message)
        }
        "array" => errors::array(code, "", message),
        "lab" => errors::lab(code, message),
        _ if code == 401 => errors::keystone(code, message),
        _ => errors::nova(code, message),
    }
}

fn requested_minor(req: &Request, service: &str) -> Option<Result<u32, ()>> {
    let value = req.headers().get("openstack-api-version")?.to_str().ok()?;
    // One header may name several services: `compute 2.79, volume 3.59`.
    let (_, version) = value
        .split(',')
        .filter_map(|part| part.trim().split_once(' '))
        .find(|(svc, _)| svc.eq_ignore_ascii_case(service))?;
    if version.trim() == "latest" {
        return Some(Ok(u32::MAX));
    }
    let minor = version
        .trim()
        .split_once('.')
        .and_then(|(_, m)| m.parse::<u32>().ok());
    Some(minor.ok_or(()))
}

pub async fn gate(State(ctx): State<Ctx>, req: Request, next: Next) -> Response {
    let path = req.uri().path().to_string();
    let Some(service) = service_of(&path) else {
        return next.run(req).await;
    };
    if let Some(refused) = unserved_array_version(&path) {
        return refused;
    }
    let (effect, authorised) = admit(&ctx, &req, service, &path);
    let delay = ctx.shared.opts.call_latency + effect.extra_latency;
    if !delay.is_zero() {
        tokio::time::sleep(delay).await;
    }
    if effect.fail {
        return service_error(service, 500, "the lab's error_rate fault failed this call");
    }
    if effect.lose_answer && authorised {
        // Served, then the answer is lost: the call has had its effect.
        let _served = negotiate(req, service, next).await;
        return service_error(
            service,
            500,
            "the lab's error_rate fault lost the answer of this call",
        );
    }
    if !authorised {
        let msg = if service == "array" {
            "Invalid or expired session; log in again."
        } else {
            "The request you have made requires authentication."
        };
        return service_error(service, 401, msg);
    }
    negotiate(req, service, next).await
}

/// Under the world's lock: counts the call, applies the faults and checks its token or session.
fn admit(ctx: &Ctx, req: &Request, service: &str, path: &str) -> (faults::Effect, bool) {
    let method = req.method();
    let token = req
        .headers()
        .get("x-auth-token")
        .and_then(|v| v.to_str().ok());
    let out = {
        let (mut w, now) = ctx.shared.settled();
        let site = &mut w.sites[ctx.site];
        *site
            .requests
            .entry(service.to_string())
            .or_default()
            .entry(method.as_str().to_string())
            .or_default() += 1;
        let effect = faults::effect(&mut site.faults, (service, method.as_str(), path), now);
        let authorised = open_call(method, path)
            || token.is_some_and(|t| {
                if service == "array" {
                    site.array.session_valid(t, now)
                } else {
                    site.token_valid(t, now)
                }
            });
        (effect, authorised)
    };
    ctx.shared.mark_dirty();
    out
}

/// Compute and volume: the microversion asked for (406 above the maximum), handed to the
/// handler and echoed in the answer.
async fn negotiate(mut req: Request, service: &str, next: Next) -> Response {
    let (min, max, base) = match service {
        "compute" => (1, COMPUTE_MAX, "2"),
        "volume" => (0, VOLUME_MAX, "3"),
        _ => return next.run(req).await,
    };
    let minor = match requested_minor(&req, service) {
        None => min,
        Some(Ok(m)) if m == u32::MAX => max,
        Some(Ok(m)) if m >= min && m <= max => m,
        Some(_) => {
            let msg = format!("Version is not supported by the API: maximum is {base}.{max}");
            return errors::nova(406, &msg);
        }
    };
    req.extensions_mut().insert(Microversion(minor));
    let mut resp = next.run(req).await;
    let echo = format!("{service} {base}.{minor}");
    if let Ok(v) = HeaderValue::from_str(&echo) {
        resp.headers_mut().insert("openstack-api-version", v);
    }
    resp.headers_mut()
        .insert("vary", HeaderValue::from_static("OpenStack-API-Version"));
    resp
}
