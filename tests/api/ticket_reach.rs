//! Object-level authorization over real sockets: an agent limited to some ticket categories
//! gets 403 on every route that addresses a message of another ticket (and the database is
//! unchanged), sees only reachable messages in the list (paging included), keeps working on their
//! categories and their own tickets; admins and unlimited agents are unaffected; a move to another
//! ticket racing a limited agent's save never lets that save land; the CLI sets the access.

use std::collections::BTreeSet;

use reqwest::{Method, RequestBuilder, StatusCode};
use serde_json::{Value, json};
use ticketd::domain::TicketAccess;

use crate::cli::output_beside_server;
use crate::helpers::{Backend, TestApp, assert_error, on_both_backends};

on_both_backends!(
    a_limited_agent_gets_403_for_other_tickets_and_nothing_changes,
    a_limited_agent_lists_only_reachable_messages_and_pages_stay_full,
    a_limited_agent_works_on_their_categories_and_their_own_tickets,
    admins_and_unlimited_agents_reach_every_ticket,
    a_move_to_another_ticket_racing_a_limited_save_never_lets_it_land,
    the_cli_sets_and_shows_access_and_it_applies_from_the_next_request,
);

/// The demo's ticket 3 category. Ragnhild (associate 2, an agent) owns ticket 2; ticket 1 is
/// the administrator's, in another category. Messages 1, 2, 6 and 10 are on ticket 1.
const DELIVERY: &str = r#"NO:"Levering";US:"Delivery";SE:"Leverans";GE:"Lieferung""#;
const OUT_OF_REACH: [i32; 4] = [1, 2, 6, 10];
const REACHABLE: [i32; 6] = [3, 4, 5, 7, 8, 9];

fn as_ragnhild(app: &TestApp, method: Method, path: &str) -> RequestBuilder {
    app.client
        .request(method, app.url(path))
        .basic_auth("ragnhild", Some("Ragnhild1"))
        .header("Accept", "application/json")
}

fn json_body(request: RequestBuilder, body: Value) -> RequestBuilder {
    request.header("Content-Type", "application/json").body(body.to_string())
}

async fn limit_ragnhild_to_delivery(app: &TestApp) {
    let access = TicketAccess::categories_from_list(DELIVERY);
    assert!(app.store.set_ticket_access("ragnhild", &access).await.expect("access set"));
}

/// Uploads a small text attachment as the administrator; its id.
async fn upload(app: &TestApp) -> i64 {
    let request = app.request(Method::POST, "/api/v1/Attachment?name=n.txt").header("Content-Type", "text/plain");
    let (_, uploaded) = app.call(request.body("notat")).await;
    uploaded["AttachmentId"].as_i64().expect("uploaded")
}

/// What a forbidden request could have changed: every message as stored (version, ticket,
/// content and attachments), their save records, and the outbox.
async fn snapshot(app: &TestApp) -> Vec<String> {
    let mut state = Vec::new();
    for id in 1..=12 {
        let message = app.store.message(id).await.expect("read");
        let events = app.store.save_events(id).await.expect("events");
        state.push(format!("{id}: {message:?} {events:?}"));
    }
    state.push(format!("outbox: {:?}", app.store.outbox(None, 100).await.expect("outbox")));
    state
}

