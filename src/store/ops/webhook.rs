//! Registered webhooks: the rules of creating, changing and stopping one, and the events and
//! mails those changes queue in the same transaction.

use crate::domain::notification::{Channel, DeliveryStatus};
use crate::domain::webhook::{Webhook, WebhookEvent, WebhookState, list_wants};
use crate::store::acting::Acting;
use crate::store::db::{Db, Value, values};
use crate::store::outbox::new_delivery_id;
use crate::store::outbox::webhook_events::{MessageChange, SELECT_MESSAGE_FIELDS, fields_of, message_events};
use crate::store::sql::outbox as outbox_sql;
use crate::store::sql::webhook::{self as sql, Settings, json_text};
use crate::store::webhook::WebhookCall;
use crate::store::{SaveContext, StoreError, now_ticks};

pub async fn webhook(db: &mut impl Db, id: i32) -> Result<Option<Webhook>, StoreError> {
    db.one(sql::SELECT_WEBHOOK, values![id], |row| sql::webhook_row(&row)).await
}

pub async fn all_webhooks(db: &mut impl Db) -> Result<Vec<Webhook>, StoreError> {
    db.all(sql::SELECT_WEBHOOKS, &[], |row| sql::webhook_row(&row)).await
}

/// Queues `event` to each active webhook wanting it; how many rows.
pub async fn queue_webhook_event(
    db: &mut impl Db,
    event: &WebhookEvent,
    message_id: i32,
    now: i64,
) -> Result<u64, StoreError> {
    let hooks =
        db.all(outbox_sql::SELECT_ACTIVE_WEBHOOKS, &[], |row| Ok((row.int("id")?, row.text("events")?))).await?;
    let payload = json_text(event)?;
    let mut queued = 0;
    for (hook, _) in hooks.into_iter().filter(|(_, events)| list_wants(events, &event.event)) {
        let delivery_id = new_delivery_id()?;
        let values = values![
            &delivery_id,
            Channel::Webhook.code(),
            event.event.as_str(),
            message_id,
            None::<i32>,
            Some(hook),
            None::<i64>,
            &payload,
            now,
            DeliveryStatus::Pending.code(),
        ];
        db.run(outbox_sql::INSERT_OUTBOX, values).await?;
        queued += 1;
    }
    Ok(queued)
}

/// Queues the webhook events of attachments connected to message `message_id` (`Changes`:
/// `attachments`), for the acting caller.
pub async fn queue_attachments_connected(
    db: &mut impl Db,
    message_id: i32,
    acting: Acting,
    now: i64,
) -> Result<(), StoreError> {
    let found =
        db.one(SELECT_MESSAGE_FIELDS, values![message_id], |row| Ok((fields_of(&row)?, row.int("ticket_id")?))).await?;
    let Some((fields, ticket_id)) = found else { return Ok(()) };
    let ticket = db
        .one(outbox_sql::SELECT_TICKET_OWNER, values![ticket_id], |row| Ok((row.text("title")?, row.int("owned_by")?)))
        .await?;
    let ctx = SaveContext { associate_id: acting.associate_id, context: acting.context, ..SaveContext::default() };
    let changes = vec!["attachments".to_owned()];
    let change = MessageChange { message_id, ticket_id, event: "ticketmessage.changed", changes, fields, data: None };
    for event in message_events(change, ctx, ticket) {
        queue_webhook_event(db, &event, message_id, now).await?;
    }
    Ok(())
}

/// The event a webhook's change of state raises.
fn state_event(hook: &Webhook, state: WebhookState, actor: i32) -> WebhookEvent {
    let mut fields = serde_json::Map::new();
    fields.insert("name".into(), hook.name.clone().into());
    fields.insert("state".into(), state.name().into());
    fields.insert("consecutive_errors".into(), hook.consecutive_errors.into());
    WebhookEvent {
        event: state.event_for(hook.id),
        entity: "webhook".into(),
        primary_key: hook.id.into(),
        context_identifier: crate::domain::webhook::DEFAULT_CONTEXT.into(),
        changed_by_associate_id: actor,
        changes: vec!["state".into()],
        field_values: fields,
        data: None,
    }
}

