//! Cinder's two ways to a new volume: `POST /volumes` (an empty volume on the array) and
//! `POST /manageable_volumes` (an existing array volume taken under Cinder's management). Both
//! are `creating` until the manage time has passed. Null fields are accepted as Cinder does.

use super::errors;
use super::volume::{host_ok, in_project, policy_refusal, render};
use crate::lab::clock::{self, MANAGE_TIME};
use crate::lab::state::Ctx;
use crate::lab::world::{ArrayVolume, GIB, Volume, ids};
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::{Json, Router};
use serde::Deserialize;
use serde_json::json;
use std::collections::BTreeMap;

pub fn routes() -> Router<Ctx> {
    let v = "/volume/v3/{project}";
    Router::new()
        .route(&format!("{v}/volumes"), post(create))
        .route(&format!("{v}/manageable_volumes"), post(manage))
}

#[derive(Deserialize)]
struct CreateBody {
    volume: CreateVolume,
}

#[derive(Deserialize)]
struct CreateVolume {
    size: u64,
    name: Option<String>,
    volume_type: Option<String>,
    metadata: Option<BTreeMap<String, String>>,
}

async fn create(
    State(ctx): State<Ctx>,
    Path(project): Path<String>,
    body: Result<Json<CreateBody>, axum::extract::rejection::JsonRejection>,
) -> Response {
    let Ok(Json(CreateBody { volume: req })) = body else {
        return errors::nova(
            400,
            "Invalid input: expected {\"volume\": {\"size\": GB, …}}",
        );
    };
    if req.size == 0 {
        return errors::nova(400, "Invalid input: size must be at least 1 GB");
    }
    let base = ctx.base_url();
    let delay = clock::real(MANAGE_TIME, ctx.shared.opts.time_speed);
    in_project(&ctx, &project, |site, now| {
        let type_name = req.volume_type.clone().unwrap_or_else(|| "standard".into());
        let Some(vtype) = site.volume_type(&type_name).map(|t| t.name.clone()) else {
            return errors::nova(404, &format!("Volume type {type_name} could not be found."));
        };
        let id = ids::uuid();
        // The array volume a Cinder driver makes is named after the Cinder id.
        let backing = format!("volume-{id}-cinder");
        site.array.volumes.push(ArrayVolume {
            id: ids::uuid(),
            name: backing.clone(),
            provisioned: req.size * GIB,
            created: now,
            source: None,
            destroyed: false,
            serial: ids::hex(12).to_uppercase(),
        });
        let v = Volume {
            id,
            name: req.name.clone().unwrap_or_default(),
            status: "creating".into(),
            size_gb: req.size,
            volume_type: vtype,
            bootable: false,
            attachments: Vec::new(),
            metadata: req.metadata.clone().unwrap_or_default(),
            created_at: now,
            backing,
            ready_at: Some(now + delay),
        };
        site.volumes.push(v.clone());
        let body = json!({"volume": render(site, &v, &base)});
        (StatusCode::ACCEPTED, Json(body)).into_response()
    })
}

#[derive(Deserialize)]
struct ManageBody {
    volume: ManageVolume,
}

#[derive(Deserialize)]
struct ManageVolume {
    host: String,
    #[serde(rename = "ref")]
    reference: BTreeMap<String, String>,
    name: Option<String>,
    volume_type: Option<String>,
    #[serde(default)]
    bootable: Option<bool>,
    #[serde(default)]
    metadata: Option<BTreeMap<String, String>>,
}

async fn manage(
    State(ctx): State<Ctx>,
    Path(project): Path<String>,
    body: Result<Json<ManageBody>, axum::extract::rejection::JsonRejection>,
) -> Response {
    let Ok(Json(ManageBody { volume: req })) = body else {
        return errors::nova(
            400,
            "expected {\"volume\": {\"host\", \"ref\": {\"source-name\"}, …}}",
        );
    };
    let base = ctx.base_url();
    let delay = clock::real(MANAGE_TIME, ctx.shared.opts.time_speed);
    in_project(&ctx, &project, |site, now| {
        if let Some(refused) = policy_refusal(site, now, "volume_extension:volume_manage") {
            return refused;
        }
        if !host_ok(&req.host) {
            return errors::nova(400, &format!("Service {} could not be found.", req.host));
        }
        let type_name = req.volume_type.as_deref().unwrap_or("replicated");
        let Some(vtype) = site.volume_type(type_name).map(|t| t.name.clone()) else {
            return errors::nova(404, &format!("Volume type {type_name} could not be found."));
        };
        let source = req
            .reference
            .get("source-name")
            .cloned()
            .unwrap_or_default();
        let array_vol = site.array.volume(&source).filter(|a| !a.destroyed).cloned();
        let taken = site.volumes.iter().any(|v| v.backing == source);
        let (status, size_gb, ready_at) = match array_vol {
            Some(a) if !taken => ("creating", a.provisioned.div_ceil(GIB), Some(now + delay)),
            _ => ("error_managing", 0, None),
        };
        let v = Volume {
            id: ids::uuid(),
            name: req.name.clone().unwrap_or_else(|| source.clone()),
            status: status.into(),
            size_gb,
            volume_type: vtype,
            bootable: req.bootable.unwrap_or(false),
            attachments: Vec::new(),
            metadata: req.metadata.clone().unwrap_or_default(),
            created_at: now,
            backing: if status == "creating" {
                source
            } else {
                String::new()
            },
            ready_at,
        };
        site.volumes.push(v.clone());
        (
            StatusCode::ACCEPTED,
            Json(json!({"volume": render(site, &v, &base)})),
        )
            .into_response()
    })
}
