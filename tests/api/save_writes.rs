//! What a save writes: the stored child rows are diffed against the request's, so a round trip
//! (GET, change `Body`, PUT) writes the message row and nothing else, and a changed field writes
//! that field. Triggers in the database log every row written to the message tables.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use sqlx::Connection as _;

use crate::helpers::{Backend, TestApp, on_both_backends};

const SEED_BODY: &str = include_str!("../fixtures/seed-put-request.json");
const TABLES: [&str; 4] = ["ticket_messages", "message_headers", "attachments", "message_fields"];

on_both_backends!(a_round_trip_writes_only_what_changed, a_save_with_more_rows_than_one_statement_binds_keeps_them_all);

/// A connection to the app's database, on which every row written to [`TABLES`] is logged.
enum Log {
    Sqlite(sqlx::SqliteConnection),
    Postgres(sqlx::PgConnection),
}

impl Log {
    async fn install(backend: Backend, url: &str) -> Self {
        let mut log = match backend {
            Backend::Sqlite => Self::Sqlite(sqlx::SqliteConnection::connect(url).await.expect("sqlite")),
            Backend::Postgres => Self::Postgres(sqlx::PgConnection::connect(url).await.expect("postgres")),
        };
        log.run("CREATE TABLE write_log (tbl TEXT NOT NULL, op TEXT NOT NULL)").await;
        if let Self::Postgres(_) = log {
            log.run(
                "CREATE FUNCTION log_write() RETURNS trigger LANGUAGE plpgsql AS \
                 $$ BEGIN INSERT INTO write_log VALUES (TG_TABLE_NAME, TG_OP); RETURN NULL; END $$",
            )
            .await;
        }
        for table in TABLES {
            match log {
                Self::Sqlite(_) => {
                    for (op, row) in [("INSERT", "NEW"), ("UPDATE", "NEW"), ("DELETE", "OLD")] {
                        let _ = row;
                        log.run(&format!(
                            "CREATE TRIGGER log_{table}_{op} AFTER {op} ON {table} \
                             BEGIN INSERT INTO write_log VALUES ('{table}', '{op}'); END"
                        ))
                        .await;
                    }
                }
                Self::Postgres(_) => {
                    log.run(&format!(
                        "CREATE TRIGGER log_{table} AFTER INSERT OR UPDATE OR DELETE ON {table} \
                         FOR EACH ROW EXECUTE FUNCTION log_write()"
                    ))
                    .await
                }
            }
        }
        log
    }

    async fn run(&mut self, sql: &str) {
        let sql = sqlx::AssertSqlSafe(sql.to_owned());
        match self {
            Self::Sqlite(conn) => sqlx::raw_sql(sql).execute(conn).await.map(drop),
            Self::Postgres(conn) => sqlx::raw_sql(sql).execute(conn).await.map(drop),
        }
        .expect("statement runs");
    }

    /// The rows written since the last call, as `table op` lines, sorted; the log is emptied.
    async fn take(&mut self) -> Vec<String> {
        const READ: &str = "SELECT tbl || ' ' || op FROM write_log ORDER BY 1";
        let mut rows: Vec<String> = match self {
            Self::Sqlite(conn) => sqlx::query_scalar(READ).fetch_all(conn).await,
            Self::Postgres(conn) => sqlx::query_scalar(READ).fetch_all(conn).await,
        }
        .expect("log read");
        rows.sort();
        self.run("DELETE FROM write_log").await;
        rows
    }
}

async fn put(app: &TestApp, body: &Value) -> Value {
    let (status, saved) = app.call(app.send_json(Method::PUT, "/api/v1/TicketMessage/1", body.to_string())).await;
    assert_eq!(status, StatusCode::OK, "{saved}");
    saved
}

async fn a_round_trip_writes_only_what_changed(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    put(&app, &serde_json::from_str(SEED_BODY).expect("seed body")).await;
    let mut log = Log::install(backend, app.database_url()).await;

    let (status, mut body) = app.get_message(1).await;
    assert_eq!(status, StatusCode::OK);
    body["Body"] = json!("changed once");
    let saved = put(&app, &body).await;
    assert_eq!(saved["MessageHeaders"], body["MessageHeaders"], "the headers keep their ids");
    assert_eq!(log.take().await, ["ticket_messages UPDATE"], "a round trip writes the message row only");

    body["ExtraFields"]["ExtraFields2"] = json!("changed");
    body["MessageHeaders"][1]["Value"] = json!("changed");
    put(&app, &body).await;
    let expected = ["message_fields INSERT", "message_headers UPDATE", "ticket_messages UPDATE"];
    let written = log.take().await;
    // An upsert of a changed field is logged as the UPDATE it becomes; SQLite's and
    // PostgreSQL's triggers both see the row written once.
    let written: Vec<String> =
        written.into_iter().map(|row| row.replace("message_fields UPDATE", "message_fields INSERT")).collect();
    assert_eq!(written, expected, "a changed field and header are written alone");

    let mut shorter = body.clone();
    shorter["MessageHeaders"] = json!([body["MessageHeaders"][0]]);
    shorter["AttachmentsInfo"] = json!([]);
    put(&app, &shorter).await;
    assert_eq!(
        log.take().await,
        ["attachments DELETE", "attachments DELETE", "message_headers DELETE", "ticket_messages UPDATE"],
        "items left out are deleted, the rest stays"
    );
}

/// More new rows than one multi-row INSERT binds (999 parameters: 166 headers, 249 fields), and
/// more removed field keys than one DELETE binds, are written in several statements.
async fn a_save_with_more_rows_than_one_statement_binds_keeps_them_all(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    let (status, mut body) = app.get_message(1).await;
    assert_eq!(status, StatusCode::OK);
    let headers: Vec<Value> =
        (0..400).map(|n| json!({"Id": 0, "Name": format!("X-{n}"), "Value": n.to_string()})).collect();
    let fields: serde_json::Map<String, Value> =
        (0..600).map(|n| (format!("key{n:03}"), json!(n.to_string()))).collect();
    body["MessageHeaders"] = json!(headers);
    body["ExtraFields"] = json!(fields);
    put(&app, &body).await;
    let (_, stored) = app.get_message(1).await;
    let names: Vec<&str> = stored["MessageHeaders"]
        .as_array()
        .expect("headers")
        .iter()
        .map(|h| h["Name"].as_str().unwrap_or(""))
        .collect();
    let expected: Vec<String> = (0..400).map(|n| format!("X-{n}")).collect();
    assert_eq!(names, expected, "every header, in order");
    assert_eq!(stored["ExtraFields"], body["ExtraFields"], "every field");

    // 550 keys removed (more than one DELETE binds), 50 kept, one changed.
    let kept: serde_json::Map<String, Value> = (0..50).map(|n| (format!("key{n:03}"), json!(n.to_string()))).collect();
    let mut shorter = stored.clone();
    shorter["ExtraFields"] = json!(kept);
    shorter["ExtraFields"]["key007"] = json!("changed");
    put(&app, &shorter).await;
    let (_, stored) = app.get_message(1).await;
    assert_eq!(stored["ExtraFields"], shorter["ExtraFields"], "the removed keys are gone, the rest kept");
    assert_eq!(stored["MessageHeaders"].as_array().map(Vec::len), Some(400));
}
