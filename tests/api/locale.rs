//! Language, culture and time zone over a real socket.

use reqwest::{Method, StatusCode};
use serde_json::Value;

use crate::helpers::{Backend, TestApp, assert_error, on_both_backends};

on_both_backends!(
    labels_follow_the_language_and_user_content_never_changes,
    dates_follow_so_timezone_and_stamps_stay_utc
);

async fn get(app: &TestApp, id: i32, headers: &[(&str, &str)]) -> (reqwest::header::HeaderMap, Value) {
    let mut request = app.request(Method::GET, &format!("/api/v1/TicketMessage/{id}"));
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    let response = request.send().await.expect("answered");
    assert_eq!(response.status(), StatusCode::OK);
    let headers = response.headers().clone();
    (headers, response.json().await.expect("json"))
}

async fn labels_follow_the_language_and_user_content_never_changes(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else { return };
    let (headers, raw) = get(&app, 10, &[]).await;
    assert!(headers.get("content-language").is_none());
    assert_eq!(raw["Ticket"]["CategoryName"], r#"NO:"Faktura";US:"Invoicing";SE:"Fakturering";GE:"Rechnung""#);
    assert_eq!(raw["Ticket"]["PriorityName"], "[SR_PRIORITY_HIGH]");
    let cases = [
        (vec![("Accept-Language", "nb-NO,en;q=0.5")], "nb", "Faktura", "Høy", "Åpen", "Reklamasjon"),
        (vec![("Accept-Language", "de-DE")], "de", "Rechnung", "Hoch", "Offen", "Complaint"),
        (vec![("Accept-Language", "de"), ("SO-Language", "sv")], "sv", "Fakturering", "Hög", "Öppen", "Complaint"),
        (vec![("SO-Language", "fr")], "fr", "Invoicing", "Haute", "Ouvert", "Complaint"),
    ];
    for (headers, iso, category, priority, status, kind) in cases {
        let (response_headers, message) = get(&app, 10, &headers).await;
        assert_eq!(response_headers["content-language"], iso, "{headers:?}");
        let ticket = &message["Ticket"];
        assert_eq!(
            (ticket["CategoryName"].as_str(), ticket["PriorityName"].as_str()),
            (Some(category), Some(priority))
        );
        assert_eq!(
            (ticket["TicketStatusDisplayValue"].as_str(), ticket["TicketTypeName"].as_str()),
            (Some(status), Some(kind))
        );
        // User content round-trips byte for byte, even when it looks like a multi-language value.
        for field in ["Body", "HtmlBody", "Author", "SearchTitle", "MessageHeaders"] {
            assert_eq!(message[field], raw[field], "{field}");
        }
        assert_eq!(ticket["Title"], raw["Ticket"]["Title"]);
    }
    let (headers, message) = get(&app, 10, &[("Accept-Language", "*"), ("SO-Culture", "sv")]).await;
    assert!(headers.get("content-language").is_none());
    assert_eq!(message["Ticket"]["PriorityName"], "[SR_PRIORITY_HIGH]");
    let reader = app
        .client
        .get(app.url("/api/v1/TicketMessage/1"))
        .basic_auth("gjest", Some("Gjest1"))
        .header("Accept-Language", "da");
    let body: Value = reader.send().await.expect("answered").json().await.expect("json");
    assert_eq!(body["TableRight"]["Reason"], "Du kan læse, men ikke ændre meddelelser");
}

async fn dates_follow_so_timezone_and_stamps_stay_utc(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else { return };
    // Ticket 3's deadline is 2024-12-24T18:34:45 in the base zone (UTC here).
    let (_, plain) = get(&app, 4, &[]).await;
    assert_eq!(plain["Ticket"]["Deadline"], "2024-12-24T18:34:45");
    let created = plain["CreatedAt"].as_str().expect("stamp").to_owned();
    let (_, ny) = get(&app, 4, &[("SO-TimeZone", "US-NY")]).await;
    assert_eq!(ny["Ticket"]["Deadline"], "2024-12-24T13:34:45");
    assert_eq!(ny["CreatedAt"], created.as_str(), "creation stamps are not converted");
    let (_, ny_offset) = get(&app, 4, &[("SO-TimeZone", "460, includeTZOffset")]).await;
    assert_eq!(ny_offset["Ticket"]["Deadline"], "2024-12-24T13:34:45-05:00");
    assert_eq!(ny_offset["Ticket"]["ReadByOwner"], "0001-01-01T00:00:00", "no date stays no date");
    assert_eq!(ny_offset["CreatedAt"], format!("{created}Z"));
    let (_, oslo) = get(&app, 4, &[("SO-TimeZone", "Europe/Oslo,includeTZOffset")]).await;
    assert_eq!(oslo["Ticket"]["Deadline"], "2024-12-24T19:34:45+01:00");
    let (headers, unknown) = get(&app, 4, &[("SO-TimeZone", "Atlantis/Lost")]).await;
    assert_eq!(unknown["Ticket"]["Deadline"], "2024-12-24T18:34:45");
    assert!(headers["warning"].to_str().expect("text").contains("Atlantis/Lost"));
    // Ticket 2's deadline is in summer: New York is then at -04:00.
    let (_, summer) = get(&app, 3, &[("SO-TimeZone", "US-NY, includeTZOffset")]).await;
    assert_eq!(summer["Ticket"]["Deadline"], "2024-07-01T08:00:00-04:00");
    // Input dates with Z, +HH:MM, +HHMM or no offset are all read as the same UTC stamp.
    for created_at in
        ["2024-01-02T10:00:00Z", "2024-01-02T11:00:00+01:00", "2024-01-02T05:00:00-0500", "2024-01-02T10:00:00"]
    {
        let body = format!(r#"{{"CreatedAt": "{created_at}"}}"#);
        let request = app.send_json(Method::PUT, "/api/v1/TicketMessage/4", body).header("SO-TimeZone", "US-NY");
        let (status, saved) = app.call(request).await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(saved["CreatedAt"], "2024-01-02T10:00:00", "{created_at}");
    }
}

#[tokio::test]
async fn the_base_zone_is_configurable_and_zones_are_listed() {
    let Some(app) =
        TestApp::spawn_with(Backend::Sqlite, |settings| settings.base_timezone = chrono_tz::Tz::Europe__Oslo).await
    else {
        return;
    };
    // The vendor's worked example: base NO, stored 18:34:45, asked for in US-NY → 12:34:45.
    let (_, ny) = get(&app, 4, &[("SO-TimeZone", "US-NY")]).await;
    assert_eq!(ny["Ticket"]["Deadline"], "2024-12-24T12:34:45");
    let (_, gap) = get(&app, 1, &[("SO-TimeZone", "UTC, includeTZOffset")]).await;
    assert_eq!(gap["Ticket"]["Deadline"], "2024-03-31T01:30:00+00:00", "02:30 in Oslo's gap reads as 03:30 CEST");
    let zones: Value =
        app.request(Method::GET, "/api/v1/timezone").send().await.expect("answered").json().await.expect("json");
    let ny = zones.as_array().expect("list").iter().find(|z| z["TZLocationCode"] == "US-NY").expect("US-NY");
    assert_eq!((ny["TZLocationID"].as_i64(), ny["IanaName"].as_str()), (Some(460), Some("America/New_York")));
}

#[tokio::test]
async fn dates_with_non_ascii_offsets_are_a_400_naming_the_field() {
    let Some(app) = TestApp::spawn(Backend::Sqlite).await else { return };
    for created_at in
        ["2024-01-01T10:00:00+0é0", "2024-01-01T10:00:00+0é:00", "2024-01-01T10:00:00-é00", "2024-01-01T10:00:00.5€"]
    {
        let body = serde_json::json!({ "CreatedAt": created_at }).to_string();
        let (status, error) = app.call(app.send_json(Method::PUT, "/api/v1/TicketMessage/4", body)).await;
        assert_error((status, error), StatusCode::BAD_REQUEST, "ArgumentException", "CreatedAt");
    }
    let (status, _) = app.get_message(4).await;
    assert_eq!(status, StatusCode::OK, "the server still answers");
}
