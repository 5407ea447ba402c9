//! The array's list conventions, shared by every array handler: the `names=`-style query
//! parameters, the `{"items", "continuation_token", "total_item_count"}` answer (lists paged,
//! sorted and filtered by array_query.rs), and the FlashArray error shape for a bad or unknown
//! name.

use super::{array_query, errors};
use axum::Json;
use axum::extract::Query;
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};
use std::collections::HashMap;

pub(super) type Q = Query<HashMap<String, String>>;

/// What a change answers: the items it made or changed, all of them.
pub(super) fn items(list: Vec<Value>) -> Response {
    let n = list.len();
    Json(
        json!({"items": list, "continuation_token": null, "total_item_count": n,
        "more_items_remaining": false}),
    )
    .into_response()
}

/// What a list answers: filtered, sorted and paged as the query asks.
pub(super) fn list(q: &HashMap<String, String>, all: Vec<Value>) -> Response {
    match array_query::answer(q, all) {
        Ok(body) => Json(body).into_response(),
        Err(e) => errors::array(400, e.context(), &e.to_string()),
    }
}

pub(super) fn names(q: &HashMap<String, String>, key: &str) -> Option<Vec<String>> {
    q.get(key).map(|v| {
        v.split(',')
            .map(|s| s.trim().to_string())
            .filter(|s| !s.is_empty())
            .collect()
    })
}

pub(super) fn bad(context: &str, message: &str) -> Response {
    errors::array(400, context, message)
}

/// `Err` names the first missing one, in the array's error shape.
pub(super) fn require_all<T>(
    wanted: &Option<Vec<String>>,
    found: impl Fn(&str) -> Option<T>,
    what: &str,
) -> Result<(), Response> {
    for n in wanted.iter().flatten() {
        if found(n).is_none() {
            return Err(bad(n, &format!("{what} does not exist.")));
        }
    }
    Ok(())
}
