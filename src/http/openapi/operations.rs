//! The operations of the OpenAPI document, as data: path, parameters, bodies and media types.
//! The vendor's TicketMessage operations are here, with its operation ids, parameter names and
//! media-type lists; ticketd's own are in `own_operations.rs`.

use utoipa::openapi::HttpMethod;

use super::model::{ATTACHMENT, op};
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
        op(
            Get,
            "/api/v1/TicketMessage/default",
            "v1TicketMessageEntity_DefaultTicketMessageEntity",
            "An unsaved message with default values",
            with_locale(vec![]),
            None,
            Answer::Schema(MESSAGE),
            ENTITY_TYPES,
        ),
        op(
            Get,
            "/api/v1/TicketMessage",
            "v1TicketMessageEntity_GetAll",
            "OData list of messages",
            with_locale(odata),
            None,
            Answer::Schema("SuperOffice.Services.WebApi.OData.ODataSlimResponse"),
            ENTITY_TYPES,
        ),
        op(
            Post,
            "/api/v1/TicketMessage",
            "v1TicketMessageEntity_HttpPostSaveTicketMessageEntityWithNotify",
            "Creates a message (or updates the one its EjMessageId names)",
            with_locale(vec![Param::Query("notify", Kind::Bool, false)]),
            Some(Body::Entity),
            Answer::Schema(MESSAGE),
            ENTITY_TYPES,
        ),
        op(
            Get,
            "/api/v1/TicketMessage/{id}",
            "v1TicketMessageEntity_HttpGetGetTicketMessageWithEmbeddedData",
            "A message",
            with_locale(vec![Param::Path("id", Kind::Int32), Param::Query("embedImages", Kind::Text, false)]),
            None,
            Answer::Schema(MESSAGE),
            ENTITY_TYPES,
        ),
        op(
            Put,
            "/api/v1/TicketMessage/{id}",
            "v1TicketMessageEntity_HttpPutSaveTicketMessageEntityWithNotify",
            "Saves a message, notifying the ticket's people when asked",
            with_locale(vec![Param::Path("id", Kind::Int32), Param::Query("notify", Kind::Bool, false)]),
            Some(Body::Entity),
            Answer::Schema(MESSAGE),
            ENTITY_TYPES,
        ),
        op(
            Delete,
            "/api/v1/TicketMessage/{id}",
            "v1TicketMessageEntity_DeleteTicketMessageEntity",
            "Deletes a message",
            vec![Param::Path("id", Kind::Int32), Param::Header("SO-AppToken")],
            None,
            Answer::NoContent,
            &[],
        ),
        op(
            Get,
            "/api/v1/TicketMessage/{ticketMessageEntityId}/Attachment",
            "v1TicketMessageEntity_GetAttachmentInfo",
            "A message's attachments",
            with_locale(vec![ENTITY_ID]),
            None,
            Answer::ArrayOf(ATTACHMENT),
            ENTITY_TYPES,
        ),
        op(
            Post,
            "/api/v1/TicketMessage/{ticketMessageEntityId}/Attachment",
            "v1TicketMessageEntity_AddAttachments",
            "Connects uploaded attachments to a message",
            vec![ENTITY_ID, Param::Header("SO-AppToken")],
            Some(Body::IdList),
            Answer::NoContent,
            &[],
        ),
        op(
            Get,
            "/api/v1/TicketMessage/{ticketMessageEntityId}/Attachment/Noninline",
            "v1TicketMessageEntity_GetAttachmentInfoNonInline",
            "A message's attachments without inline images",
            with_locale(vec![ENTITY_ID]),
            None,
            Answer::ArrayOf(ATTACHMENT),
            ENTITY_TYPES,
        ),
        op(
            Get,
            "/api/v1/TicketMessage/RfcAttachment/{attachmentId}/{position}",
            "v1TicketMessageEntity_GetRfcAttachmentStream",
            "One part of an attached e-mail",
            with_locale(vec![Param::Path("attachmentId", Kind::Int32), Param::Path("position", Kind::Int32)]),
            None,
            Answer::Bytes,
            RFC_PART_TYPES,
        ),
        op(
            Post,
            "/api/v1/TicketMessage/{ticketMessageEntityId}/Send",
            "v1TicketMessageEntity_SendTicketMessage",
            "E-mails the message to customers",
            vec![
                ENTITY_ID,
                Param::Query("to", Kind::TextList, true),
                Param::Query("cc", Kind::TextList, true),
                Param::Query("bcc", Kind::TextList, true),
                Param::Query("subject", Kind::Text, false),
                Param::Query("replyTemplateId", Kind::Int32, false),
                Param::Query("gdprSource", Kind::Text, false),
                Param::Header("SO-AppToken"),
            ],
            None,
            Answer::NoContent,
            &[],
        ),
        op(
            Post,
            "/api/v1/TicketMessage/{ticketMessageEntityId}/SendSms",
            "v1TicketMessageEntity_SendTicketMessageSms",
            "Texts the message to mobile numbers",
            vec![
                ENTITY_ID,
                Param::Query("sms", Kind::TextList, true),
                Param::Query("replyTemplateId", Kind::Int32, false),
                Param::Header("SO-AppToken"),
            ],
            None,
            Answer::NoContent,
            &[],
        ),
        op(
            Get,
            "/api/v1/TicketMessage/CustomField",
            "v1TicketMessageEntity_GetCustomFieldInfoList",
            "The custom fields of messages",
            with_locale(vec![]),
            None,
            Answer::ArrayOf("SuperOffice.CRM.Services.FieldInfoBase"),
            ENTITY_TYPES,
        ),
        op(
            Get,
            "/api/v1/TicketMessage/CustomField/{fieldName}",
            "v1TicketMessageEntity_GetCustomFieldInfo",
            "One custom field",
            with_locale(vec![Param::Path("fieldName", Kind::Text)]),
            None,
            Answer::Schema("SuperOffice.CRM.Services.FieldInfoBase"),
            ENTITY_TYPES,
        ),
        op(
            Get,
            "/api/v1/TicketMessage/{id}/ForeignKey",
            "v1TicketMessageEntity_GetAllForeignKeysOnEntity",
            "A message's foreign keys",
            with_locale(vec![Param::Path("id", Kind::Int32)]),
            None,
            Answer::StringMap,
            ENTITY_TYPES,
        ),
        op(
            Patch,
            "/api/v1/TicketMessage/{id}",
            "v1TicketMessageEntity_PatchTicketMessage",
            "Changes a message with JSON Patch or Merge Patch",
            with_locale(vec![Param::Path("id", Kind::Int32)]),
            Some(Body::Entity),
            Answer::Schema(MESSAGE),
            ENTITY_TYPES,
        ),
    ]
}

/// Every operation, the vendor's first.
pub fn all() -> Vec<Operation> {
    let mut operations = ticket_message();
    operations.extend(super::own_operations::ticketd());
    operations.extend(super::webhook_operations::webhook());
    operations
}
