//! The statements enqueueing runs, each inside the save's transaction: written once over the
//! store's statement runner ([`Db`]), their SQL text in [`crate::store::sql::outbox`]; and the row
//! an insert writes ([`OutboxInsert`], [`Target`]).

use super::webhook_events::{Fields, SELECT_MESSAGE_FIELDS, fields_of};
use crate::domain::notification::{Channel, DeliveryStatus};
use crate::store::StoreError;
use crate::store::db::{Db, values};
use crate::store::sql::outbox as sql;

/// The outbox's statements on any runner; every runner has them (see the blanket impl).
pub trait OutboxStatements: Db {
    /// The ticket's title and owner ([`sql::SELECT_TICKET_OWNER`]).
    async fn ticket(&mut self, ticket_id: i32) -> Result<Option<(String, i32)>, StoreError> {
        self.one(sql::SELECT_TICKET_OWNER, values![ticket_id], |row| Ok((row.text("title")?, row.int("owned_by")?)))
            .await
    }

    /// The acting associate's full name and login ([`sql::SELECT_ACTOR`]).
    async fn actor(&mut self, associate_id: i32) -> Result<Option<(String, String)>, StoreError> {
        self.one(sql::SELECT_ACTOR, values![associate_id], |row| Ok((row.text("full_name")?, row.text("login")?))).await
    }

    /// The owner and followers still active, with their e-mail ([`sql::SELECT_NOTIFIABLE`]).
    async fn notifiable(&mut self, owner: i32, ticket_id: i32) -> Result<Vec<(i32, String)>, StoreError> {
        self.all(sql::SELECT_NOTIFIABLE, values![owner, ticket_id], |row| Ok((row.int("id")?, row.text("email")?)))
            .await
    }

    /// The recipient's next live-stream sequence number ([`sql::NEXT_STREAM_SEQ`]).
    async fn next_stream_seq(&mut self, recipient: i32) -> Result<Option<i64>, StoreError> {
        self.one(sql::NEXT_STREAM_SEQ, values![recipient], |row| row.big("stream_seq")).await
    }

    /// Active webhook subscriptions and their event filters ([`sql::SELECT_ACTIVE_WEBHOOKS`]).
    async fn active_webhooks(&mut self) -> Result<Vec<(i32, String)>, StoreError> {
        self.all(sql::SELECT_ACTIVE_WEBHOOKS, values![], |row| Ok((row.int("id")?, row.text("events")?))).await
    }

    /// A message's own columns ([`SELECT_MESSAGE_FIELDS`]).
    async fn message_fields(&mut self, message_id: i32) -> Result<Option<Fields>, StoreError> {
        self.one(SELECT_MESSAGE_FIELDS, values![message_id], |row| fields_of(&row)).await
    }

    /// Writes one outbox row ([`sql::INSERT_OUTBOX`]).
    async fn insert(&mut self, row: &OutboxInsert<'_>, target: Target, delivery_id: String) -> Result<(), StoreError> {
        let values = values![
            &delivery_id,
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
        self.run(sql::INSERT_OUTBOX, values).await?;
        Ok(())
    }
}

/// The statements are the same text on both engines, so no runner words them differently.
impl<D: Db> OutboxStatements for D {}

/// One outbox row of a save.
#[derive(Clone, Copy)]
pub struct OutboxInsert<'a> {
    pub channel: Channel,
    pub event: &'a str,
    pub message_id: i32,
    pub payload: &'a str,
    pub now: i64,
}

impl OutboxInsert<'_> {
    /// Stream rows are delivered by the commit itself: the stream serves them from the outbox.
    pub fn status(&self) -> i32 {
        if self.channel == Channel::Stream { DeliveryStatus::Delivered } else { DeliveryStatus::Pending }.code()
    }
}

/// Whom an outbox row is for.
#[derive(Clone, Copy, Default)]
pub struct Target {
    pub recipient: Option<i32>,
    pub stream_seq: Option<i64>,
    pub webhook: Option<i32>,
}
