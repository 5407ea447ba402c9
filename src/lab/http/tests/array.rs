//! The array API as FlashArray REST 2.x has it (issue 13): the versions listed are the versions
//! served, lists page and sort and filter, sessions end at /logout, errors in the array's shape.

use crate::lab::testkit::Harness;
use reqwest::Method;
use serde_json::Value;

const A: &str = "site-a";

fn url(h: &Harness, path: &str) -> String {
    h.url(A, &format!("/array/api/{path}"))
}

#[tokio::test]
async fn every_listed_version_is_served_and_no_other() {
    let h = Harness::new().await;
    let (code, v) = h.get("", &url(&h, "api_version")).await;
    assert_eq!(code, 200);
    let versions: Vec<&str> = v["version"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x.as_str().unwrap())
        .collect();
    assert_eq!(versions.first(), Some(&"2.0"));
    assert_eq!(versions.last(), Some(&"2.17"));
    let token = std::fs::read_to_string(h.dir.path().join("array-a.token")).unwrap();
    for version in versions {
        let r = h
            .http
            .post(url(&h, &format!("{version}/login")))
            .header("api-token", token.trim())
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200, "login at {version}");
    }
    let (code, err) = h.send(Method::POST, "", &url(&h, "2.99/login"), None).await;
    assert_eq!(code, 404);
    assert!(
        err["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("api_version"),
        "{err}"
    );
}

#[tokio::test]
async fn lists_sort_page_and_filter_and_logout_ends_the_session() {
    let h = Harness::new().await;
    let s = h.array_session(A).await;
    let snaps = |q: &str| url(&h, &format!("2.17/protection-group-snapshots?{q}"));
    for _ in 0..2 {
        let (code, _) = h
            .send(Method::POST, &s, &snaps("source_names=web-app-pg"), None)
            .await;
        assert_eq!(code, 200);
    }
    let (_, all) = h
        .get(&s, &snaps("source_names=web-app-pg&sort=created"))
        .await;
    let oldest_first: Vec<Value> = all["items"].as_array().unwrap().clone();
    assert!(oldest_first.len() >= 2, "{all}");
    let (_, newest) = h
        .get(&s, &snaps("source_names=web-app-pg&sort=created-&limit=1"))
        .await;
    assert_eq!(newest["items"].as_array().unwrap().len(), 1);
    let created = |v: &Value| v["created"].as_i64().unwrap();
    assert_eq!(
        created(&newest["items"][0]),
        created(oldest_first.last().unwrap())
    );
    assert_eq!(newest["total_item_count"], oldest_first.len());
    let token = newest["continuation_token"].as_str().unwrap();
    let (_, second) = h
        .get(
            &s,
            &snaps(&format!(
                "source_names=web-app-pg&sort=created-&limit=1&continuation_token={token}"
            )),
        )
        .await;
    assert_eq!(
        created(&second["items"][0]),
        created(&oldest_first[oldest_first.len() - 2])
    );
    assert_ne!(second["items"][0]["name"], newest["items"][0]["name"]);
    let (_, filtered) = h
        .get(
            &s,
            &url(
                &h,
                "2.17/volumes?filter=name%3D%27web-*%27%20and%20destroyed%3D%27false%27",
            ),
        )
        .await;
    let names: Vec<&str> = filtered["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v["name"].as_str().unwrap())
        .collect();
    assert!(
        !names.is_empty() && names.iter().all(|n| n.starts_with("web-")),
        "{names:?}"
    );
    let (code, err) = h.get(&s, &url(&h, "2.17/volumes?filter=name%3D")).await;
    assert_eq!(
        (code, err["errors"][0]["context"].clone()),
        (400, "filter".into())
    );

    let (code, _) = h
        .send(Method::POST, &s, &url(&h, "2.17/logout"), None)
        .await;
    assert_eq!(code, 200);
    let (code, err) = h.get(&s, &url(&h, "2.17/volumes")).await;
    assert_eq!(code, 401, "the session ended");
    assert!(err["errors"][0]["message"].is_string(), "{err}");
}
