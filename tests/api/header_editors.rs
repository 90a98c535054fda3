//! Editors that each append one header to message 7 with a JSON Patch body, all at once: a save
//! onto a version other than the one its patch was applied to would lose a header saved in between.

use std::sync::Arc;

use reqwest::{Method, StatusCode};
use serde_json::json;

use crate::helpers::TestApp;

/// `count` editors patch message 7 through `method` at once; each is answered 200 and every
/// header they appended is stored.
pub async fn every_appended_header_lands(app: TestApp, method: Method, count: i32) {
    let app = Arc::new(app);
    let editors: Vec<_> = (0..count)
        .map(|n| {
            let (app, method) = (app.clone(), method.clone());
            tokio::spawn(async move {
                let append =
                    json!([{"op": "add", "path": "/MessageHeaders/-", "value": {"Name": "N", "Value": n.to_string()}}]);
                let request = app
                    .request(method, "/api/v1/TicketMessage/7")
                    .header("Content-Type", "application/json-patch+json")
                    .body(append.to_string());
                app.call(request).await.0
            })
        })
        .collect();
    for editor in editors {
        assert_eq!(editor.await.expect("task"), StatusCode::OK, "an unconditional {method} is never refused as stale");
    }
    let stored = app.store.message(7).await.expect("read").expect("exists");
    let mut values: Vec<i32> =
        stored.content.headers.iter().filter(|h| h.name == "N").filter_map(|h| h.value.parse().ok()).collect();
    values.sort_unstable();
    assert_eq!(values, (0..count).collect::<Vec<_>>(), "every {method} patched the save before it");
}
