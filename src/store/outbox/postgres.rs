//! PostgreSQL runs the outbox statements of a notifying save on the save's connection, in its
//! transaction, so they commit with the message or not at all.

use sqlx::PgConnection;

use super::enqueue::{OutboxInsert, OutboxStatements, Target};
use super::webhook_events::{Fields, SELECT_MESSAGE_FIELDS, fields_of};
use crate::store::StoreError;
use crate::store::sql::outbox as sql;

impl OutboxStatements for PgConnection {
    async fn ticket(&mut self, ticket_id: i32) -> Result<Option<(String, i32)>, StoreError> {
        Ok(sqlx::query_as(sql::SELECT_TICKET_OWNER).bind(ticket_id).fetch_optional(self).await?)
    }

    async fn actor(&mut self, associate_id: i32) -> Result<Option<(String, String)>, StoreError> {
        let found: Option<(String, String)> =
            sqlx::query_as(sql::SELECT_ACTOR).bind(associate_id).fetch_optional(self).await?;
        // The statement answers login first.
        Ok(found.map(|(login, full_name)| (full_name, login)))
    }

    async fn notifiable(&mut self, owner: i32, ticket_id: i32) -> Result<Vec<(i32, String)>, StoreError> {
        Ok(sqlx::query_as(sql::SELECT_NOTIFIABLE).bind(owner).bind(ticket_id).fetch_all(self).await?)
    }

    async fn next_stream_seq(&mut self, recipient: i32) -> Result<Option<i64>, StoreError> {
        Ok(sqlx::query_scalar(sql::NEXT_STREAM_SEQ).bind(recipient).fetch_optional(self).await?)
    }

    async fn active_webhooks(&mut self) -> Result<Vec<(i32, String)>, StoreError> {
        Ok(sqlx::query_as(sql::SELECT_ACTIVE_WEBHOOKS).fetch_all(self).await?)
    }

    async fn message_fields(&mut self, message_id: i32) -> Result<Option<Fields>, StoreError> {
        let row = sqlx::query(SELECT_MESSAGE_FIELDS).bind(message_id).fetch_optional(self).await?;
        row.as_ref().map(fields_of).transpose()
    }

    async fn insert(&mut self, row: &OutboxInsert<'_>, target: Target, delivery_id: String) -> Result<(), StoreError> {
        sqlx::query(sql::INSERT_OUTBOX)
            .bind(delivery_id)
            .bind(row.channel.code())
            .bind(row.event)
            .bind(row.message_id)
            .bind(target.recipient)
            .bind(target.webhook)
            .bind(target.stream_seq)
            .bind(row.payload)
            .bind(row.now)
            .bind(row.status())
            .execute(self)
            .await?;
        Ok(())
    }
}
