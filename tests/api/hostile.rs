//! Hostile input at every layer — headers, paths, query strings, bodies, injection strings —
//! each answered with the right 4xx in the vendor's error body, and the database unchanged.

use reqwest::{Method, StatusCode};
use serde_json::Value;

use crate::helpers::{Backend, SEED_AUTH, TestApp, on_both_backends};

/// One attack: what is sent, and the status it must get.
struct Attack {
    name: &'static str,
    method: Method,
    path: String,
    headers: Vec<(&'static str, Vec<u8>)>,
    body: Vec<u8>,
    expect: StatusCode,
}

fn attack(name: &'static str, method: Method, path: &str, expect: StatusCode) -> Attack {
    let headers =
        vec![("Authorization", SEED_AUTH.as_bytes().to_vec()), ("Content-Type", b"application/json".to_vec())];
    Attack { name, method, path: path.to_owned(), headers, body: Vec::new(), expect }
}

impl Attack {
    fn header(mut self, name: &'static str, value: impl Into<Vec<u8>>) -> Self {
        self.headers.retain(|(n, _)| !n.eq_ignore_ascii_case(name));
        self.headers.push((name, value.into()));
        self
    }

    fn body(mut self, body: impl Into<Vec<u8>>) -> Self {
        self.body = body.into();
        self
    }
}

fn attacks() -> Vec<Attack> {
    use Method as M;
    use StatusCode as S;
    let put = |name, body: &str, expect| attack(name, M::PUT, "/api/v1/TicketMessage/1", expect).body(body.to_owned());
    let basic = |credentials: &[u8]| {
        let mut value = b"Basic ".to_vec();
        value.extend(base64_of(credentials).into_bytes());
        value
    };
    vec![
        // Headers
        attack("no credentials", M::GET, "/api/v1/TicketMessage/1", S::UNAUTHORIZED).header("Authorization", ""),
        attack("Basic, not base64", M::GET, "/api/v1/TicketMessage/1", S::UNAUTHORIZED).header("Authorization", "Basic !!!"),
        attack("Basic without a colon", M::GET, "/api/v1/TicketMessage/1", S::UNAUTHORIZED).header("Authorization", basic(b"tje0")),
        attack("Basic, invalid UTF-8", M::GET, "/api/v1/TicketMessage/1", S::UNAUTHORIZED).header("Authorization", basic(b"tje0:\xff\xfe")),
        attack("Authorization, invalid UTF-8", M::GET, "/api/v1/TicketMessage/1", S::UNAUTHORIZED)
            .header("Authorization", b"Basic \xff\xfe".to_vec()),
        attack("SoTicket garbage", M::GET, "/api/v1/TicketMessage/1", S::UNAUTHORIZED).header("Authorization", "SOTicket 7T:' OR 1=1 --"),
        attack("Bearer garbage", M::GET, "/api/v1/TicketMessage/1", S::UNAUTHORIZED).header("Authorization", "Bearer a.b.c"),
        attack("unknown scheme", M::GET, "/api/v1/TicketMessage/1", S::UNAUTHORIZED).header("Authorization", "Negotiate abc"),
        attack("huge Authorization", M::GET, "/api/v1/TicketMessage/1", S::UNAUTHORIZED)
            .header("Authorization", format!("Basic {}", "A".repeat(60_000))),
        attack("unknown SO-AppToken", M::GET, "/api/v1/TicketMessage/1", S::UNAUTHORIZED).header("SO-AppToken", "nope"),
        attack("gzip body", M::PUT, "/api/v1/TicketMessage/1", S::UNSUPPORTED_MEDIA_TYPE)
            .header("Content-Encoding", "gzip")
            .body(b"\x1f\x8b\x08\x00\x00\x00\x00\x00".to_vec()),
        attack("unknown Content-Type", M::PUT, "/api/v1/TicketMessage/1", S::UNSUPPORTED_MEDIA_TYPE)
            .header("Content-Type", "application/x-evil")
            .body("{}"),
        attack("unknown charset", M::PUT, "/api/v1/TicketMessage/1", S::UNSUPPORTED_MEDIA_TYPE)
            .header("Content-Type", "application/json; charset=ebcdic")
            .body("{}"),
        // Paths
        attack("id overflowing int32", M::GET, "/api/v1/TicketMessage/99999999999999999999", S::NOT_FOUND),
        attack("negative id", M::DELETE, "/api/v1/TicketMessage/-1", S::NOT_FOUND),
        attack("dot segments", M::GET, "/api/v1/TicketMessage/..%2F..%2Fetc%2Fpasswd", S::NOT_FOUND),
        attack("encoded slash", M::PUT, "/api/v1/TicketMessage/1%2F2", S::NOT_FOUND).body("{}"),
        attack("NUL in the path", M::GET, "/api/v1/TicketMessage/1%00", S::NOT_FOUND),
        attack("long path", M::GET, &format!("/api/v1/{}", "a/".repeat(2000)), S::NOT_FOUND),
        attack("injection as id", M::GET, "/api/v1/TicketMessage/1%20OR%201=1", S::NOT_FOUND),
        // Query strings
        put("notify=maybe", "{}", S::BAD_REQUEST).path_query("notify=maybe"),
        put("notify twice, differing", "{}", S::BAD_REQUEST).path_query("notify=true&notify=false"),
        attack("$top negative", M::GET, "/api/v1/TicketMessage?$top=-1", S::BAD_REQUEST),
        attack("$filter injection", M::GET, "/api/v1/TicketMessage?$filter=body%20eq%20'x';DROP%20TABLE%20ticket_messages;--", S::BAD_REQUEST),
        attack("$orderBy injection", M::GET, "/api/v1/TicketMessage?$orderBy=id;DELETE%20FROM%20tickets", S::BAD_REQUEST),
        attack("unknown $option", M::GET, "/api/v1/TicketMessage?$expand=all", S::BAD_REQUEST),
        // Bodies
        put("empty body", "", S::BAD_REQUEST),
        put("JSON null", "null", S::BAD_REQUEST),
        put("truncated JSON", "{\"Body\": \"x", S::BAD_REQUEST),
        put("deep nesting", &format!("{}{}", "[".repeat(10_000), "]".repeat(10_000)), S::BAD_REQUEST),
        put("NUL in a text", "{\"Body\": \"a\\u0000b\"}", S::BAD_REQUEST),
        put("wrong type", "{\"TimeSpent\": \"lots\"}", S::BAD_REQUEST),
        put("unknown enum", "{\"Slevel\": \"Galactic\"}", S::BAD_REQUEST),
        put("unknown ticket", "{\"Ticket\": {\"TicketId\": 2147483647}}", S::BAD_REQUEST),
        attack("invalid UTF-8 body", M::PUT, "/api/v1/TicketMessage/1", S::BAD_REQUEST).body(b"{\"Body\": \"\xff\"}".to_vec()),
        attack("XML entity bomb", M::PUT, "/api/v1/TicketMessage/1", S::BAD_REQUEST)
            .header("Content-Type", "application/xml")
            .body("<!DOCTYPE x [<!ENTITY a \"aaaa\"><!ENTITY b \"&a;&a;&a;&a;\">]><TicketMessageEntity><Body>&b;</Body></TicketMessageEntity>"),
        attack("XML external entity", M::PUT, "/api/v1/TicketMessage/1", S::BAD_REQUEST)
            .header("Content-Type", "application/xml")
            .body("<!DOCTYPE x [<!ENTITY e SYSTEM \"file:///etc/passwd\">]><TicketMessageEntity><Body>&e;</Body></TicketMessageEntity>"),
        attack("form with a huge index", M::PUT, "/api/v1/TicketMessage/1", S::BAD_REQUEST)
            .header("Content-Type", "application/x-www-form-urlencoded")
            .body("MessageHeaders[99999999][Name]=x"),
        attack("patch op move", M::PATCH, "/api/v1/TicketMessage/1", S::BAD_REQUEST)
            .header("Content-Type", "application/json-patch+json")
            .body("[{\"op\":\"move\",\"from\":\"/Body\",\"path\":\"/Author\"}]"),
        attack("patch of an id", M::PATCH, "/api/v1/TicketMessage/1", S::BAD_REQUEST)
            .header("Content-Type", "application/json-patch+json")
            .body("[{\"op\":\"replace\",\"path\":\"/NoSuchProperty\",\"value\":1}]"),
        attack("body over the limit", M::PUT, "/api/v1/TicketMessage/1", S::PAYLOAD_TOO_LARGE).body(vec![b' '; 3 * 1024 * 1024]),
        attack("read-only caller writes", M::PUT, "/api/v1/TicketMessage/1", S::FORBIDDEN)
            .header("Authorization", "Basic Z2plc3Q6R2plc3Qx")
            .body("{\"Body\":\"x\"}"),
    ]
}

impl Attack {
    fn path_query(mut self, query: &str) -> Self {
        self.path = format!("{}?{query}", self.path);
        self
    }
}

fn base64_of(bytes: &[u8]) -> String {
    use base64::Engine as _;
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

/// Everything a client can see of the messages, to compare before and after.
async fn snapshot(app: &TestApp) -> Vec<Value> {
    let mut messages = Vec::new();
    for id in 1..=10 {
        messages.push(app.get_message(id).await.1);
    }
    messages
}

async fn every_attack_gets_its_4xx_and_changes_nothing(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else { return };
    let before = snapshot(&app).await;
    let mut wrong = Vec::new();
    for attack in attacks() {
        let mut request = app.client.request(attack.method.clone(), app.url(&attack.path));
        for (name, value) in &attack.headers {
            if let Ok(value) = reqwest::header::HeaderValue::from_bytes(value) {
                request = request.header(*name, value);
            }
        }
        let response = request.body(attack.body.clone()).send().await.expect("answered");
        let status = response.status();
        let text = response.text().await.unwrap_or_default();
        let short: String = text.chars().take(200).collect();
        if status != attack.expect {
            wrong.push(format!("{}: {status} {short}", attack.name));
        } else if status == StatusCode::UNAUTHORIZED {
            if !text.contains("This request was refused: ") {
                wrong.push(format!("{}: the 401 page does not say why", attack.name));
            }
        } else {
            let body: Value = serde_json::from_str(&text).unwrap_or(Value::Null);
            if body["Error"] != true {
                wrong.push(format!("{}: not the vendor's error body: {short}", attack.name));
            }
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
    assert_eq!(snapshot(&app).await, before, "no attack changed a message");
}

async fn injection_strings_are_stored_and_returned_as_text(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else { return };
    let hostile = "x'); DROP TABLE ticket_messages; -- \" OR 1=1 /* <script>alert(1)</script> ${jndi:ldap://x}";
    let body = serde_json::json!({"Body": hostile, "Author": hostile, "ExtraFields": {"x_region": hostile}});
    let status =
        app.send_json(Method::PUT, "/api/v1/TicketMessage/4", body.to_string()).send().await.expect("put").status();
    assert_eq!(status, StatusCode::OK);
    let (_, stored) = app.get_message(4).await;
    assert_eq!(stored["Body"], hostile);
    assert_eq!(stored["Author"], hostile);
    let filter = format!("/api/v1/TicketMessage?$filter=author%20eq%20'{}'", urlencode(&hostile.replace('\'', "''")));
    let (status, found) = app.call(app.request(Method::GET, &filter)).await;
    assert_eq!(status, StatusCode::OK, "{found}");
    assert_eq!(found["value"].as_array().map(Vec::len), Some(1), "the filter matches the literal text only");
    assert_eq!(app.get_message(1).await.0, StatusCode::OK, "the tables are all still there");
}

fn urlencode(text: &str) -> String {
    text.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

on_both_backends!(every_attack_gets_its_4xx_and_changes_nothing, injection_strings_are_stored_and_returned_as_text);
