//! PostgreSQL's outbox rows for a save that asked for notification, written in the save's own
//! transaction so they commit with the message or not at all.

use sqlx::{PgConnection, Row as _};

use crate::domain::notification::{Channel, subscribes_to};
use crate::store::outbox::new_delivery_id;
use crate::store::save_sql::{self as sql, OutboxInsert, SavedMessage, Target, display_name, event_payload, notified};
use crate::store::{SaveContext, StoreError};

/// Writes one outbox row per recipient and channel (and one per subscribed webhook) when the
/// save asked for notification.
pub async fn enqueue_notifications(
    conn: &mut PgConnection,
    saved: SavedMessage<'_>,
    ctx: SaveContext,
    now: i64,
) -> Result<(), StoreError> {
    if !ctx.notify {
        return Ok(());
    }
    let ticket = sqlx::query(sql::SELECT_TICKET_OWNER).bind(saved.ticket_id).fetch_one(&mut *conn).await?;
    let owner: i32 = ticket.try_get("owned_by")?;
    let actor = sqlx::query(sql::SELECT_ACTOR).bind(ctx.associate_id).fetch_optional(&mut *conn).await?;
    let actor_name = match &actor {
        Some(row) => display_name(row.try_get("full_name")?, row.try_get("login")?),
        None => String::new(),
    };
    let payload = event_payload(&saved, ticket.try_get("title")?, ctx, actor_name, now)?;
    let row = OutboxInsert {
        channel: Channel::Stream,
        event: saved.kind,
        message_id: saved.message_id,
        payload: &payload,
        now,
    };
    let found = sqlx::query_as::<_, (i32, String)>(sql::SELECT_NOTIFIABLE)
        .bind(owner)
        .bind(saved.ticket_id)
        .fetch_all(&mut *conn)
        .await?;
    for (recipient, email) in notified(found, owner, ctx.associate_id) {
        let seq: i64 = sqlx::query_scalar(sql::NEXT_STREAM_SEQ).bind(recipient).fetch_one(&mut *conn).await?;
        let stream = Target { recipient: Some(recipient), stream_seq: Some(seq), webhook: None };
        insert_outbox_row(conn, &row, stream).await?;
        if ctx.channels.email && !email.is_empty() {
            let email_row = OutboxInsert { channel: Channel::Email, ..row };
            insert_outbox_row(conn, &email_row, Target { recipient: Some(recipient), ..Target::default() }).await?;
        }
    }
    let hooks = sqlx::query_as::<_, (i32, String)>(sql::SELECT_ACTIVE_WEBHOOKS).fetch_all(&mut *conn).await?;
    for (hook, events) in hooks {
        if subscribes_to(&events, saved.kind) {
            let target = Target { webhook: Some(hook), ..Target::default() };
            insert_outbox_row(conn, &OutboxInsert { channel: Channel::Webhook, ..row }, target).await?;
        }
    }
    Ok(())
}

async fn insert_outbox_row(conn: &mut PgConnection, row: &OutboxInsert<'_>, target: Target) -> Result<(), StoreError> {
    sqlx::query(sql::INSERT_OUTBOX)
        .bind(new_delivery_id()?)
        .bind(row.channel.code())
        .bind(row.event.name())
        .bind(row.message_id)
        .bind(target.recipient)
        .bind(target.webhook)
        .bind(target.stream_seq)
        .bind(row.payload)
        .bind(row.now)
        .bind(row.status())
        .execute(&mut *conn)
        .await?;
    Ok(())
}
