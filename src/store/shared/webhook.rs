// The `WebhookStore` implementation shared by both backends; included by `store_impl.rs`.

use crate::domain::webhook::{Webhook, WebhookEvent, WebhookState, list_wants};
use crate::store::webhook::{WebhookCall, WebhookStore};

const WEBHOOK_COLUMNS: &str = "id, url, events, secret, state, name, headers, properties, error_emails, description, \
     notify_via, notify_when, created_at, registered_by, updated_at, updated_by, total_calls, total_errors, \
     consecutive_errors, last_error";

fn webhook_row(row: &DbRow) -> Result<Webhook, StoreError> {
    let corrupt = |what: &str| StoreError::Internal(format!("webhook row with unreadable {what}"));
    let events: String = row.try_get("events")?;
    Ok(Webhook {
        id: row.try_get("id")?,
        name: row.try_get("name")?,
        events: events.split(',').map(str::trim).filter(|e| !e.is_empty()).map(str::to_owned).collect(),
        target_url: row.try_get("url")?,
        secret: row.try_get("secret")?,
        state: WebhookState::from_code(row.try_get("state")?).ok_or_else(|| corrupt("state"))?,
        headers: serde_json::from_str(&row.try_get::<String, _>("headers")?).map_err(|_| corrupt("headers"))?,
        properties: serde_json::from_str(&row.try_get::<String, _>("properties")?).map_err(|_| corrupt("properties"))?,
        error_emails: serde_json::from_str(&row.try_get::<String, _>("error_emails")?)
            .map_err(|_| corrupt("error_emails"))?,
        description: row.try_get("description")?,
        notify_via: row.try_get("notify_via")?,
        notify_when: row.try_get("notify_when")?,
        registered: from_ticks(row.try_get("created_at")?),
        registered_by: row.try_get("registered_by")?,
        updated: from_ticks(row.try_get("updated_at")?),
        updated_by: row.try_get("updated_by")?,
        total_calls: row.try_get("total_calls")?,
        total_errors: row.try_get("total_errors")?,
        consecutive_errors: row.try_get("consecutive_errors")?,
        last_error: row.try_get("last_error")?,
    })
}

type DbQuery<'q> = sqlx::query::Query<'q, Db, <Db as sqlx::Database>::Arguments>;

/// Binds what a client sets on a webhook, numbered next after what `query` has bound already:
/// url, events, secret, active, state, name, headers, properties, error_emails, description,
/// notify_via, notify_when. One list, so creating and updating cannot store a field differently.
fn bind_settings<'q>(query: DbQuery<'q>, hook: &Webhook) -> Result<DbQuery<'q>, StoreError> {
    Ok(query
        .bind(&hook.target_url)
        .bind(hook.events.join(","))
        .bind(&hook.secret)
        .bind(hook.state == WebhookState::Active)
        .bind(hook.state.code())
        .bind(&hook.name)
        .bind(json_text(&hook.headers)?)
        .bind(json_text(&hook.properties)?)
        .bind(json_text(&hook.error_emails)?)
        .bind(&hook.description)
        .bind(&hook.notify_via)
        .bind(&hook.notify_when))
}

fn json_text(value: &impl serde::Serialize) -> Result<String, StoreError> {
    serde_json::to_string(value).map_err(|err| StoreError::Internal(err.to_string()))
}

/// Queues `event` to each active webhook wanting it, in `tx`; how many rows.
async fn queue_webhook_event(
    tx: &mut sqlx::Transaction<'_, Db>,
    event: &WebhookEvent,
    message_id: i32,
    now: i64,
) -> Result<u64, StoreError> {
    let hooks: Vec<(i32, String)> =
        sqlx::query_as(crate::store::outbox::sql::SELECT_ACTIVE_WEBHOOKS).fetch_all(&mut **tx).await?;
    let payload = json_text(event)?;
    let mut queued = 0;
    for (hook, _) in hooks.into_iter().filter(|(_, events)| list_wants(events, &event.event)) {
        sqlx::query(crate::store::outbox::sql::INSERT_OUTBOX)
            .bind(new_delivery_id()?)
            .bind(Channel::Webhook.code())
            .bind(&event.event)
            .bind(message_id)
            .bind(None::<i32>)
            .bind(Some(hook))
            .bind(None::<i64>)
            .bind(&payload)
            .bind(now)
            .bind(DeliveryStatus::Pending.code())
            .execute(&mut **tx)
            .await?;
        queued += 1;
    }
    Ok(queued)
}

