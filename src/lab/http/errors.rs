//! Error bodies in each service's own shape (API.md §0).

use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::json;

/// Keystone (and keystonemiddleware's 401 in front of every OpenStack service).
pub fn keystone(code: u16, message: &str) -> Response {
    let status = StatusCode::from_u16(code).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let title = status.canonical_reason().unwrap_or("Error");
    let body = json!({"error": {"code": code, "title": title, "message": message}});
    (status, Json(body)).into_response()
}

/// Nova and Cinder: `{"itemNotFound": {"code": 404, "message": …}}` and friends.
pub fn nova(code: u16, message: &str) -> Response {
    let key = match code {
        400 => "badRequest",
        403 => "forbidden",
        404 => "itemNotFound",
        405 => "HTTPMethodNotAllowed",
        406 => "notAcceptable",
        409 => "conflictingRequest",
        413 | 429 => "overLimit",
        503 => "serviceUnavailable",
        _ => "computeFault",
    };
    let status = StatusCode::from_u16(code).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    (
        status,
        Json(json!({key: {"code": code, "message": message}})),
    )
        .into_response()
}

pub fn neutron(code: u16, kind: &str, message: &str) -> Response {
    let status = StatusCode::from_u16(code).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let body = json!({"NeutronError": {"type": kind, "message": message, "detail": ""}});
    (status, Json(body)).into_response()
}

pub fn array(code: u16, context: &str, message: &str) -> Response {
    let status = StatusCode::from_u16(code).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let body = json!({"errors": [{"context": context, "message": message}]});
    (status, Json(body)).into_response()
}

/// The lab's control API.
pub fn lab(code: u16, message: &str) -> Response {
    let status = StatusCode::from_u16(code).unwrap_or(StatusCode::BAD_REQUEST);
    (status, Json(json!({"error": message}))).into_response()
}
