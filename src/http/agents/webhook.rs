//! The WebhookAgent adapters: each method's bound parameters onto the operations of
//! `/api/v1/Webhook` (same checks, same registration test, administrators only), and the result
//! into an [`Outcome`]. A getter's "not found" becomes `null`.

use serde_json::{Map, Value};

use super::answer::Outcome;
use super::args::Args;
use super::table::Op;
use crate::auth::Principal;
use crate::error::ApiError;
use crate::http::AppState;
use crate::http::webhook::wire::{WebhookOut, default_webhook};
use crate::http::webhook::{self as resource, ListFilters};

/// The vendor's Agents carrier is `Webhook`: the REST answer without its links.
fn carrier(hook: &crate::domain::webhook::Webhook) -> Result<Value, ApiError> {
    let mut value = serde_json::to_value(WebhookOut::of(hook)).map_err(ApiError::internal)?;
    if let Value::Object(fields) = &mut value {
        fields.remove("_Links");
    }
    Ok(value)
}

fn object(value: Option<&Value>) -> Result<Map<String, Value>, ApiError> {
    match value {
        Some(Value::Object(fields)) => Ok(fields.clone()),
        Some(other) => Err(ApiError::invalid(format!("The webhook must be a Webhook object, not {other}"))),
        None => Err(ApiError::missing_entity()),
    }
}

pub async fn call(op: Op, state: &AppState, caller: &Principal, args: &Args) -> Result<Outcome, ApiError> {
    let writes = matches!(op, Op::WebhookSave | Op::WebhookDelete | Op::WebhookTest | Op::WebhookSignal);
    resource::require_admin(caller, writes)?;
    let store = &state.store;
    Ok(match op {
        Op::WebhookDefault => Outcome::Value("Webhook", carrier(&default_webhook(caller.associate_id))?),
        Op::WebhookSave => {
            let body = object(args.entity("webhook"))?;
            let id = body
                .iter()
                .find(|(name, _)| name.eq_ignore_ascii_case("WebhookId"))
                .and_then(|(_, id)| id.as_i64())
                .and_then(|id| i32::try_from(id).ok())
                .unwrap_or(0);
            let saved = if id > 0 {
                resource::replace(state, caller, id, &body).await?
            } else {
                resource::create(state, caller, &body).await?
            };
            Outcome::Value("Webhook", carrier(&saved)?)
        }
        Op::WebhookGet => match store.webhook(args.int32("webhookId")).await? {
            Some(hook) => Outcome::Value("Webhook", carrier(&hook)?),
            None => Outcome::Null("Webhook"),
        },
        Op::WebhookList => {
            let filters = ListFilters {
                name_filter: args.text("NameFilter").map(str::to_owned),
                event_filter: args.text("EventFilter").map(str::to_owned),
                status_filter: args.text("StatusFilter").map(str::to_owned),
            };
            let hooks = resource::filtered(store.all_webhooks().await?, &filters)?;
            let list = hooks.iter().map(carrier).collect::<Result<Vec<_>, _>>()?;
            Outcome::Value("ArrayOfWebhook", Value::Array(list))
        }
        Op::WebhookDelete => {
            let id = args.int32("webhookId");
            if !store.remove_webhook(id).await? {
                return Err(resource::not_found(id));
            }
            Outcome::Nothing
        }
        Op::WebhookTest => {
            let result = resource::test_call(state, caller, &object(args.entity("Webhook"))?).await?;
            Outcome::Value("WebhookResult", serde_json::to_value(result).map_err(ApiError::internal)?)
        }
        Op::WebhookSignal => {
            let data = args.entity("Data").cloned().unwrap_or(Value::Null);
            let (name, key) = (args.text("EventName").unwrap_or_default(), args.int32("PrimaryKey"));
            resource::signal(state, caller, name, key.into(), data).await?;
            Outcome::Nothing
        }
        Op::WebhookLastError => match store.webhook(args.int32("WebhookId")).await? {
            Some(hook) => Outcome::Value("string", Value::String(hook.last_error)),
            None => Outcome::Null("string"),
        },
        _ => return Err(ApiError::internal("a TicketAgent operation reached the WebhookAgent")),
    })
}