/// Queues the webhook events of attachments connected to message `message_id` (`Changes`:
/// `attachments`), for the acting caller, in `tx`.
async fn queue_attachments_connected(
    tx: &mut sqlx::Transaction<'_, Db>,
    message_id: i32,
    now: i64,
) -> Result<(), StoreError> {
    use crate::store::outbox::webhook_events::{MessageChange, SELECT_MESSAGE_FIELDS, fields_of, message_events};
    let row = sqlx::query(SELECT_MESSAGE_FIELDS).bind(message_id).fetch_optional(&mut **tx).await?;
    let Some(row) = row else { return Ok(()) };
    let fields = fields_of(&row)?;
    let ticket_id: i32 = row.try_get("ticket_id")?;
    let ticket: Option<(String, i32)> =
        sqlx::query_as(crate::store::outbox::sql::SELECT_TICKET_OWNER).bind(ticket_id).fetch_optional(&mut **tx).await?;
    let acting = crate::store::acting::current();
    let ctx = SaveContext { associate_id: acting.associate_id, context: acting.context, ..SaveContext::default() };
    let changes = vec!["attachments".to_owned()];
    let change = MessageChange { message_id, ticket_id, event: "ticketmessage.changed", changes, fields, data: None };
    for event in message_events(change, ctx, ticket) {
        queue_webhook_event(tx, &event, message_id, now).await?;
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
async fn queue_error_mail(tx: &mut sqlx::Transaction<'_, Db>, hook: &Webhook, now: i64) -> Result<(), StoreError> {
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
        sqlx::query(crate::store::outbox::sql::INSERT_OUTBOX)
            .bind(new_delivery_id()?)
            .bind(Channel::Send.code())
            .bind(hook_mail_event(hook.id))
            .bind(0)
            .bind(None::<i32>)
            .bind(None::<i32>)
            .bind(None::<i64>)
            .bind(json_text(&mail)?)
            .bind(now)
            .bind(DeliveryStatus::Pending.code())
            .execute(&mut **tx)
            .await?;
    }
    Ok(())
}

fn hook_mail_event(id: i32) -> String {
    format!("webhook{id}.errors")
}

async fn load_webhook(tx: &mut sqlx::Transaction<'_, Db>, id: i32) -> Result<Option<Webhook>, StoreError> {
    let row = sqlx::query(sqlx::AssertSqlSafe(format!("SELECT {WEBHOOK_COLUMNS} FROM webhooks WHERE id = $1")))
        .bind(id)
        .fetch_optional(&mut **tx)
        .await?;
    row.as_ref().map(webhook_row).transpose()
}

#[async_trait]
impl WebhookStore for This {
    async fn webhook(&self, id: i32) -> Result<Option<Webhook>, StoreError> {
        let row = sqlx::query(sqlx::AssertSqlSafe(format!("SELECT {WEBHOOK_COLUMNS} FROM webhooks WHERE id = $1")))
            .bind(id)
            .fetch_optional(&self.pool)
            .await?;
        row.as_ref().map(webhook_row).transpose()
    }

    async fn all_webhooks(&self) -> Result<Vec<Webhook>, StoreError> {
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!("SELECT {WEBHOOK_COLUMNS} FROM webhooks ORDER BY id")))
            .fetch_all(&self.pool)
            .await?;
        rows.iter().map(webhook_row).collect()
    }

    async fn create_webhook(&self, hook: &Webhook) -> Result<i32, StoreError> {
        let now = now_ticks();
        let mut tx = self.pool.begin_with(BEGIN_WRITE).await?;
        let insert = sqlx::query(
            "INSERT INTO webhooks (url, events, secret, active, state, name, headers, properties, error_emails, \
             description, notify_via, notify_when, created_at, registered_by, updated_at, updated_by) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $13, $14) RETURNING id",
        );
        let row = bind_settings(insert, hook)?
            .bind(now)
            .bind(hook.registered_by)
            .fetch_one(&mut *tx)
            .await?;
        tx.commit().await.map_err(crate::store::classify::at_commit)?;
        Ok(row.try_get("id")?)
    }

    async fn update_webhook(&self, hook: &Webhook) -> Result<(), StoreError> {
        let now = now_ticks();
        let mut tx = self.pool.begin_with(BEGIN_WRITE).await?;
        let before = load_webhook(&mut tx, hook.id).await?.ok_or(StoreError::NotFound)?;
        let resumed = hook.state == WebhookState::Active && before.state != WebhookState::Active;
        let update = sqlx::query(
            "UPDATE webhooks SET url = $2, events = $3, secret = $4, active = $5, state = $6, name = $7, headers = $8, \
             properties = $9, error_emails = $10, description = $11, notify_via = $12, notify_when = $13, \
             updated_at = $14, updated_by = $15, \
             consecutive_errors = CASE WHEN $16 THEN 0 ELSE consecutive_errors END WHERE id = $1",
        );
        bind_settings(update.bind(hook.id), hook)?
            .bind(now)
            .bind(hook.updated_by)
            .bind(resumed)
            .execute(&mut *tx)
            .await?;
        if before.state != hook.state {
            let after = Webhook { consecutive_errors: if resumed { 0 } else { before.consecutive_errors }, ..hook.clone() };
            queue_webhook_event(&mut tx, &state_event(&after, hook.state, hook.updated_by), 0, now).await?;
        }
        tx.commit().await.map_err(crate::store::classify::at_commit)?;
        Ok(())
    }

    async fn record_webhook_call(&self, id: i32, call: &WebhookCall, limit: u32) -> Result<bool, StoreError> {
        let now = now_ticks();
        let (failed, error) = match call {
            WebhookCall::Succeeded => (false, String::new()),
            WebhookCall::Failed(error) => (true, crate::notify::redact::text(error)),
        };
        let mut tx = self.pool.begin_with(BEGIN_WRITE).await?;
        // Counted in the statement, not read and written back: deliveries to one webhook run
        // concurrently, on several servers too.
        sqlx::query(
            "UPDATE webhooks SET total_calls = total_calls + 1, \
             total_errors = total_errors + CASE WHEN $2 THEN 1 ELSE 0 END, \
             consecutive_errors = CASE WHEN $2 THEN consecutive_errors + 1 ELSE 0 END, \
             last_error = CASE WHEN $2 THEN $3 ELSE last_error END WHERE id = $1",
        )
        .bind(id)
        .bind(failed)
        .bind(&error)
        .execute(&mut *tx)
        .await?;
        let limit = i32::try_from(limit.max(1)).unwrap_or(i32::MAX);
        // Only the call that finds the webhook still active stops it: one event, one mail.
        let stopped = sqlx::query(
            "UPDATE webhooks SET state = $2, active = FALSE WHERE id = $1 AND state = $3 AND consecutive_errors >= $4",
        )
        .bind(id)
        .bind(WebhookState::TooManyErrors.code())
        .bind(WebhookState::Active.code())
        .bind(limit)
        .execute(&mut *tx)
        .await?
        .rows_affected()
            > 0;
        if stopped && let Some(hook) = load_webhook(&mut tx, id).await? {
            queue_webhook_event(&mut tx, &state_event(&hook, WebhookState::TooManyErrors, 0), 0, now).await?;
            queue_error_mail(&mut tx, &hook, now).await?;
        }
        tx.commit().await.map_err(crate::store::classify::at_commit)?;
        Ok(stopped)
    }

    async fn signal_webhook_event(&self, event: &WebhookEvent, message_id: i32) -> Result<u64, StoreError> {
        let mut tx = self.pool.begin_with(BEGIN_WRITE).await?;
        let queued = queue_webhook_event(&mut tx, event, message_id, now_ticks()).await?;
        tx.commit().await.map_err(crate::store::classify::at_commit)?;
        Ok(queued)
    }
}
