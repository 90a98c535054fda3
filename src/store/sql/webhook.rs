//! Registered webhooks: their columns, the settings a client writes, and their counters.

use crate::domain::webhook::{Webhook, WebhookState};
use crate::store::columns::Columns;
use crate::store::db::Value;
use crate::store::{StoreError, from_ticks};

macro_rules! webhook_columns {
    () => {
        "id, url, events, secret, state, name, headers, properties, error_emails, description, \
         notify_via, notify_when, created_at, registered_by, updated_at, updated_by, total_calls, total_errors, \
         consecutive_errors, last_error"
    };
}

pub const SELECT_WEBHOOK: &str = concat!("SELECT ", webhook_columns!(), " FROM webhooks WHERE id = $1");
pub const SELECT_WEBHOOKS: &str = concat!("SELECT ", webhook_columns!(), " FROM webhooks ORDER BY id");
/// The settings (`$1`…`$12`, see [`Settings`]), then `$13` now and `$14` who.
pub const INSERT_WEBHOOK: &str = "INSERT INTO webhooks (url, events, secret, active, state, name, headers, properties, \
     error_emails, description, notify_via, notify_when, created_at, registered_by, updated_at, updated_by) \
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $13, $14) RETURNING id";
/// `$1` the webhook, its settings (`$2`…`$13`), `$14` now, `$15` who, `$16` whether it resumed.
pub const UPDATE_WEBHOOK: &str = "UPDATE webhooks SET url = $2, events = $3, secret = $4, active = $5, state = $6, \
     name = $7, headers = $8, properties = $9, error_emails = $10, description = $11, notify_via = $12, \
     notify_when = $13, updated_at = $14, updated_by = $15, \
     consecutive_errors = CASE WHEN $16 THEN 0 ELSE consecutive_errors END WHERE id = $1";
/// Counted in the statement, not read and written back: deliveries to one webhook run
/// concurrently, on several servers too. `$1` webhook, `$2` failed, `$3` error.
pub const COUNT_CALL: &str = "UPDATE webhooks SET total_calls = total_calls + 1, \
     total_errors = total_errors + CASE WHEN $2 THEN 1 ELSE 0 END, \
     consecutive_errors = CASE WHEN $2 THEN consecutive_errors + 1 ELSE 0 END, \
     last_error = CASE WHEN $2 THEN $3 ELSE last_error END WHERE id = $1";
/// Only the call that finds the webhook still active stops it: one event, one mail.
/// `$1` webhook, `$2` the stopped state, `$3` the active state, `$4` the limit.
pub const STOP_AT_LIMIT: &str =
    "UPDATE webhooks SET state = $2, active = FALSE WHERE id = $1 AND state = $3 AND consecutive_errors >= $4";

/// What a client sets on a webhook, as stored: one list, so creating and updating cannot store
/// a field differently.
pub struct Settings<'h> {
    hook: &'h Webhook,
    events: String,
    headers: String,
    properties: String,
    error_emails: String,
}

impl<'h> Settings<'h> {
    pub fn of(hook: &'h Webhook) -> Result<Self, StoreError> {
        Ok(Self {
            hook,
            events: hook.events.join(","),
            headers: json_text(&hook.headers)?,
            properties: json_text(&hook.properties)?,
            error_emails: json_text(&hook.error_emails)?,
        })
    }

    /// url, events, secret, active, state, name, headers, properties, error_emails,
    /// description, notify_via, notify_when.
    pub fn values(&self) -> [Value<'_>; 12] {
        let hook = self.hook;
        [
            Value::from(&hook.target_url),
            Value::from(&self.events),
            Value::from(&hook.secret),
            Value::from(hook.state == WebhookState::Active),
            Value::from(hook.state.code()),
            Value::from(&hook.name),
            Value::from(&self.headers),
            Value::from(&self.properties),
            Value::from(&self.error_emails),
            Value::from(&hook.description),
            Value::from(&hook.notify_via),
            Value::from(&hook.notify_when),
        ]
    }
}

pub fn json_text(value: &impl serde::Serialize) -> Result<String, StoreError> {
    serde_json::to_string(value).map_err(|err| StoreError::Internal(err.to_string()))
}

/// A row of [`SELECT_WEBHOOK`].
pub fn webhook_row(row: &impl Columns) -> Result<Webhook, StoreError> {
    let corrupt = |what: &str| StoreError::Internal(format!("webhook row with unreadable {what}"));
    let events = row.text("events")?;
    Ok(Webhook {
        id: row.int("id")?,
        name: row.text("name")?,
        events: events.split(',').map(str::trim).filter(|e| !e.is_empty()).map(str::to_owned).collect(),
        target_url: row.text("url")?,
        secret: row.text("secret")?,
        state: WebhookState::from_code(row.int("state")?).ok_or_else(|| corrupt("state"))?,
        headers: serde_json::from_str(&row.text("headers")?).map_err(|_| corrupt("headers"))?,
        properties: serde_json::from_str(&row.text("properties")?).map_err(|_| corrupt("properties"))?,
        error_emails: serde_json::from_str(&row.text("error_emails")?).map_err(|_| corrupt("error_emails"))?,
        description: row.text("description")?,
        notify_via: row.text("notify_via")?,
        notify_when: row.text("notify_when")?,
        registered: from_ticks(row.big("created_at")?),
        registered_by: row.int("registered_by")?,
        updated: from_ticks(row.big("updated_at")?),
        updated_by: row.int("updated_by")?,
        total_calls: row.big("total_calls")?,
        total_errors: row.big("total_errors")?,
        consecutive_errors: row.int("consecutive_errors")?,
        last_error: row.text("last_error")?,
    })
}
