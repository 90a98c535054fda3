//! The `/api/v1/Webhook` operations in the OpenAPI document, and the vendor's schemas they use.

use utoipa::openapi::HttpMethod;

use super::model::{Answer, Body, Kind, Operation, Param, op};

/// The vendor's Webhook, WebhookWithLinks, WebhookResult and MDOListItem schemas.
pub const WEBHOOK_SCHEMAS: &str = include_str!("webhook-schemas.json");

const WEBHOOK: &str = "SuperOffice.WebApi.v1.Carriers.WebhookCarriers.WebhookWithLinks";
const WEBHOOK_IN: &str = "SuperOffice.CRM.Services.Webhook";
const RESULT: &str = "SuperOffice.CRM.Services.WebhookResult";
const JSON_XML: &[&str] = &["application/json", "text/json", "application/xml", "text/xml"];

/// The Webhook resource's operations (administrators only).
pub fn webhook() -> Vec<Operation> {
    use HttpMethod::{Delete, Get, Post, Put};
    let id = Param::Path("id", Kind::Int32);
    vec![
        op(
            Get,
            "/api/v1/Webhook/default",
            "Webhook_DefaultWebhook",
            "An unsaved webhook with the defaults",
            vec![],
            None,
            Answer::Schema(WEBHOOK),
            JSON_XML,
        ),
        op(
            Get,
            "/api/v1/Webhook",
            "Webhook_GetAll",
            "The webhooks matching the filters",
            vec![
                Param::Query("nameFilter", Kind::Text, false),
                Param::Query("eventFilter", Kind::Text, false),
                Param::Query("statusFilter", Kind::Text, false),
            ],
            None,
            Answer::ArrayOf(WEBHOOK),
            JSON_XML,
        ),
        op(
            Post,
            "/api/v1/Webhook",
            "Webhook_Post",
            "Registers a webhook once its target accepted the test event",
            vec![],
            Some(Body::Json(WEBHOOK_IN)),
            Answer::Schema(WEBHOOK),
            JSON_XML,
        ),
        op(
            Get,
            "/api/v1/Webhook/{id}",
            "Webhook_Get",
            "A webhook (its Secret is never answered)",
            vec![id],
            None,
            Answer::Schema(WEBHOOK),
            JSON_XML,
        ),
        op(
            Put,
            "/api/v1/Webhook/{id}",
            "Webhook_Put",
            "Replaces a webhook; a new TargetUrl or Secret must accept the test event",
            vec![id],
            Some(Body::Json(WEBHOOK_IN)),
            Answer::Schema(WEBHOOK),
            JSON_XML,
        ),
        op(
            Delete,
            "/api/v1/Webhook/{id}",
            "Webhook_Delete",
            "Removes a webhook",
            vec![id],
            None,
            Answer::NoContent,
            &[],
        ),
        op(
            Post,
            "/api/v1/Webhook/Test",
            "Webhook_Test",
            "Posts a test event to the body's TargetUrl now; saves nothing",
            vec![],
            Some(Body::Json(WEBHOOK_IN)),
            Answer::Schema(RESULT),
            JSON_XML,
        ),
        op(
            Post,
            "/api/v1/Webhook/{id}/{key}",
            "Webhook_SignalEvent",
            "Queues event {id} (an event name) about primary key {key}, the body as its FieldValues",
            vec![Param::Path("id", Kind::Text), Param::Path("key", Kind::Int32)],
            Some(Body::Json(WEBHOOK_IN)),
            Answer::NoContent,
            &[],
        ),
        op(
            Get,
            "/api/v1/Webhook/{id}/LastError",
            "Webhook_GetLastError",
            "The last error recorded for the webhook",
            vec![id],
            None,
            Answer::Text("application/json"),
            JSON_XML,
        ),
    ]
}
