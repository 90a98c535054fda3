//! The operations of the OpenAPI document, as data: path, parameters, bodies and media types.
//! The vendor's TicketMessage operations are here, with its operation ids, parameter names and
//! media-type lists; ticketd's own are in `own_operations.rs`.

use utoipa::openapi::HttpMethod;

use super::model::ATTACHMENT;
pub use super::model::{Answer, Body, ENTITY_TYPES, Kind, Operation, Param, REQUEST_TYPES};

const RFC_PART_TYPES: &[&str] = &[
    "application/json",
    "text/json",
    "application/xml",
    "text/xml",
    "image/jpeg",
    "image/jpg",
    "image/png",
    "image/gif",
    "image/bmp",
    "image/tiff",
    "application/octet-stream",
    "application/msword",
    "application/rtf",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "application/vnd.ms-excel",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "application/vnd.ms-powerpoint",
    "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    "application/json-patch+json",
    "application/merge-patch+json",
    "application/pdf",
    "text/html",
    "text/plain",
    "multipart/related",
];

const LOCALE: [Param; 5] = [
    Param::Header("Accept-Language"),
    Param::Header("SO-Language"),
    Param::Header("SO-Culture"),
    Param::Header("SO-TimeZone"),
    Param::Header("SO-AppToken"),
];

const ODATA: [(&str, Kind); 12] = [
    ("$select", Kind::Text),
    ("$filter", Kind::Text),
    ("$orderBy", Kind::Text),
    ("$entities", Kind::Text),
    ("$top", Kind::Int32),
    ("$skip", Kind::Int32),
    ("$mode", Kind::Text),
    ("$options", Kind::Text),
    ("$context", Kind::Text),
    ("$format", Kind::Text),
    ("$jsonSafe", Kind::Bool),
    ("$output", Kind::Text),
];

fn with_locale(mut params: Vec<Param>) -> Vec<Param> {
    params.extend(LOCALE);
    params
}

const MESSAGE: &str = "SuperOffice.CRM.Services.TicketMessageEntity";
const ENTITY_ID: Param = Param::Path("ticketMessageEntityId", Kind::Int32);