async fn a_limited_agent_gets_403_for_other_tickets_and_nothing_changes(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else { return };
    limit_ragnhild_to_delivery(&app).await;
    let (claimed, attachment) = (upload(&app).await, upload(&app).await);
    let connect =
        app.request(Method::POST, "/api/v1/TicketMessage/1/Attachment").header("Content-Type", "application/json");
    assert_eq!(app.call(connect.body(format!("[{claimed}]"))).await.0, StatusCode::NO_CONTENT);
    let (_, stored) = app.get_message(1).await;
    let etag = format!("\"1-{}\"", app.store.message(1).await.expect("read").expect("exists").version);
    let before = snapshot(&app).await;
    let denied = [
        as_ragnhild(&app, Method::GET, "/api/v1/TicketMessage/1"),
        as_ragnhild(&app, Method::GET, "/api/v1/TicketMessage/1?$select=Body&fk=true"),
        as_ragnhild(&app, Method::GET, "/api/v1/TicketMessage/1").header("If-None-Match", &etag),
        as_ragnhild(&app, Method::GET, "/api/v1/TicketMessage/1/Attachment"),
        as_ragnhild(&app, Method::GET, "/api/v1/TicketMessage/1/Attachment/Noninline"),
        as_ragnhild(&app, Method::GET, "/api/v1/TicketMessage/1/ForeignKey"),
        as_ragnhild(&app, Method::GET, &format!("/api/v1/Attachment/{claimed}")),
        as_ragnhild(&app, Method::GET, &format!("/api/v1/Attachment/{claimed}/Content")),
        as_ragnhild(&app, Method::GET, &format!("/api/v1/TicketMessage/RfcAttachment/{claimed}/0")),
        json_body(as_ragnhild(&app, Method::PUT, "/api/v1/TicketMessage/1?notify=true"), stored.clone()),
        json_body(as_ragnhild(&app, Method::PATCH, "/api/v1/TicketMessage/1"), json!({"Important": true})),
        as_ragnhild(&app, Method::DELETE, "/api/v1/TicketMessage/1"),
        json_body(as_ragnhild(&app, Method::POST, "/api/v1/TicketMessage/1/Attachment"), json!([attachment])),
        as_ragnhild(&app, Method::POST, "/api/v1/TicketMessage/1/Send?to=kunde@example.com"),
        as_ragnhild(&app, Method::POST, "/api/v1/TicketMessage/1/SendSms?sms=%2B4711111111"),
        json_body(as_ragnhild(&app, Method::POST, "/api/v1/TicketMessage"), json!({"Ticket": {"TicketId": 1}})),
        json_body(as_ragnhild(&app, Method::POST, "/api/v1/TicketMessage"), json!({"EjMessageId": 1, "Body": "x"})),
    ];
    for request in denied {
        let described = format!("{request:?}");
        let answer = app.call(request).await;
        assert_eq!(answer.0, StatusCode::FORBIDDEN, "{described}");
        assert_error(answer, StatusCode::FORBIDDEN, "SoAccessDeniedException", "No access to ticket 1");
    }
    // Moving a reachable message onto ticket 1 names ticket 1 too.
    let (_, seven) = app.get_message(7).await;
    let moved = json!({"Body": "flyttet", "Ticket": {"TicketId": 1}});
    let put = app.call(json_body(as_ragnhild(&app, Method::PUT, "/api/v1/TicketMessage/7"), moved.clone())).await;
    assert_error(put, StatusCode::FORBIDDEN, "SoAccessDeniedException", "No access to ticket 1");
    let patch = json!({"Ticket": {"TicketId": 1}});
    let patched = app.call(json_body(as_ragnhild(&app, Method::PATCH, "/api/v1/TicketMessage/7"), patch)).await;
    assert_error(patched, StatusCode::FORBIDDEN, "SoAccessDeniedException", "No access to ticket 1");
    assert_eq!(snapshot(&app).await, before, "a refused request changed nothing");
    assert_eq!(app.get_message(7).await.1, seven);
    // Unclaimed uploads are no ticket's: only their uploader (and admins) see them.
    let unclaimed = app.call(as_ragnhild(&app, Method::GET, &format!("/api/v1/Attachment/{attachment}"))).await;
    assert_error(unclaimed, StatusCode::NOT_FOUND, "SoNotFoundException", &format!("Attachment id {attachment}"));
    // A message that does not exist is still a 404, as for everyone.
    assert_eq!(app.call(as_ragnhild(&app, Method::GET, "/api/v1/TicketMessage/999")).await.0, StatusCode::NOT_FOUND);
}

/// Every id and ticket id the list shows a caller, following `odata.nextLink` page by page.
async fn list_pages(app: &TestApp, auth: impl Fn(&str) -> RequestBuilder, query: &str) -> Vec<Vec<(i64, i64)>> {
    let mut pages = Vec::new();
    let mut next = Some(app.url(&format!("/api/v1/TicketMessage?{query}")));
    while let Some(url) = next.take() {
        let (status, page) = app.call(auth(&url)).await;
        assert_eq!(status, StatusCode::OK, "{page}");
        let rows = page["value"].as_array().cloned().unwrap_or_default();
        let ids = |row: &Value| (row["ejMessageId"].as_i64().unwrap_or(0), row["ticketId"].as_i64().unwrap_or(0));
        pages.push(rows.iter().map(ids).collect());
        next = page["odata.nextLink"].as_str().map(str::to_owned);
        assert!(pages.len() < 20, "paging ends");
    }
    pages
}

