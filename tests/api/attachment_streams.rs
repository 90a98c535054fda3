//! Attachment bytes stream through the store a piece at a time: a 20 MB file goes up and comes
//! back byte for byte over a real socket; an upload whose client hangs up halfway leaves no row
//! and no stored piece behind (and is invisible while it arrives); a body without a declared
//! length that runs past the limit is a 413 naming it that stores nothing; an upload refused on
//! its first piece leaves its connection usable; and bytes stored whole by an older version are
//! cut into pieces by the migration and download as they were.

use std::time::Duration;

use reqwest::{Method, StatusCode};
use tokio::io::AsyncWriteExt;
use tokio::net::TcpStream;

use crate::helpers::{Backend, SEED_AUTH, TestApp, assert_error, on_both_backends};

on_both_backends!(
    a_20_mb_file_round_trips_byte_exact,
    a_client_hanging_up_mid_upload_leaves_nothing_behind,
    an_undeclared_body_past_the_limit_is_a_413_that_stores_nothing,
    bytes_stored_whole_before_the_pieces_migration_still_download,
    a_large_upload_refused_on_its_first_piece_is_answered_on_a_connection_that_stays_usable,
);

const MB: usize = 1024 * 1024;

/// Bytes no sniffer recognises and that differ along the whole file, so a lost, doubled or
/// misplaced piece shows.
fn noise(len: usize) -> Vec<u8> {
    let mut state = 0x2545_f491_4f6c_dd1d_u64;
    (0..len)
        .map(|_| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            (state >> 24) as u8
        })
        .collect()
}

/// The one number `sql` answers, read from the database directly.
async fn scalar(app: &TestApp, backend: Backend, sql: &'static str) -> i64 {
    use sqlx::Connection as _;
    match backend {
        Backend::Sqlite => {
            let mut conn = sqlx::SqliteConnection::connect(app.database_url()).await.expect("sqlite");
            sqlx::query_scalar(sql).fetch_one(&mut conn).await.expect("counted")
        }
        Backend::Postgres => {
            let mut conn = sqlx::PgConnection::connect(app.database_url()).await.expect("postgres");
            sqlx::query_scalar(sql).fetch_one(&mut conn).await.expect("counted")
        }
    }
}

