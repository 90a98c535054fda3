//! ticketd's own operations in the OpenAPI document: attachment upload and download, the
//! notification stream, sessions, time zones, health (liveness, readiness), metrics and the document itself.

use utoipa::openapi::HttpMethod;

use super::model::{ATTACHMENT, Answer, Body, ENTITY_TYPES, Kind, Operation, Param};

/// ticketd's own operations.
pub fn ticketd() -> Vec<Operation> {
    use HttpMethod::{Delete, Get, Post};
    let attachment_id = Param::Path("id", Kind::Int32);
    vec![
        Operation {
            method: Post,
            path: "/api/v1/Attachment",
            id: "ticketd_UploadAttachment",
            summary: "Stores an attachment's bytes (the body)",
            params: vec![
                Param::Query("name", Kind::Text, true),
                Param::Query("inline", Kind::Bool, false),
                Param::Query("contentId", Kind::Text, false),
            ],
            body: Some(Body::Bytes),
            answer: Answer::Schema(ATTACHMENT),
            produces: ENTITY_TYPES,
        },
        Operation {
            method: Get,
            path: "/api/v1/Attachment/{id}",
            id: "ticketd_GetAttachment",
            summary: "An attachment's information",
            params: vec![attachment_id],
            body: None,
            answer: Answer::Schema(ATTACHMENT),
            produces: ENTITY_TYPES,
        },
        Operation {
            method: Get,
            path: "/api/v1/Attachment/{id}/Content",
            id: "ticketd_GetAttachmentContent",
            summary: "An attachment's bytes",
            params: vec![attachment_id],
            body: None,
            answer: Answer::Bytes,
            produces: &["application/octet-stream"],
        },
        Operation {
            method: Get,
            path: "/api/v1/notifications/stream",
            id: "ticketd_NotificationStream",
            summary: "The caller's notifications as Server-Sent Events; the caller is checked again while the stream is open, and at most --max-streams-per-associate streams are open per associate (429 past it)",
            params: vec![Param::Header("Last-Event-ID")],
            body: None,
            answer: Answer::Text("text/event-stream"),
            produces: &["text/event-stream"],
        },
        Operation {
            method: Post,
            path: "/api/v1/session",
            id: "ticketd_SignIn",
            summary: "Signs in: a session cookie and an XSRF token",
            params: vec![],
            body: Some(Body::Json("ticketd.Credentials")),
            answer: Answer::Schema("ticketd.Session"),
            produces: &["application/json", "application/xml"],
        },
        Operation {
            method: Delete,
            path: "/api/v1/session",
            id: "ticketd_SignOut",
            summary: "Signs out",
            params: vec![],
            body: None,
            answer: Answer::NoContent,
            produces: &[],
        },
        json_get("/api/v1/timezone", "ticketd_TimeZones", "The SO-TimeZone codes"),
        json_get("/api/v1/openapi.json", "ticketd_OpenApi", "This document"),
        json_get("/health", "ticketd_Health", "Whether the server and its database answer"),
        json_get("/health/live", "ticketd_Live", "Whether the process serves HTTP (nothing else is checked)"),
        json_get(
            "/health/ready",
            "ticketd_Ready",
            "Whether this instance should get traffic: the database takes writes and is migrated, the dispatcher runs; 503 with the reason otherwise",
        ),
        Operation {
            method: Get,
            path: "/metrics",
            id: "ticketd_Metrics",
            summary: "Notification counters (Prometheus text format); with --metrics-token set, only for Authorization: Bearer TOKEN (401 otherwise)",
            params: vec![],
            body: None,
            answer: Answer::Text("text/plain"),
            produces: &["text/plain"],
        },
    ]
}

/// A GET without parameters or body that answers a JSON document of ticketd's own.
fn json_get(path: &'static str, id: &'static str, summary: &'static str) -> Operation {
    Operation {
        method: HttpMethod::Get,
        path,
        id,
        summary,
        params: vec![],
        body: None,
        answer: Answer::Text("application/json"),
        produces: &["application/json"],
    }
}
