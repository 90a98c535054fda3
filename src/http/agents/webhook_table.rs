//! The WebhookAgent method table: the eight methods of the vendor's `WebhookAgent`, routed,
//! described and listed in the OpenAPI document like the TicketAgent's.

use super::method::{Method, Op, Returns, Shape, Type, param};

macro_rules! webhook_method {
    ($name:literal, $summary:literal, $shape:expr, [$($param:expr),* $(,)?], $returns:expr, $request:expr, $op:expr) => {
        Method {
            name: $name,
            path: concat!("/api/v1/Agents/Webhook/", $name),
            summary: $summary,
            shape: $shape,
            params: &[$($param),*],
            returns: $returns,
            request_type: $request,
            op: Some($op),
        }
    };
}

/// Every WebhookAgent method (administrators only, as on `/api/v1/Webhook`).
pub static WEBHOOK_AGENT: &[Method] = &[
    webhook_method!(
        "CreateDefaultWebhook",
        "An unsaved webhook with the defaults (State Active, Type webhook)",
        Shape::None,
        [],
        Returns::Webhook,
        None,
        Op::WebhookDefault
    ),
    webhook_method!(
        "SaveWebhook",
        "Registers the webhook (WebhookId 0) or replaces the stored one; a new TargetUrl or Secret must accept the test event",
        Shape::Entity,
        [param("webhook", Type::Webhook, true)],
        Returns::Webhook,
        None,
        Op::WebhookSave
    ),
    webhook_method!(
        "GetWebhook",
        "A webhook, or null when there is none",
        Shape::Query,
        [param("webhookId", Type::Int32, true)],
        Returns::Webhook,
        None,
        Op::WebhookGet
    ),
    webhook_method!(
        "GetAllWebhooks",
        "The webhooks matching the filters (name contains, event taken, state)",
        Shape::Request,
        [
            param("NameFilter", Type::Text, false),
            param("EventFilter", Type::Text, false),
            param("StatusFilter", Type::Text, false)
        ],
        Returns::Webhooks,
        Some("GetAllWebhooksRequest"),
        Op::WebhookList
    ),
    webhook_method!(
        "DeleteWebhook",
        "Removes a webhook",
        Shape::Query,
        [param("webhookId", Type::Int32, true)],
        Returns::Nothing,
        None,
        Op::WebhookDelete
    ),
    webhook_method!(
        "TestWebhook",
        "Posts the test event to the webhook's TargetUrl now and tells what came back; saves nothing",
        Shape::Request,
        [param("Webhook", Type::Webhook, true)],
        Returns::WebhookResult,
        Some("TestWebhookRequest"),
        Op::WebhookTest
    ),
    webhook_method!(
        "SignalEvent",
        "Queues the event, Data as its FieldValues, to every active webhook that wants it",
        Shape::Request,
        [param("EventName", Type::Text, true), param("PrimaryKey", Type::Int32, true), param("Data", Type::Any, false)],
        Returns::Nothing,
        Some("SignalEventRequest"),
        Op::WebhookSignal
    ),
    webhook_method!(
        "GetLastError",
        "The last error recorded for the webhook, or null when there is no such webhook",
        Shape::Request,
        [param("WebhookId", Type::Int32, true)],
        Returns::Text,
        Some("GetLastErrorRequest"),
        Op::WebhookLastError
    ),
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_eight_methods_are_routed_under_their_names() {
        assert_eq!(WEBHOOK_AGENT.len(), 8);
        for method in WEBHOOK_AGENT {
            assert!(method.path.ends_with(method.name) && method.path.starts_with("/api/v1/Agents/Webhook/"));
        }
    }
}