/// The vendor's TicketMessage operations, in the order of its Swagger document.
fn ticket_message() -> Vec<Operation> {
    use HttpMethod::{Delete, Get, Patch, Post, Put};
    let odata: Vec<Param> = ODATA.iter().map(|(name, kind)| Param::Query(name, *kind, false)).collect();
    vec![
        Operation {
            method: Get,
            path: "/api/v1/TicketMessage/default",
            id: "v1TicketMessageEntity_DefaultTicketMessageEntity",
            summary: "An unsaved message with default values",
            params: with_locale(vec![]),
            body: None,
            answer: Answer::Schema(MESSAGE),
            produces: ENTITY_TYPES,
        },
        Operation {
            method: Get,
            path: "/api/v1/TicketMessage",
            id: "v1TicketMessageEntity_GetAll",
            summary: "OData list of messages",
            params: with_locale(odata),
            body: None,
            answer: Answer::Schema("SuperOffice.Services.WebApi.OData.ODataSlimResponse"),
            produces: ENTITY_TYPES,
        },
        Operation {
            method: Post,
            path: "/api/v1/TicketMessage",
            id: "v1TicketMessageEntity_HttpPostSaveTicketMessageEntityWithNotify",
            summary: "Creates a message (or updates the one its EjMessageId names)",
            params: with_locale(vec![Param::Query("notify", Kind::Bool, false)]),
            body: Some(Body::Entity),
            answer: Answer::Schema(MESSAGE),
            produces: ENTITY_TYPES,
        },
        Operation {
            method: Get,
            path: "/api/v1/TicketMessage/{id}",
            id: "v1TicketMessageEntity_HttpGetGetTicketMessageWithEmbeddedData",
            summary: "A message",
            params: with_locale(vec![Param::Path("id", Kind::Int32), Param::Query("embedImages", Kind::Text, false)]),
            body: None,
            answer: Answer::Schema(MESSAGE),
            produces: ENTITY_TYPES,
        },
        Operation {
            method: Put,
            path: "/api/v1/TicketMessage/{id}",
            id: "v1TicketMessageEntity_HttpPutSaveTicketMessageEntityWithNotify",
            summary: "Saves a message, notifying the ticket's people when asked",
            params: with_locale(vec![Param::Path("id", Kind::Int32), Param::Query("notify", Kind::Bool, false)]),
            body: Some(Body::Entity),
            answer: Answer::Schema(MESSAGE),
            produces: ENTITY_TYPES,
        },
        Operation {
            method: Delete,
            path: "/api/v1/TicketMessage/{id}",
            id: "v1TicketMessageEntity_DeleteTicketMessageEntity",
            summary: "Deletes a message",
            params: vec![Param::Path("id", Kind::Int32), Param::Header("SO-AppToken")],
            body: None,
            answer: Answer::NoContent,
            produces: &[],
        },
        Operation {
            method: Get,
            path: "/api/v1/TicketMessage/{ticketMessageEntityId}/Attachment",
            id: "v1TicketMessageEntity_GetAttachmentInfo",
            summary: "A message's attachments",
            params: with_locale(vec![ENTITY_ID]),
            body: None,
            answer: Answer::ArrayOf(ATTACHMENT),
            produces: ENTITY_TYPES,
        },
        Operation {
            method: Post,
            path: "/api/v1/TicketMessage/{ticketMessageEntityId}/Attachment",
            id: "v1TicketMessageEntity_AddAttachments",
            summary: "Connects uploaded attachments to a message",
            params: vec![ENTITY_ID, Param::Header("SO-AppToken")],
            body: Some(Body::IdList),
            answer: Answer::NoContent,
            produces: &[],
        },
        Operation {
            method: Get,
            path: "/api/v1/TicketMessage/{ticketMessageEntityId}/Attachment/Noninline",
            id: "v1TicketMessageEntity_GetAttachmentInfoNonInline",
            summary: "A message's attachments without inline images",
            params: with_locale(vec![ENTITY_ID]),
            body: None,
            answer: Answer::ArrayOf(ATTACHMENT),
            produces: ENTITY_TYPES,
        },
        Operation {
            method: Get,
            path: "/api/v1/TicketMessage/RfcAttachment/{attachmentId}/{position}",
            id: "v1TicketMessageEntity_GetRfcAttachmentStream",
            summary: "One part of an attached e-mail",
            params: with_locale(vec![Param::Path("attachmentId", Kind::Int32), Param::Path("position", Kind::Int32)]),
            body: None,
            answer: Answer::Bytes,
            produces: RFC_PART_TYPES,
        },
        Operation {
            method: Post,
            path: "/api/v1/TicketMessage/{ticketMessageEntityId}/Send",
            id: "v1TicketMessageEntity_SendTicketMessage",
            summary: "E-mails the message to customers",
            params: vec![
                ENTITY_ID,
                Param::Query("to", Kind::TextList, true),
                Param::Query("cc", Kind::TextList, true),
                Param::Query("bcc", Kind::TextList, true),
                Param::Query("subject", Kind::Text, false),
                Param::Query("replyTemplateId", Kind::Int32, false),
                Param::Query("gdprSource", Kind::Text, false),
                Param::Header("SO-AppToken"),
            ],
            body: None,
            answer: Answer::NoContent,
            produces: &[],
        },
        Operation {
            method: Post,
            path: "/api/v1/TicketMessage/{ticketMessageEntityId}/SendSms",
            id: "v1TicketMessageEntity_SendTicketMessageSms",
            summary: "Texts the message to mobile numbers",
            params: vec![
                ENTITY_ID,
                Param::Query("sms", Kind::TextList, true),
                Param::Query("replyTemplateId", Kind::Int32, false),
                Param::Header("SO-AppToken"),
            ],
            body: None,
            answer: Answer::NoContent,
            produces: &[],
        },
        Operation {
            method: Get,
            path: "/api/v1/TicketMessage/CustomField",
            id: "v1TicketMessageEntity_GetCustomFieldInfoList",
            summary: "The custom fields of messages",
            params: with_locale(vec![]),
            body: None,
            answer: Answer::ArrayOf("SuperOffice.CRM.Services.FieldInfoBase"),
            produces: ENTITY_TYPES,
        },
        Operation {
            method: Get,
            path: "/api/v1/TicketMessage/CustomField/{fieldName}",
            id: "v1TicketMessageEntity_GetCustomFieldInfo",
            summary: "One custom field",
            params: with_locale(vec![Param::Path("fieldName", Kind::Text)]),
            body: None,
            answer: Answer::Schema("SuperOffice.CRM.Services.FieldInfoBase"),
            produces: ENTITY_TYPES,
        },
        Operation {
            method: Get,
            path: "/api/v1/TicketMessage/{id}/ForeignKey",
            id: "v1TicketMessageEntity_GetAllForeignKeysOnEntity",
            summary: "A message's foreign keys",
            params: with_locale(vec![Param::Path("id", Kind::Int32)]),
            body: None,
            answer: Answer::StringMap,
            produces: ENTITY_TYPES,
        },
        Operation {
            method: Patch,
            path: "/api/v1/TicketMessage/{id}",
            id: "v1TicketMessageEntity_PatchTicketMessage",
            summary: "Changes a message with JSON Patch or Merge Patch",
            params: with_locale(vec![Param::Path("id", Kind::Int32)]),
            body: Some(Body::Entity),
            answer: Answer::Schema(MESSAGE),
            produces: ENTITY_TYPES,
        },
    ]
}

/// Every operation, the vendor's first.
pub fn all() -> Vec<Operation> {
    let mut operations = ticket_message();
    operations.extend(super::own_operations::ticketd());
    operations.extend(super::webhook_operations::webhook());
    operations
}