async fn a_limited_agent_lists_only_reachable_messages_and_pages_stay_full(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else { return };
    limit_ragnhild_to_delivery(&app).await;
    let ragnhild = |url: &str| app.client.get(url).basic_auth("ragnhild", Some("Ragnhild1"));
    let pages = list_pages(&app, ragnhild, "$select=ejMessageId,ticketId&$top=2").await;
    let ids: Vec<i64> = pages.iter().flatten().map(|(id, _)| *id).collect();
    assert_eq!(ids, REACHABLE.map(i64::from), "only tickets 2 (owned) and 3 (Delivery)");
    assert!(pages.iter().all(|page| page.len() == 2), "every page is full: {pages:?}");
    assert!(pages.iter().flatten().all(|(_, ticket)| *ticket != 1));
    let filtered = list_pages(&app, ragnhild, "$select=ejMessageId,ticketId&$filter=ticketId%20eq%201").await;
    assert_eq!(filtered, [Vec::<(i64, i64)>::new()], "a filter for ticket 1 finds nothing, it is not refused");
    let either = "$select=ejMessageId,ticketId&$filter=ticketId%20eq%201%20or%20ticketId%20eq%203";
    let ored: Vec<i64> = list_pages(&app, ragnhild, either).await.concat().iter().map(|(id, _)| *id).collect();
    assert_eq!(ored, [4, 5, 9], "the limit binds an `or` filter as a whole");
    let admin = |url: &str| app.client.get(url).header("Authorization", crate::helpers::SEED_AUTH);
    let everything = list_pages(&app, admin, "$select=ejMessageId,ticketId").await.concat();
    assert_eq!(everything.len(), 10);
}

async fn a_limited_agent_works_on_their_categories_and_their_own_tickets(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else { return };
    limit_ragnhild_to_delivery(&app).await;
    // Message 3 is on ticket 2, which Ragnhild owns; message 4 on ticket 3, of her category.
    for id in [3, 4] {
        let path = format!("/api/v1/TicketMessage/{id}");
        let (status, stored) = app.call(as_ragnhild(&app, Method::GET, &path)).await;
        assert_eq!(status, StatusCode::OK, "{stored}");
        let mut changed = stored.clone();
        changed["Body"] = json!(format!("endret {id}"));
        let (status, saved) = app.call(json_body(as_ragnhild(&app, Method::PUT, &path), changed)).await;
        assert_eq!((status, saved["Body"].clone()), (StatusCode::OK, json!(format!("endret {id}"))));
        let (status, _) =
            app.call(json_body(as_ragnhild(&app, Method::PATCH, &path), json!({"Important": true}))).await;
        assert_eq!(status, StatusCode::OK);
        let (status, _) = app.call(as_ragnhild(&app, Method::GET, &format!("{path}/Attachment"))).await;
        assert_eq!(status, StatusCode::OK);
        let send = as_ragnhild(&app, Method::POST, &format!("{path}/Send?to=kunde@example.com"));
        assert_eq!(app.call(send).await.0, StatusCode::NO_CONTENT);
    }
    // Moving a message between two reachable tickets is allowed.
    let moved = json!({"Ticket": {"TicketId": 3}});
    let (status, body) = app.call(json_body(as_ragnhild(&app, Method::PATCH, "/api/v1/TicketMessage/7"), moved)).await;
    assert_eq!((status, body["Ticket"]["TicketId"].clone()), (StatusCode::OK, json!(3)));
    let new = json!({"Ticket": {"TicketId": 2}, "Body": "Ny melding"});
    let (status, created) = app.call(json_body(as_ragnhild(&app, Method::POST, "/api/v1/TicketMessage"), new)).await;
    assert_eq!(status, StatusCode::OK, "{created}");
    let deleted = app.call(as_ragnhild(&app, Method::DELETE, "/api/v1/TicketMessage/9")).await;
    assert_eq!(deleted.0, StatusCode::NO_CONTENT);
    assert!(app.store.message(9).await.expect("read").is_none());
}

