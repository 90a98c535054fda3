//! The webhook events a message save or delete queues, whether or not it asked for
//! notification: `ticketmessage.created`/`.changed`/`.deleted` and `ticket.changed`, each with
//! the database-style names of what changed and the record's non-sensitive values.

use serde_json::{Map, Value};

use crate::domain::webhook::WebhookEvent;
use crate::store::columns::Columns;
use crate::store::{SaveContext, StoreError, from_ticks};

/// A message's own columns as events name them; `$1` the message.
pub const SELECT_MESSAGE_FIELDS: &str = "SELECT id, ticket_id, created_at, created_by, author, slevel, message_type, \
     message_id, time_spent, body, html_body, email_header, category, COALESCE(person_id, 0) AS person_id, \
     search_title, important, language, sentiment, sentiment_confidence, badge \
     FROM ticket_messages WHERE id = $1";

const INT_FIELDS: [&str; 9] =
    ["ticket_id", "created_by", "slevel", "message_type", "time_spent", "category", "person_id", "sentiment", "badge"];
const TEXT_FIELDS: [&str; 4] = ["author", "message_id", "search_title", "language"];
/// Compared for `Changes`, never sent in `FieldValues`: the message's content and mail headers.
const SENSITIVE_FIELDS: [&str; 3] = ["body", "html_body", "email_header"];

/// A message's values by column name.
pub type Fields = Map<String, Value>;

/// Maps a [`SELECT_MESSAGE_FIELDS`] row.
pub fn fields_of(row: &impl Columns) -> Result<Fields, StoreError> {
    let mut fields = Map::new();
    fields.insert("id".into(), row.int("id")?.into());
    for name in INT_FIELDS {
        fields.insert(name.into(), row.int(name)?.into());
    }
    for name in TEXT_FIELDS.into_iter().chain(SENSITIVE_FIELDS) {
        fields.insert(name.into(), row.text(name)?.into());
    }
    fields.insert("important".into(), row.flag("important")?.into());
    fields.insert("sentiment_confidence".into(), row.int("sentiment_confidence")?.into());
    let created = from_ticks(row.big("created_at")?).and_utc();
    fields.insert("created_at".into(), created.to_rfc3339_opts(chrono::SecondsFormat::Secs, true).into());
    Ok(fields)
}

/// The names whose values differ between `before` and `after`, in `after`'s order.
pub fn changed_names(before: &Fields, after: &Fields) -> Vec<String> {
    after.iter().filter(|(name, value)| before.get(*name) != Some(value)).map(|(name, _)| name.clone()).collect()
}

fn public(mut fields: Fields) -> Fields {
    for name in SENSITIVE_FIELDS {
        fields.remove(name);
    }
    fields
}

/// What one message save or delete did, for its events.
pub struct MessageChange {
    pub message_id: i32,
    pub ticket_id: i32,
    /// `ticketmessage.created`, `.changed` or `.deleted`.
    pub event: &'static str,
    /// The names of what the save changed (`[]` on create and delete).
    pub changes: Vec<String>,
    /// The stored values after the save; for a delete, the values it had.
    pub fields: Fields,
    /// ticketd's earlier message payload, for receivers written against it.
    pub data: Option<Value>,
}

/// The change a delete makes: the message as it was.
pub fn deleted_change(message_id: i32, fields: Fields) -> MessageChange {
    let ticket_id = fields.get("ticket_id").and_then(Value::as_i64).and_then(|id| i32::try_from(id).ok()).unwrap_or(0);
    MessageChange { message_id, ticket_id, event: "ticketmessage.deleted", changes: Vec::new(), fields, data: None }
}

/// The message's event and its ticket's `ticket.changed`; `ticket` is the ticket's title and
/// owner when found.
pub fn message_events(change: MessageChange, ctx: SaveContext, ticket: Option<(String, i32)>) -> [WebhookEvent; 2] {
    let message = WebhookEvent {
        event: change.event.into(),
        entity: "ticketmessage".into(),
        primary_key: change.message_id.into(),
        context_identifier: ctx.context.as_str().into(),
        changed_by_associate_id: ctx.associate_id,
        changes: change.changes,
        field_values: public(change.fields),
        data: change.data,
    };
    let mut ticket_fields = Map::new();
    ticket_fields.insert("ticket_id".into(), change.ticket_id.into());
    ticket_fields.insert("ticket_message_id".into(), change.message_id.into());
    ticket_fields.insert("ticket_message_event".into(), change.event.into());
    if let Some((title, owner)) = ticket {
        ticket_fields.insert("title".into(), title.into());
        ticket_fields.insert("owned_by".into(), owner.into());
    }
    let ticket = WebhookEvent {
        event: "ticket.changed".into(),
        entity: "ticket".into(),
        primary_key: change.ticket_id.into(),
        changes: Vec::new(),
        field_values: ticket_fields,
        data: None,
        ..message.clone()
    };
    [message, ticket]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn changes_name_the_differing_columns_and_values_leave_content_out() {
        let before: Fields =
            serde_json::from_value(serde_json::json!({"body": "a", "important": false, "author": "x"})).unwrap();
        let after: Fields =
            serde_json::from_value(serde_json::json!({"body": "b", "important": true, "author": "x"})).unwrap();
        assert_eq!(changed_names(&before, &after), ["body", "important"]);
        assert!(!public(after).contains_key("body"));
    }
}
