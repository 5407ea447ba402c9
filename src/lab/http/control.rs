//! The lab's own control API (/lab/v1, API.md §6), about the site whose listener it is on:
//! status with request counters, fault injection, and revoking every token and session.

use super::errors;
use crate::lab::faults::Fault;
use crate::lab::state::Ctx;
use crate::lab::world::ids;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{delete, get, post};
use axum::{Json, Router};
use serde_json::{Value, json};

pub fn routes() -> Router<Ctx> {
    Router::new()
        .route("/lab/v1/status", get(status))
        .route(
            "/lab/v1/faults",
            get(list_faults).post(add_fault).delete(clear_faults),
        )
        .route("/lab/v1/faults/{id}", delete(remove_fault))
        .route("/lab/v1/tokens/revoke", post(revoke))
}

async fn status(State(ctx): State<Ctx>) -> Json<Value> {
    let speed = ctx.shared.opts.time_speed;
    ctx.with(|site, now| {
        Json(
            json!({"site": site.name, "role": site.role, "time_speed": speed,
            "now": crate::lab::clock::iso(now), "faults": site.faults,
            "requests": site.requests}),
        )
    })
}

async fn list_faults(State(ctx): State<Ctx>) -> Json<Value> {
    ctx.with(|site, _| Json(json!({"faults": site.faults})))
}

async fn add_fault(
    State(ctx): State<Ctx>,
    body: Result<Json<Fault>, axum::extract::rejection::JsonRejection>,
) -> Response {
    let mut fault = match body {
        Ok(Json(f)) => f,
        Err(e) => return errors::lab(400, &format!("not a fault: {e}")),
    };
    if let Err(e) = fault.validate() {
        return errors::lab(400, &e.to_string());
    }
    fault.id = ids::hex(6);
    ctx.with(|site, _| {
        site.faults.push(fault.clone());
        (StatusCode::CREATED, Json(json!({"fault": fault}))).into_response()
    })
}

async fn clear_faults(State(ctx): State<Ctx>) -> StatusCode {
    ctx.with(|site, _| site.faults.clear());
    StatusCode::NO_CONTENT
}

async fn remove_fault(State(ctx): State<Ctx>, Path(id): Path<String>) -> Response {
    ctx.with(|site, _| {
        let before = site.faults.len();
        site.faults.retain(|f| f.id != id);
        if site.faults.len() < before {
            StatusCode::NO_CONTENT.into_response()
        } else {
            errors::lab(404, &format!("no fault {id}"))
        }
    })
}

async fn revoke(State(ctx): State<Ctx>) -> StatusCode {
    ctx.with(|site, _| {
        site.tokens.clear();
        site.array.sessions.clear();
    });
    StatusCode::NO_CONTENT
}
