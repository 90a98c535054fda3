//! SQLite runs the outbox statements of a notifying save on the writer's connection, in the
//! save's own savepoint, so they commit with the message or not at all. [`Writer`] runs the
//! rest of the save too (`store::save::sqlite`).

use rusqlite::{Connection, params};

use super::enqueue::{OutboxInsert, OutboxStatements, Target};
use super::webhook_events::{Fields, SELECT_MESSAGE_FIELDS, fields_of};
use crate::store::StoreError;
use crate::store::columns::Columns as _;
use crate::store::sql::outbox as sql;
use crate::store::sqlite::direct::{all, one, run};

/// The writer's connection, running each statement in place.
pub struct Writer<'c>(pub &'c Connection);

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
