//! ticketd's own operations in the OpenAPI document: attachment upload and download, the
//! notification stream, sessions, time zones, health (liveness, readiness), metrics and the document itself.

use utoipa::openapi::HttpMethod;

use super::model::{ATTACHMENT, Answer, Body, ENTITY_TYPES, Kind, Operation, Param, op};

/// ticketd's own operations.
pub fn ticketd() -> Vec<Operation> {
    use HttpMethod::{Delete, Get, Post};
    let attachment_id = Param::Path("id", Kind::Int32);
    vec![
        op(
            Post,
            "/api/v1/Attachment",
            "ticketd_UploadAttachment",
            "Stores an attachment's bytes (the body)",
            vec![
                Param::Query("name", Kind::Text, true),
                Param::Query("inline", Kind::Bool, false),
                Param::Query("contentId", Kind::Text, false),
            ],
            Some(Body::Bytes),
            Answer::Schema(ATTACHMENT),
            ENTITY_TYPES,
        ),
        op(
            Get,
            "/api/v1/Attachment/{id}",
            "ticketd_GetAttachment",
            "An attachment's information",
            vec![attachment_id],
            None,
            Answer::Schema(ATTACHMENT),
            ENTITY_TYPES,
        ),
        op(
            Get,
            "/api/v1/Attachment/{id}/Content",
            "ticketd_GetAttachmentContent",
            "An attachment's bytes",
            vec![attachment_id],
            None,
            Answer::Bytes,
            &["application/octet-stream"],
        ),
        op(
            Get,
            "/api/v1/notifications/stream",
            "ticketd_NotificationStream",
            "The caller's notifications as Server-Sent Events; the caller is checked again while the stream is open, and at most --max-streams-per-associate streams are open per associate (429 past it)",
            vec![Param::Header("Last-Event-ID")],
            None,
            Answer::Text("text/event-stream"),
            &["text/event-stream"],
        ),
        op(
            Post,
            "/api/v1/session",
            "ticketd_SignIn",
            "Signs in: a session cookie and an XSRF token",
            vec![],
            Some(Body::Json("ticketd.Credentials")),
            Answer::Schema("ticketd.Session"),
            &["application/json", "application/xml"],
        ),
        op(Delete, "/api/v1/session", "ticketd_SignOut", "Signs out", vec![], None, Answer::NoContent, &[]),
        op(
            Get,
            "/api/v1/timezone",
            "ticketd_TimeZones",
            "The SO-TimeZone codes",
            vec![],
            None,
            Answer::Text("application/json"),
            &["application/json"],
        ),
        op(
            Get,
            "/api/v1/openapi.json",
            "ticketd_OpenApi",
            "This document",
            vec![],
            None,
            Answer::Text("application/json"),
            &["application/json"],
        ),
        op(
            Get,
            "/health",
            "ticketd_Health",
            "Whether the server and its database answer",
            vec![],
            None,
            Answer::Text("application/json"),
            &["application/json"],
        ),
        op(
            Get,
            "/health/live",
            "ticketd_Live",
            "Whether the process serves HTTP (nothing else is checked)",
            vec![],
            None,
            Answer::Text("application/json"),
            &["application/json"],
        ),
        op(
            Get,
            "/health/ready",
            "ticketd_Ready",
            "Whether this instance should get traffic: the database takes writes and is migrated, the dispatcher runs; 503 with the reason otherwise",
            vec![],
            None,
            Answer::Text("application/json"),
            &["application/json"],
        ),
        op(
            Get,
            "/metrics",
            "ticketd_Metrics",
            "Notification counters (Prometheus text format); with --metrics-token set, only for Authorization: Bearer TOKEN (401 otherwise)",
            vec![],
            None,
            Answer::Text("text/plain"),
            &["text/plain"],
        ),
    ]
}