/// Runs `statements` on the database directly, binding `bytes` and `id` where they ask.
async fn execute(app: &TestApp, backend: Backend, statements: &[&'static str], bytes: &[u8], id: i64) {
    use sqlx::Connection as _;
    for &sql in statements {
        let binds = sql.matches('$').count();
        match backend {
            Backend::Sqlite => {
                let mut conn = sqlx::SqliteConnection::connect(app.database_url()).await.expect("sqlite");
                let query = sqlx::query(sql);
                let query = if binds == 2 { query.bind(bytes).bind(id) } else { query };
                query.execute(&mut conn).await.expect("executed");
            }
            Backend::Postgres => {
                let mut conn = sqlx::PgConnection::connect(app.database_url()).await.expect("postgres");
                let query = sqlx::query(sql);
                let query = if binds == 2 { query.bind(bytes).bind(i32::try_from(id).expect("id")) } else { query };
                query.execute(&mut conn).await.expect("executed");
            }
        }
    }
}

/// How many attachment rows and stored pieces there are.
async fn stored(app: &TestApp, backend: Backend) -> (i64, i64) {
    let rows = scalar(app, backend, "SELECT COUNT(*) FROM attachments").await;
    (rows, scalar(app, backend, "SELECT COUNT(*) FROM attachment_chunks").await)
}

/// What is stored once `done` holds for it, or after a minute of waiting for that.
async fn stored_once(app: &TestApp, backend: Backend, done: impl Fn((i64, i64)) -> bool) -> (i64, i64) {
    for _ in 0..600 {
        let now = stored(app, backend).await;
        if done(now) {
            return now;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    stored(app, backend).await
}

async fn a_20_mb_file_round_trips_byte_exact(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else { return };
    let bytes = noise(20 * MB);
    let request = app
        .request(Method::POST, "/api/v1/Attachment?name=stort.bin")
        .header("Content-Type", "application/octet-stream")
        .header("Accept", "application/json")
        .body(bytes.clone());
    let (status, info) = app.call(request).await;
    assert_eq!(status, StatusCode::OK, "{info}");
    assert_eq!(info["AttSize"], bytes.len());
    let id = info["AttachmentId"].as_i64().expect("an id");
    // Stored in pieces, not as one value.
    assert!(scalar(&app, backend, "SELECT COUNT(*) FROM attachment_chunks").await > 1);

    let response =
        app.request(Method::GET, &format!("/api/v1/Attachment/{id}/Content")).send().await.expect("answered");
    assert_eq!(response.status(), StatusCode::OK);
    let headers = response.headers().clone();
    assert_eq!(headers["content-length"], bytes.len().to_string().as_str());
    assert_eq!(headers["content-type"], "application/octet-stream");
    assert_eq!(headers["x-content-type-options"], "nosniff");
    assert!(headers["content-disposition"].to_str().expect("text").starts_with("attachment;"));
    let back = response.bytes().await.expect("the whole body");
    assert_eq!(back.len(), bytes.len());
    assert!(back == bytes, "the downloaded bytes differ from the uploaded ones");
}

async fn a_client_hanging_up_mid_upload_leaves_nothing_behind(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else { return };
    let before = stored(&app, backend).await;
    let address = app.base.trim_start_matches("http://").to_owned();
    let mut socket = TcpStream::connect(&address).await.expect("connected");
    let head = format!(
        "POST /api/v1/Attachment?name=halv.bin HTTP/1.1\r\nHost: {address}\r\nAuthorization: {SEED_AUTH}\r\n\
         Content-Type: application/octet-stream\r\nContent-Length: {}\r\n\r\n",
        20 * MB
    );
    socket.write_all(head.as_bytes()).await.expect("head sent");
    socket.write_all(&noise(2 * MB)).await.expect("a tenth of the body sent");
    let midway = stored_once(&app, backend, |(rows, pieces)| rows > before.0 && pieces > before.1).await;
    assert!(midway.0 > before.0 && midway.1 > before.1, "the upload is under way: {before:?} then {midway:?}");

    // An upload still arriving is not there for anyone yet.
    let arriving = scalar(&app, backend, "SELECT CAST(MAX(id) AS BIGINT) FROM attachments").await;
    let (status, body) = app.call(app.request(Method::GET, &format!("/api/v1/Attachment/{arriving}"))).await;
    assert_eq!(status, StatusCode::NOT_FOUND, "{body}");

    drop(socket);
    let after = stored_once(&app, backend, |now| now == before).await;
    assert_eq!(after, before, "the abandoned upload left rows or pieces behind");
    // The server goes on serving.
    let (status, _) = app.get_message(1).await;
    assert_eq!(status, StatusCode::OK);
}

async fn an_undeclared_body_past_the_limit_is_a_413_that_stores_nothing(backend: Backend) {
    let limit = 600 * 1024;
    let Some(app) = TestApp::spawn_with(backend, |settings| settings.attachment_limit = limit).await else { return };
    let before = stored(&app, backend).await;
    // Sent in pieces with no Content-Length: the limit is found only while storing.
    let body = noise(limit + 1);
    let pieces: Vec<Result<Vec<u8>, std::io::Error>> = body.chunks(64 * 1024).map(|piece| Ok(piece.to_vec())).collect();
    let request = app
        .request(Method::POST, "/api/v1/Attachment?name=for-stor.bin")
        .header("Content-Type", "application/octet-stream")
        .header("Accept", "application/json")
        .body(reqwest::Body::wrap_stream(futures_util::stream::iter(pieces)));
    let answer = app.call(request).await;
    assert_error(answer, StatusCode::PAYLOAD_TOO_LARGE, "RequestEntityTooLargeException", &format!("{limit} bytes"));
    let after = stored_once(&app, backend, |now| now == before).await;
    assert_eq!(after, before, "the refused upload left rows or pieces behind");
}

async fn a_large_upload_refused_on_its_first_piece_is_answered_on_a_connection_that_stays_usable(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else { return };
    let before = stored(&app, backend).await;
    let address = app.base.trim_start_matches("http://").to_owned();
    let (mut from_server, mut to_server) = TcpStream::connect(&address).await.expect("connected").into_split();
    // A whole upload, refused on its first piece (not a PNG), then a second request on the same
    // connection, all sent before reading anything.
    let body = noise(MB);
    let mut requests = format!(
        "POST /api/v1/Attachment?name=bilde.png HTTP/1.1\r\nHost: {address}\r\nAuthorization: {SEED_AUTH}\r\n\
         Content-Type: image/png\r\nAccept: application/json\r\nContent-Length: {}\r\n\r\n",
        body.len()
    )
    .into_bytes();
    requests.extend_from_slice(&body);
    requests.extend_from_slice(
        format!(
            "GET /api/v1/TicketMessage/1 HTTP/1.1\r\nHost: {address}\r\nAuthorization: {SEED_AUTH}\r\n\
             Accept: application/json\r\nConnection: close\r\n\r\n"
        )
        .as_bytes(),
    );
    let sender = tokio::spawn(async move {
        let _ = to_server.write_all(&requests).await;
        to_server
    });
    let mut answers = Vec::new();
    // A reset ends the reading too; what arrived before it counts.
    let _ = tokio::io::AsyncReadExt::read_to_end(&mut from_server, &mut answers).await;
    drop(sender.await);
    let answers = String::from_utf8_lossy(&answers);
    let statuses: Vec<&str> = answers.match_indices("HTTP/1.1 ").map(|(at, _)| &answers[at + 9..at + 12]).collect();
    assert_eq!(statuses, ["400", "200"], "both requests are answered: {answers:.400}");
    assert_eq!(stored(&app, backend).await, before, "nothing was stored");
}

async fn bytes_stored_whole_before_the_pieces_migration_still_download(backend: Backend) {
    let Some(old) = TestApp::spawn(backend).await else { return };
    let request = old
        .request(Method::POST, "/api/v1/Attachment?name=gammel.bin")
        .header("Content-Type", "application/octet-stream")
        .header("Accept", "application/json")
        .body("x");
    let (status, info) = old.call(request).await;
    assert_eq!(status, StatusCode::OK, "{info}");
    let id = info["AttachmentId"].as_i64().expect("an id");
    // The database as the version before pieces left it: the bytes whole in the row.
    let whole = noise(600 * 1024 + 7);
    let older = [
        "DROP TABLE attachment_chunks",
        "DELETE FROM _sqlx_migrations WHERE version = 10",
        "UPDATE attachments SET content = $1, att_size = 614407 WHERE id = $2",
    ];
    execute(&old, backend, &older, &whole, id).await;

    let url = old.database_url().to_owned();
    let Some(new) = TestApp::spawn_with(backend, |settings| settings.database_url = url.into()).await else { return };
    let response =
        new.request(Method::GET, &format!("/api/v1/Attachment/{id}/Content")).send().await.expect("answered");
    assert_eq!(response.status(), StatusCode::OK);
    let back = response.bytes().await.expect("the whole body");
    assert!(back == whole, "{} bytes came back of {}", back.len(), whole.len());
    // The second server ran on the first one's database.
    assert_eq!(scalar(&old, backend, "SELECT COUNT(*) FROM attachment_chunks").await, 3);
}
