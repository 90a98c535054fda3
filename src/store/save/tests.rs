//! Statements per save, counted on SQLite with its trace hook: the seed's sample body (two
//! headers, two attachments, two extra and two custom fields) created, saved again with fresh
//! child ids, and saved back as read with a changed body.

use std::cell::RefCell;
use std::sync::Arc;

use rusqlite::Connection;
use rusqlite::trace::{TraceEvent, TraceEventCodes};

use crate::domain::{AttachmentInfo, MessageDraft, MessageHeader, MessageRefs, TicketMessage};
use crate::store::db::in_place;
use crate::store::edit::MessageEdit;
use crate::store::edit::apply::create_in;
use crate::store::outbox::webhook_events::SELECT_MESSAGE_FIELDS;
use crate::store::sql::outbox::SELECT_ACTIVE_WEBHOOKS;
use crate::store::sqlite::direct::open_connection;
use crate::store::sqlite::lite::Lite;
use crate::store::{SaveContext, SqliteStore, SqliteSync, Store, StoreError};

thread_local! {
    /// The statements the connection began on this thread since the last [`take`].
    static STATEMENTS: RefCell<Vec<String>> = const { RefCell::new(Vec::new()) };
}

/// Counts a statement when it finishes: the start of a statement is reported again for each
/// trigger or foreign-key action it runs.
fn traced(event: TraceEvent<'_>) {
    if let TraceEvent::Profile(statement, _) = event {
        STATEMENTS.with(|all| all.borrow_mut().push(statement.sql().into_owned()));
    }
}

fn take() -> Vec<String> {
    STATEMENTS.with(|all| std::mem::take(&mut *all.borrow_mut()))
}

/// A store with one associate and one ticket, and a traced connection to its file.
async fn fixture() -> (tempfile::TempDir, SqliteStore, Connection) {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("count.db");
    let store = SqliteStore::connect(&format!("sqlite://{}", path.display())).await.expect("store");
    let conn = open_connection(&path, SqliteSync::Normal).expect("connection");
    conn.execute_batch(
        "INSERT INTO associates (login, login_key, password_hash) VALUES ('ann', 'ann', 'x');
         INSERT INTO tickets (title, created_at, last_changed, created_by, owned_by) VALUES ('T', 0, 0, 1, 1);",
    )
    .expect("fixture rows");
    conn.trace_v2(TraceEventCodes::SQLITE_TRACE_PROFILE, Some(traced));
    (dir, store, conn)
}

/// The seed's sample body: children whose ids are never this message's.
fn sample(body: &str) -> MessageDraft {
    let mut draft =
        MessageDraft { refs: MessageRefs { ticket_id: Some(1), ..MessageRefs::default() }, ..Default::default() };
    let content = &mut draft.content;
    content.body = body.into();
    for (id, name) in [(535, "To"), (536, "Cc")] {
        content.headers.push(MessageHeader {
            id,
            name: name.into(),
            value: "a@example.com".into(),
            ..Default::default()
        });
    }
    for (id, name) in [(952, "a.pdf"), (953, "b.png")] {
        content.attachments.push(AttachmentInfo { id, name: name.into(), size: 10, ..Default::default() });
    }
    for n in ["1", "2"] {
        content.extra_fields.insert(format!("ExtraFields{n}"), "rerum".into());
        content.custom_fields.insert(format!("CustomFields{n}"), "sunt".into());
    }
    draft
}

fn ctx() -> SaveContext {
    SaveContext { associate_id: 1, ..SaveContext::default() }
}

/// Runs one save in its own transaction; the statements it ran.
fn counted<T>(conn: &Connection, save: impl FnOnce(&Connection) -> Result<T, StoreError>) -> (T, Vec<String>) {
    conn.execute_batch("BEGIN IMMEDIATE").expect("begin");
    take();
    let done = save(conn).expect("saved");
    let statements = take();
    conn.execute_batch("COMMIT").expect("commit");
    (done, statements)
}

fn create(conn: &Connection, draft: &MessageDraft) -> Result<i32, StoreError> {
    in_place(super::create(&mut Lite(conn), draft, ctx(), crate::store::now_ticks()))
}

fn update(conn: &Connection, id: i32, draft: &MessageDraft) -> Result<(), StoreError> {
    in_place(super::update(&mut Lite(conn), id, draft, ctx())).map(drop)
}

fn edit(conn: &Connection, id: i32, edit: &MessageEdit) -> Result<TicketMessage, StoreError> {
    let outcome = in_place(crate::store::edit::apply::edit_in(&mut Lite(conn), id, edit, ctx()))?;
    outcome.map_err(|refused| StoreError::Internal(refused.to_string()))
}

