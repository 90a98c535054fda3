//! Followers, webhook subscriptions, and claiming and settling the outbox's rows.

use std::time::Duration;

use crate::domain::Timestamp;
use crate::domain::notification::{Channel, DeliveryStatus};
use crate::store::db::{Db, values};
use crate::store::outbox::{
    ClaimedDelivery, DeliveryResult, OutboxCount, OutboxRow, StreamItem, WebhookInfo, new_delivery_id,
};
use crate::store::sql::outbox as sql;
use crate::store::{StoreError, now_ticks, to_ticks};

/// Makes a login follow a ticket, or stop following it; `NotFound` when either is missing.
pub async fn set_following(db: &mut impl Db, login: &str, ticket_id: i32, follow: bool) -> Result<(), StoreError> {
    let key = login.to_lowercase();
    let associate_id =
        db.one(sql::ASSOCIATE_BY_LOGIN, values![&key], |row| row.int("id")).await?.ok_or(StoreError::NotFound)?;
    db.one(sql::TICKET_EXISTS, values![ticket_id], |row| row.int("id")).await?.ok_or(StoreError::NotFound)?;
    if follow {
        db.run(sql::FOLLOW, values![ticket_id, associate_id, now_ticks()]).await?;
    } else {
        db.run(sql::UNFOLLOW, values![ticket_id, associate_id]).await?;
    }
    Ok(())
}

pub async fn followers(db: &mut impl Db, ticket_id: i32) -> Result<Vec<i32>, StoreError> {
    db.all(sql::FOLLOWERS, values![ticket_id], |row| row.int("associate_id")).await
}

/// Queues one `Send`/`Sms` row per payload for an existing message.
pub async fn enqueue_outgoing(
    db: &mut impl Db,
    message_id: i32,
    channel: Channel,
    payloads: &[String],
) -> Result<(), StoreError> {
    db.one(sql::MESSAGE_EXISTS, values![message_id], |row| row.int("id")).await?.ok_or(StoreError::NotFound)?;
    let event = if channel == Channel::Sms { "ticketmessage.sendsms" } else { "ticketmessage.send" };
    let now = now_ticks();
    for payload in payloads {
        let delivery_id = new_delivery_id()?;
        db.run(sql::INSERT_OUTGOING, values![&delivery_id, channel.code(), event, message_id, payload, now]).await?;
    }
    Ok(())
}

pub async fn add_webhook(db: &mut impl Db, url: &str, events: &str, secret: &str) -> Result<i32, StoreError> {
    let id = db.one(sql::ADD_WEBHOOK, values![url, events, secret, now_ticks()], |row| row.int("id")).await?;
    id.ok_or(StoreError::NotFound)
}

pub async fn webhooks(db: &mut impl Db) -> Result<Vec<WebhookInfo>, StoreError> {
    db.all(sql::WEBHOOKS, &[], |row| sql::webhook_info(&row)).await
}

pub async fn remove_webhook(db: &mut impl Db, id: i32) -> Result<bool, StoreError> {
    Ok(db.run(sql::REMOVE_WEBHOOK, values![id]).await? > 0)
}

/// Claims up to `limit` due rows for `worker` with `claim_due` (the backend's form of
/// [`sql::CLAIM_DUE_SQLITE`]) and reads them back with where each goes.
pub async fn claim_deliveries(
    db: &mut impl Db,
    claim_due: &str,
    worker: &str,
    limit: u32,
    lease: Duration,
) -> Result<Vec<ClaimedDelivery>, StoreError> {
    let now = now_ticks();
    // A claim is told apart from the worker's earlier ones by its expiry stamp.
    let expires = now.saturating_add(sql::duration_ticks(lease));
    if db.run(claim_due, values![worker, expires, now, i64::from(limit)]).await? == 0 {
        return Ok(Vec::new());
    }
    db.all(sql::SELECT_CLAIMED, values![worker, expires], |row| sql::claimed_delivery(&row)).await
}

/// Settles a claimed row; nothing when the claim has passed to another worker.
pub async fn finish_delivery(
    db: &mut impl Db,
    id: i64,
    worker: &str,
    result: &DeliveryResult,
) -> Result<(), StoreError> {
    let now = now_ticks();
    match result {
        DeliveryResult::Delivered => db.run(sql::SETTLE_DELIVERED, values![id, worker, now]).await?,
        // `last_error` is shown to operators: never store a URL's credentials in it.
        DeliveryResult::Retry { error, at } => {
            let redacted = crate::notify::redact::text(error);
            db.run(sql::SETTLE_RETRY, values![id, worker, to_ticks(at), &redacted]).await?
        }
        DeliveryResult::Dead { error } => {
            let redacted = crate::notify::redact::text(error);
            db.run(sql::SETTLE_DEAD, values![id, worker, &redacted]).await?
        }
    };
    Ok(())
}

pub async fn release_claims(db: &mut impl Db, worker: Option<&str>) -> Result<u64, StoreError> {
    match worker {
        Some(worker) => db.run(sql::RELEASE_WORKER, values![worker]).await,
        None => db.run(sql::RELEASE_ALL, &[]).await,
    }
}

pub async fn outbox(
    db: &mut impl Db,
    status: Option<DeliveryStatus>,
    limit: u32,
) -> Result<Vec<OutboxRow>, StoreError> {
    db.all(sql::SELECT_ROWS, values![status.map(DeliveryStatus::code), i64::from(limit)], |row| sql::outbox_row(&row))
        .await
}

pub async fn retry_outbox(db: &mut impl Db, id: Option<i64>) -> Result<u64, StoreError> {
    db.run(sql::RETRY_DEAD, values![now_ticks(), id]).await
}

pub async fn purge_outbox(db: &mut impl Db, before: Timestamp) -> Result<u64, StoreError> {
    db.run(sql::PURGE_SETTLED, values![to_ticks(&before)]).await
}

pub async fn outbox_counts(db: &mut impl Db) -> Result<Vec<OutboxCount>, StoreError> {
    let counts = db.all(sql::COUNTS, &[], |row| sql::outbox_count(&row)).await?;
    Ok(counts.into_iter().flatten().collect())
}

pub async fn stream_after(
    db: &mut impl Db,
    recipient: i32,
    after: i64,
    limit: u32,
) -> Result<Vec<StreamItem>, StoreError> {
    db.all(sql::STREAM_AFTER, values![recipient, after, i64::from(limit)], |row| sql::stream_item(&row)).await
}

pub async fn last_stream_id(db: &mut impl Db, recipient: i32) -> Result<i64, StoreError> {
    Ok(db.one(sql::LAST_STREAM_ID, values![recipient], |row| row.big("stream_seq")).await?.unwrap_or(0))
}
