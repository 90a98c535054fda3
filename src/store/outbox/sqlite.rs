//! SQLite runs the outbox statements of a notifying save on the writer's connection, in the
//! save's own savepoint, so they commit with the message or not at all.

use futures_util::FutureExt as _;
use rusqlite::{Connection, params};

use super::enqueue::{self, OutboxInsert, OutboxStatements, SavedMessage, Target, queue_message_events};
use super::webhook_events::{Fields, MessageChange, SELECT_MESSAGE_FIELDS, fields_of};
use crate::store::columns::Columns as _;
use crate::store::sql::outbox as sql;
use crate::store::sqlite::direct::{all, one, run};
use crate::store::{SaveContext, StoreError};

/// The writer's connection, running each statement in place.
struct Writer<'c>(&'c Connection);

impl OutboxStatements for Writer<'_> {
    async fn ticket(&mut self, ticket_id: i32) -> Result<Option<(String, i32)>, StoreError> {
        one(self.0, sql::SELECT_TICKET_OWNER, params![ticket_id], |row| Ok((row.text("title")?, row.int("owned_by")?)))
    }

    async fn actor(&mut self, associate_id: i32) -> Result<Option<(String, String)>, StoreError> {
        one(self.0, sql::SELECT_ACTOR, params![associate_id], |row| Ok((row.text("full_name")?, row.text("login")?)))
    }

    async fn notifiable(&mut self, owner: i32, ticket_id: i32) -> Result<Vec<(i32, String)>, StoreError> {
        all(self.0, sql::SELECT_NOTIFIABLE, params![owner, ticket_id], |row| Ok((row.int("id")?, row.text("email")?)))
    }

    async fn next_stream_seq(&mut self, recipient: i32) -> Result<Option<i64>, StoreError> {
        one(self.0, sql::NEXT_STREAM_SEQ, params![recipient], |row| row.big("stream_seq"))
    }

    async fn active_webhooks(&mut self) -> Result<Vec<(i32, String)>, StoreError> {
        all(self.0, sql::SELECT_ACTIVE_WEBHOOKS, params![], |row| Ok((row.int("id")?, row.text("events")?)))
    }

    async fn message_fields(&mut self, message_id: i32) -> Result<Option<Fields>, StoreError> {
        one(self.0, SELECT_MESSAGE_FIELDS, params![message_id], |row| fields_of(row))
    }

    async fn insert(&mut self, row: &OutboxInsert<'_>, target: Target, delivery_id: String) -> Result<(), StoreError> {
        let values = params![
            delivery_id,
            row.channel.code(),
            row.event,
            row.message_id,
            target.recipient,
            target.webhook,
            target.stream_seq,
            row.payload,
            row.now,
            row.status()
        ];
        run(self.0, sql::INSERT_OUTBOX, values)?;
        Ok(())
    }
}

/// [`enqueue::enqueue_notifications`] on the writer thread. Every statement above runs to its
/// end before its future is first polled to completion, so the algorithm never waits: polling
/// it once finishes it.
pub fn enqueue_notifications(
    conn: &Connection,
    saved: SavedMessage<'_>,
    ctx: SaveContext,
    now: i64,
) -> Result<(), StoreError> {
    enqueue::enqueue_notifications(&mut Writer(conn), saved, ctx, now)
        .now_or_never()
        .unwrap_or_else(|| Err(StoreError::Internal("outbox statements waited on the writer thread".into())))
}

/// A message's columns as its webhook events name them, read on the writer's connection.
pub fn message_fields(conn: &Connection, message_id: i32) -> Result<Option<Fields>, StoreError> {
    one(conn, SELECT_MESSAGE_FIELDS, params![message_id], |row| fields_of(row))
}

/// Queues a delete's webhook events on the writer thread (see [`enqueue_notifications`]).
pub fn queue_deleted(conn: &Connection, change: MessageChange, ctx: SaveContext, now: i64) -> Result<(), StoreError> {
    queue_message_events(&mut Writer(conn), change, ctx, now)
        .now_or_never()
        .unwrap_or_else(|| Err(StoreError::Internal("outbox statements waited on the writer thread".into())))
}