/// One `Send` row per address telling that webhook `hook` stopped for too many errors.
async fn queue_error_mail(db: &mut impl Db, hook: &Webhook, now: i64) -> Result<(), StoreError> {
    for address in &hook.error_emails {
        let mail = crate::domain::outgoing::OutgoingMail {
            ticket_message_id: 0,
            ticket_id: 0,
            to: vec![address.clone()],
            cc: Vec::new(),
            bcc: Vec::new(),
            subject: format!("Webhook {} '{}' stopped: too many errors", hook.id, hook.name),
            body: format!(
                "Webhook {} '{}' posting to {} failed {} times in a row and was stopped (state TooManyErrors).\n\
                 Last error:\n{}\n\nSet its State back to Active to resume deliveries.",
                hook.id,
                hook.name,
                crate::notify::redact::text(&hook.target_url),
                hook.consecutive_errors,
                hook.last_error
            ),
            html_body: String::new(),
            attachment_ids: Vec::new(),
        };
        let (delivery_id, event, payload) =
            (new_delivery_id()?, format!("webhook{}.errors", hook.id), json_text(&mail)?);
        let values = values![
            &delivery_id,
            Channel::Send.code(),
            &event,
            0,
            None::<i32>,
            None::<i32>,
            None::<i64>,
            &payload,
            now,
            DeliveryStatus::Pending.code(),
        ];
        db.run(outbox_sql::INSERT_OUTBOX, values).await?;
    }
    Ok(())
}

pub async fn create_webhook(db: &mut impl Db, hook: &Webhook) -> Result<i32, StoreError> {
    let settings = Settings::of(hook)?;
    let mut values = settings.values().to_vec();
    values.extend([Value::from(now_ticks()), Value::from(hook.registered_by)]);
    db.one(sql::INSERT_WEBHOOK, &values, |row| row.int("id")).await?.ok_or(StoreError::NotFound)
}

/// Replaces a webhook's settings; a change of state queues its event, and back to Active
/// clears the consecutive-error count.
pub async fn update_webhook(db: &mut impl Db, hook: &Webhook) -> Result<(), StoreError> {
    let now = now_ticks();
    let before = webhook(db, hook.id).await?.ok_or(StoreError::NotFound)?;
    let resumed = hook.state == WebhookState::Active && before.state != WebhookState::Active;
    let settings = Settings::of(hook)?;
    let mut values = vec![Value::from(hook.id)];
    values.extend(settings.values());
    values.extend([Value::from(now), Value::from(hook.updated_by), Value::from(resumed)]);
    db.run(sql::UPDATE_WEBHOOK, &values).await?;
    if before.state != hook.state {
        let after = Webhook { consecutive_errors: if resumed { 0 } else { before.consecutive_errors }, ..hook.clone() };
        queue_webhook_event(db, &state_event(&after, hook.state, hook.updated_by), 0, now).await?;
    }
    Ok(())
}

/// Counts an attempt; at `limit` consecutive failures an active webhook stops, its event and
/// error mails queued. Whether this call stopped it.
pub async fn record_webhook_call(
    db: &mut impl Db,
    id: i32,
    call: &WebhookCall,
    limit: u32,
) -> Result<bool, StoreError> {
    let now = now_ticks();
    let (failed, error) = match call {
        WebhookCall::Succeeded => (false, String::new()),
        WebhookCall::Failed(error) => (true, crate::notify::redact::text(error)),
    };
    db.run(sql::COUNT_CALL, values![id, failed, &error]).await?;
    let limit = i32::try_from(limit.max(1)).unwrap_or(i32::MAX);
    let stop = values![id, WebhookState::TooManyErrors.code(), WebhookState::Active.code(), limit];
    let stopped = db.run(sql::STOP_AT_LIMIT, stop).await? > 0;
    if stopped && let Some(hook) = webhook(db, id).await? {
        queue_webhook_event(db, &state_event(&hook, WebhookState::TooManyErrors, 0), 0, now).await?;
        queue_error_mail(db, &hook, now).await?;
    }
    Ok(stopped)
}
