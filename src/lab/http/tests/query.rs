//! The array's list query: filter, sort and paging (array_query.rs).

use super::super::array_query::{QueryError, answer};
use serde_json::{Value, json};
use std::collections::HashMap;

fn snaps() -> Vec<Value> {
    (1..=5)
        .map(|i| {
            json!({"name": format!("pg.{i}"), "created": 1000 + i, "destroyed": i == 2,
                "source": {"name": if i % 2 == 0 { "pg" } else { "other" }}})
        })
        .collect()
}

fn q(pairs: &[(&str, &str)]) -> HashMap<String, String> {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

fn names(v: &Value) -> Vec<&str> {
    v["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["name"].as_str().unwrap())
        .collect()
}

#[test]
fn sort_descending_with_a_limit_gives_the_newest() {
    let a = answer(&q(&[("sort", "created-"), ("limit", "1")]), snaps()).unwrap();
    assert_eq!(names(&a), ["pg.5"]);
    assert_eq!(a["total_item_count"], 5);
    assert!(a["continuation_token"].is_string());
}

#[test]
fn continuation_tokens_walk_every_page_once() {
    let mut seen = Vec::new();
    let mut token: Option<String> = None;
    loop {
        let mut query = q(&[("limit", "2"), ("sort", "name")]);
        if let Some(t) = &token {
            query.insert("continuation_token".into(), t.clone());
        }
        let a = answer(&query, snaps()).unwrap();
        seen.extend(names(&a).iter().map(|s| s.to_string()));
        match a["continuation_token"].as_str() {
            Some(t) => token = Some(t.to_string()),
            None => break,
        }
    }
    assert_eq!(seen, ["pg.1", "pg.2", "pg.3", "pg.4", "pg.5"]);
    assert_eq!(
        answer(&q(&[("continuation_token", "nope")]), snaps()).unwrap_err(),
        QueryError::Token
    );
}

#[test]
fn filters_compare_wildcard_and_combine() {
    let f = |text: &str| names(&answer(&q(&[("filter", text)]), snaps()).unwrap()).len();
    assert_eq!(f("destroyed='false'"), 4);
    assert_eq!(f("source.name='pg'"), 2);
    assert_eq!(f("name='pg.*' and created>1003"), 2);
    assert_eq!(f("name='pg.1' or name='pg.5'"), 2);
    assert_eq!(f("not(destroyed='true')"), 4);
    assert_eq!(f("name!='pg.1'"), 4);
    assert!(answer(&q(&[("filter", "name=")]), snaps()).is_err());
    let a = answer(&q(&[("offset", "3")]), snaps()).unwrap();
    assert_eq!(names(&a), ["pg.4", "pg.5"]);
}