async fn admins_and_unlimited_agents_reach_every_ticket(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else { return };
    // A stored limit does not bind an administrator.
    assert!(app.store.set_ticket_access("tje0", &TicketAccess::categories_from_list("")).await.expect("set"));
    assert_eq!(app.get_message(1).await.0, StatusCode::OK);
    let admin = |url: &str| app.client.get(url).header("Authorization", crate::helpers::SEED_AUTH);
    assert_eq!(list_pages(&app, admin, "$select=ejMessageId,ticketId").await.concat().len(), 10);
    let jose = |method: Method, path: &str| app.client.request(method, app.url(path)).basic_auth("jose", Some("José1"));
    for id in OUT_OF_REACH {
        let (status, body) = app.call(jose(Method::GET, &format!("/api/v1/TicketMessage/{id}"))).await;
        assert_eq!(status, StatusCode::OK, "{body}");
    }
    let patch = json_body(jose(Method::PATCH, "/api/v1/TicketMessage/1"), json!({"Important": true}));
    assert_eq!(app.call(patch).await.0, StatusCode::OK);
    let jose_get = |url: &str| app.client.get(url).basic_auth("jose", Some("José1"));
    assert_eq!(list_pages(&app, jose_get, "$select=ejMessageId,ticketId").await.concat().len(), 10);
}

async fn a_move_to_another_ticket_racing_a_limited_save_never_lets_it_land(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else { return };
    limit_ragnhild_to_delivery(&app).await;
    let path = "/api/v1/TicketMessage/7";
    for round in 0..12 {
        let back = json!({"Ticket": {"TicketId": 2}});
        assert_eq!(app.call(json_body(app.request(Method::PATCH, path), back)).await.0, StatusCode::OK);
        let first_event = app.store.save_events(7).await.expect("events").len();
        let away = json!({"Ticket": {"TicketId": 1}});
        let mover = app.call(json_body(app.request(Method::PATCH, path), away));
        let change = json!({"Body": format!("runde {round}")});
        let save = if round % 2 == 0 {
            json_body(as_ragnhild(&app, Method::PATCH, path), change)
        } else {
            json_body(as_ragnhild(&app, Method::PUT, path), json!({"Body": format!("runde {round}")}))
        };
        let (moved, saved) = tokio::join!(mover, app.call(save));
        assert_eq!(moved.0, StatusCode::OK);
        assert!(matches!(saved.0, StatusCode::OK | StatusCode::FORBIDDEN), "{saved:?}");
        // The administrator is associate 1, Ragnhild 2: after the move, no save of hers may follow.
        let events = app.store.save_events(7).await.expect("events");
        let savers: Vec<i32> = events[first_event..].iter().map(|event| event.associate_id).collect();
        assert!(savers == [1] || savers == [2, 1], "round {round}: saves in commit order {savers:?}");
    }
}

async fn the_cli_sets_and_shows_access_and_it_applies_from_the_next_request(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else { return };
    let url = app.database_url().to_owned();
    let run = async |args: &[&str]| output_beside_server(&[args, &["--database-url", &url]].concat()).await;
    let shown = run(&["associate", "access", "ragnhild"]).await;
    assert_eq!(String::from_utf8_lossy(&shown.stdout), "all\n");
    let categories = format!("{DELIVERY}, Salg");
    let set = run(&["associate", "access", "ragnhild", "--categories", &categories]).await;
    assert!(set.status.success(), "{}", String::from_utf8_lossy(&set.stderr));
    assert!(String::from_utf8_lossy(&set.stderr).contains("no ticket has the category 'Salg'"));
    let shown = run(&["associate", "access", "RAGNHILD"]).await;
    assert_eq!(String::from_utf8_lossy(&shown.stdout), format!("categories: {DELIVERY}, Salg\n"));
    let expected: BTreeSet<String> = [DELIVERY.to_owned(), "Salg".to_owned()].into();
    assert_eq!(app.store.ticket_access(2).await.expect("read"), TicketAccess::Categories(expected));
    // The running server reads the access on every request: no restart, no cache.
    let denied = app.call(as_ragnhild(&app, Method::GET, "/api/v1/TicketMessage/1")).await;
    assert_error(denied, StatusCode::FORBIDDEN, "SoAccessDeniedException", "No access to ticket 1");
    assert!(run(&["associate", "access", "ragnhild", "--all"]).await.status.success());
    assert_eq!(app.call(as_ragnhild(&app, Method::GET, "/api/v1/TicketMessage/1")).await.0, StatusCode::OK);
    assert_eq!(app.store.ticket_access(2).await.expect("read"), TicketAccess::All);
    let nobody = run(&["associate", "access", "nobody", "--all"]).await;
    assert!(!nobody.status.success() && String::from_utf8_lossy(&nobody.stderr).contains("no associate 'nobody'"));
    let both = run(&["associate", "access", "ragnhild", "--all", "--categories", "Salg"]).await;
    assert!(!both.status.success(), "--all and --categories exclude each other");
}
