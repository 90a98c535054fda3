//! The `/api/v1/Webhook` operations in the OpenAPI document, and the vendor's schemas they use.

use utoipa::openapi::HttpMethod;

use super::model::{Answer, Body, Kind, Operation, Param};

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
        Operation {
            method: Get,
            path: "/api/v1/Webhook/default",
            id: "Webhook_DefaultWebhook",
            summary: "An unsaved webhook with the defaults",
            params: vec![],
            body: None,
            answer: Answer::Schema(WEBHOOK),
            produces: JSON_XML,
        },
        Operation {
            method: Get,
            path: "/api/v1/Webhook",
            id: "Webhook_GetAll",
            summary: "The webhooks matching the filters",
            params: vec![
                Param::Query("nameFilter", Kind::Text, false),
                Param::Query("eventFilter", Kind::Text, false),
                Param::Query("statusFilter", Kind::Text, false),
            ],
            body: None,
            answer: Answer::ArrayOf(WEBHOOK),
            produces: JSON_XML,
        },
        Operation {
            method: Post,
            path: "/api/v1/Webhook",
            id: "Webhook_Post",
            summary: "Registers a webhook once its target accepted the test event",
            params: vec![],
            body: Some(Body::Json(WEBHOOK_IN)),
            answer: Answer::Schema(WEBHOOK),
            produces: JSON_XML,
        },
        Operation {
            method: Get,
            path: "/api/v1/Webhook/{id}",
            id: "Webhook_Get",
            summary: "A webhook (its Secret is never answered)",
            params: vec![id],
            body: None,
            answer: Answer::Schema(WEBHOOK),
            produces: JSON_XML,
        },
        Operation {
            method: Put,
            path: "/api/v1/Webhook/{id}",
            id: "Webhook_Put",
            summary: "Replaces a webhook; a new TargetUrl or Secret must accept the test event",
            params: vec![id],
            body: Some(Body::Json(WEBHOOK_IN)),
            answer: Answer::Schema(WEBHOOK),
            produces: JSON_XML,
        },
        Operation {
            method: Delete,
            path: "/api/v1/Webhook/{id}",
            id: "Webhook_Delete",
            summary: "Removes a webhook",
            params: vec![id],
            body: None,
            answer: Answer::NoContent,
            produces: &[],
        },
        Operation {
            method: Post,
            path: "/api/v1/Webhook/Test",
            id: "Webhook_Test",
            summary: "Posts a test event to the body's TargetUrl now; saves nothing",
            params: vec![],
            body: Some(Body::Json(WEBHOOK_IN)),
            answer: Answer::Schema(RESULT),
            produces: JSON_XML,
        },
        Operation {
            method: Post,
            path: "/api/v1/Webhook/{id}/{key}",
            id: "Webhook_SignalEvent",
            summary: "Queues event {id} (an event name) about primary key {key}, the body as its FieldValues",
            params: vec![Param::Path("id", Kind::Text), Param::Path("key", Kind::Int32)],
            body: Some(Body::Json(WEBHOOK_IN)),
            answer: Answer::NoContent,
            produces: &[],
        },
        Operation {
            method: Get,
            path: "/api/v1/Webhook/{id}/LastError",
            id: "Webhook_GetLastError",
            summary: "The last error recorded for the webhook",
            params: vec![id],
            body: None,
            answer: Answer::Text("application/json"),
            produces: JSON_XML,
        },
    ]
}