#[tokio::test]
async fn a_save_writes_each_child_table_in_one_statement() {
    let (_dir, store, conn) = fixture().await;
    let (id, created) = counted(&conn, |conn| create(conn, &sample("first")));
    // references (with whether a webhook is active), message, headers, attachments, fields,
    // save record
    assert_eq!(created.len(), 6, "create: {created:#?}");
    let (_, saved) = counted(&conn, |conn| update(conn, id, &sample("second")));
    // lookup, message, save record; per child table its rows read, then headers deleted and
    // inserted, attachments deleted and inserted (the fields are unchanged)
    assert_eq!(saved.len(), 10, "update with fresh child ids: {saved:#?}");
    let stored = store.message(id).await.expect("read").expect("found");
    let mut round_trip = MessageDraft {
        refs: MessageRefs { ticket_id: Some(1), ..MessageRefs::default() },
        content: stored.content,
        ..Default::default()
    };
    round_trip.content.body = "third".into();
    let (_, resaved) = counted(&conn, |conn| update(conn, id, &round_trip));
    // lookup, message, save record, each child table read and left as it was
    assert_eq!(resaved.len(), 6, "round trip: {resaved:#?}");
    let again = store.message(id).await.expect("read").expect("found");
    assert_eq!(again.content.body, "third");
    assert_eq!(again.content.headers.len(), 2);
    assert_eq!(again.content.attachments.len(), 2);
    assert_eq!(again.content.custom_fields.len(), 2);
}

#[tokio::test]
async fn creates_and_edits_answer_the_message_from_the_rows_in_hand() {
    let (_dir, store, conn) = fixture().await;
    let create_answering = |conn: &Connection| in_place(create_in(&mut Lite(conn), &sample("first"), ctx()));
    let (created, statements) = counted(&conn, create_answering);
    // the create's six statements, then the message row alone for what the database gave it
    assert_eq!(statements.len(), 7, "create answering the message: {statements:#?}");
    let id = created.id;
    assert_eq!(Some(created), store.message(id).await.expect("read"), "the answer is what is stored");
    let fresh_ids: MessageEdit = Arc::new(|_| Ok(sample("second")));
    let (answer, statements) = counted(&conn, |conn| edit(conn, id, &fresh_ids));
    // the message row and its three child tables, lookup, message, save record, then headers
    // deleted and inserted, attachments deleted and inserted: the diff reads nothing again and
    // nothing is read for the answer
    assert_eq!(statements.len(), 11, "edit with fresh child ids: {statements:#?}");
    assert_eq!(Some(answer), store.message(id).await.expect("read"), "the answer is what is stored");
    let round_trip: MessageEdit = Arc::new(|stored| {
        let mut content = stored.content.clone();
        content.body = "third".into();
        Ok(MessageDraft {
            refs: MessageRefs { ticket_id: Some(1), ..MessageRefs::default() },
            content,
            ..Default::default()
        })
    });
    let (answer, statements) = counted(&conn, |conn| edit(conn, id, &round_trip));
    assert_eq!(statements.len(), 7, "round trip: {statements:#?}");
    assert_eq!(Some(answer), store.message(id).await.expect("read"), "the answer is what is stored");
}

#[tokio::test]
async fn a_save_asks_for_active_webhooks_once_and_reads_its_columns_only_for_them() {
    let (_dir, _store, conn) = fixture().await;
    let (id, _) = counted(&conn, |conn| create(conn, &sample("first")));
    let (_, quiet) = counted(&conn, |conn| update(conn, id, &sample("second")));
    let unasked = |sql: &String| *sql != SELECT_MESSAGE_FIELDS && *sql != SELECT_ACTIVE_WEBHOOKS;
    assert!(quiet.iter().all(unasked), "no webhook active: none asked for, no columns read: {quiet:#?}");
    conn.execute_batch(
        "INSERT INTO webhooks (url, events, secret, created_at) VALUES ('http://127.0.0.1:9/h', 'ticketmessage.changed', 's', 0)",
    )
    .expect("webhook");
    let (_, heard) = counted(&conn, |conn| update(conn, id, &sample("third")));
    let asked = heard.iter().filter(|sql| *sql == SELECT_ACTIVE_WEBHOOKS).count();
    assert_eq!(asked, 1, "active webhooks asked once: {heard:#?}");
    let read = heard.iter().filter(|sql| *sql == SELECT_MESSAGE_FIELDS).count();
    assert_eq!(read, 2, "the columns before and after, for the event's Changes: {heard:#?}");
    let queued: i64 = conn
        .query_row("SELECT COUNT(*) FROM outbox WHERE webhook_id IS NOT NULL", [], |row| row.get(0))
        .expect("outbox");
    assert_eq!(queued, 1, "the subscriber hears of the change");
}
