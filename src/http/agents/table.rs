//! The TicketAgent method table: every method's name, parameter shape, parameters and result.
//! The router routes calls from it, `GET` on a method path describes the call from it, and the
//! OpenAPI document lists it, so the three cannot disagree.

use super::method::param;
pub use super::method::{Method, Op, Param, Returns, Shape, Type};
/// The most ids a list parameter (`MessageIds`, `HeaderIds`, `AttachmentIds`) or addresses a
/// recipient list may hold; more is a 400.
pub const MAX_LIST_ITEMS: usize = 1000;

const EMBED: &[&str] = &["None", "Link", "Inline"];

use Type::{Bool, Choice, Entity, Int32, Int32List, Text, TextList};

macro_rules! method {
    ($name:literal, $summary:literal, $shape:expr, [$($param:expr),* $(,)?], $returns:expr, $request:expr, $op:expr) => {
        Method {
            name: $name,
            path: concat!("/api/v1/Agents/Ticket/", $name),
            summary: $summary,
            shape: $shape,
            params: &[$($param),*],
            returns: $returns,
            request_type: $request,
            op: $op,
        }
    };
}

/// Every TicketAgent method about a message, in the vendor contract's order of concern.
pub static TICKET_AGENT: &[Method] = &[
    method!(
        "CreateDefaultTicketMessageEntity",
        "A new, unsaved message with the server's defaults",
        Shape::None,
        [],
        Returns::Entity,
        None,
        Some(Op::CreateDefault)
    ),
    method!(
        "GetTicketMessageEntity",
        "A message, or null when there is none",
        Shape::Query,
        [param("ticketMessageEntityId", Int32, true)],
        Returns::Entity,
        None,
        Some(Op::GetEntity)
    ),
    method!(
        "GetTicketMessageWithOptions",
        "A message; its AttachmentsInfo lists only inline images unless IncludeNonInlineAttachmentsInfo is true",
        Shape::Request,
        [param("TicketMessageEntityId", Int32, true), param("IncludeNonInlineAttachmentsInfo", Bool, false)],
        Returns::Entity,
        Some("GetTicketMessageWithOptionsRequest"),
        Some(Op::GetWithOptions)
    ),
    method!(
        "GetTicketMessageWithEmbeddedData",
        "A message with its cid: image references rewritten as EmbedImages asks",
        Shape::Request,
        [param("Id", Int32, true), param("EmbedImages", Choice(EMBED), false)],
        Returns::Entity,
        Some("GetTicketMessageWithEmbeddedDataRequest"),
        Some(Op::GetWithEmbeddedData)
    ),
    method!(
        "GetTicketMessageEntities",
        "The listed messages of a ticket (all of them when MessageIds is empty), in id order; ids of other tickets and missing ids are left out",
        Shape::Request,
        [param("TicketId", Int32, true), param("MessageIds", Int32List, false)],
        Returns::EntityList,
        Some("GetTicketMessageEntitiesRequest"),
        Some(Op::GetEntities)
    ),
    method!(
        "GetTicketMessage",
        "The flat TicketMessage summary of a message, or null",
        Shape::Query,
        [param("ticketMessageId", Int32, true)],
        Returns::Summary,
        None,
        Some(Op::GetSummary)
    ),
    method!(
        "SaveTicketMessageEntity",
        "Creates the message (EjMessageId 0 or absent) or replaces the stored one",
        Shape::Entity,
        [param("ticketMessageEntity", Entity, true)],
        Returns::Entity,
        None,
        Some(Op::Save)
    ),
    method!(
        "SaveTicketMessageEntityWithNotify",
        "Saves as SaveTicketMessageEntity, notifying the ticket's people when Notify is true",
        Shape::Request,
        [param("NewEntity", Entity, true), param("Notify", Bool, false)],
        Returns::Entity,
        Some("SaveTicketMessageEntityWithNotifyRequest"),
        Some(Op::SaveWithNotify)
    ),
    method!(
        "SaveTicketMessageEntityWithOptions",
        "Saves the message and connects the uploaded AttachmentIds to it, in one transaction; UpdateRepliedAt stamps the ticket's replied-at time",
        Shape::Request,
        [
            param("Entity", Entity, true),
            param("Notify", Bool, false),
            param("AttachmentIds", Int32List, false),
            param("UpdateRepliedAt", Bool, false)
        ],
        Returns::Entity,
        Some("SaveTicketMessageEntityWithOptionsRequest"),
        Some(Op::SaveWithOptions)
    ),
    method!(
        "DeleteTicketMessageEntity",
        "Deletes a message",
        Shape::Request,
        [param("TicketMessageEntityId", Int32, true)],
        Returns::Nothing,
        Some("DeleteTicketMessageEntityRequest"),
        Some(Op::Delete)
    ),
    method!(
        "SetTicketMessageImportant",
        "Sets or clears a message's Important flag",
        Shape::Request,
        [param("TicketMessageId", Int32, true), param("Important", Bool, true)],
        Returns::Nothing,
        Some("SetTicketMessageImportantRequest"),
        Some(Op::SetImportant)
    ),
    method!(
        "DeleteMessageHeaders",
        "Removes these header rows from their messages",
        Shape::Request,
        [param("HeaderIds", Int32List, true)],
        Returns::Nothing,
        Some("DeleteMessageHeadersRequest"),
        Some(Op::DeleteHeaders)
    ),
    method!(
        "RemoveMessageAttachments",
        "Disconnects these attachments from the message",
        Shape::Request,
        [param("TicketMessageEntityId", Int32, true), param("AttachmentIds", Int32List, true)],
        Returns::Nothing,
        Some("RemoveMessageAttachmentsRequest"),
        Some(Op::RemoveAttachments)
    ),
    method!(
        "SendTicketMessage",
        "E-mails the message to the recipients",
        Shape::Request,
        [
            param("TicketMessageEntityId", Int32, true),
            param("To", TextList, false),
            param("Cc", TextList, false),
            param("Bcc", TextList, false),
            param("Subject", Text, false),
            param("ReplyTemplateId", Int32, false),
            param("GdprSource", Text, false)
        ],
        Returns::Nothing,
        Some("SendTicketMessageRequest"),
        Some(Op::Send)
    ),
    method!(
        "SendTicketMessageSms",
        "Texts the message to the mobile numbers",
        Shape::Request,
        [
            param("TicketMessageEntityId", Int32, true),
            param("ReplyTemplateId", Int32, false),
            param("Sms", TextList, true)
        ],
        Returns::Nothing,
        Some("SendTicketMessageSmsRequest"),
        Some(Op::SendSms)
    ),
    method!(
        "NotifyNewTicketMessage",
        "Notifies the ticket's people of its newest message, as a save with notify does",
        Shape::Request,
        [param("TicketEntityId", Int32, true)],
        Returns::Nothing,
        Some("NotifyNewTicketMessageRequest"),
        Some(Op::NotifyNew)
    ),
    method!(
        "SplitTicketMessage",
        "Not offered by ticketd (it needs tickets as a resource): answers 501",
        Shape::Request,
        [],
        Returns::Nothing,
        Some("SplitTicketMessageRequest"),
        None
    ),
    method!(
        "GetDefaultMessageContent",
        "Not offered by ticketd (it needs reply templates): answers 501",
        Shape::Request,
        [],
        Returns::Nothing,
        Some("GetDefaultMessageContentRequest"),
        None
    ),
    method!(
        "GetDefaultMessageContentFull",
        "Not offered by ticketd (it needs reply templates): answers 501",
        Shape::Request,
        [],
        Returns::Nothing,
        Some("GetDefaultMessageContentFullRequest"),
        None
    ),
    method!(
        "GetDefaultMessageContentWithOptions",
        "Not offered by ticketd (it needs reply templates): answers 501",
        Shape::Request,
        [],
        Returns::Nothing,
        Some("GetDefaultMessageContentWithOptionsRequest"),
        None
    ),
    method!(
        "CalculateMessageRecipients",
        "Not offered by ticketd (it needs persons as a resource): answers 501",
        Shape::Request,
        [],
        Returns::Nothing,
        Some("CalculateMessageRecipientsRequest"),
        None
    ),
];

/// The method a path segment names, matched without regard to case.
pub fn find(name: &str) -> Option<&'static Method> {
    all().find(|m| m.name.eq_ignore_ascii_case(name))
}

/// The methods of every agent: the TicketAgent's, then the WebhookAgent's.
pub fn all() -> impl Iterator<Item = &'static Method> {
    TICKET_AGENT.iter().chain(super::webhook_table::WEBHOOK_AGENT)
}

/// The canonical spelling of a path segment that names an Agents literal or method (the
/// request path is canonicalised with it before routing, see `http::path`).
pub fn literal(segment: &str) -> Option<&'static str> {
    ["Agents", "Ticket", "Webhook"]
        .into_iter()
        .find(|l| l.eq_ignore_ascii_case(segment))
        .or_else(|| find(segment).map(|m| m.name))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_unique_and_paths_end_in_them() {
        for (i, method) in TICKET_AGENT.iter().enumerate() {
            assert!(method.path.ends_with(method.name));
            assert!(TICKET_AGENT[..i].iter().all(|m| !m.name.eq_ignore_ascii_case(method.name)), "{}", method.name);
        }
        assert_eq!(TICKET_AGENT.iter().filter(|m| m.op.is_some()).count(), 16);
        assert_eq!(TICKET_AGENT.iter().filter(|m| m.op.is_none()).count(), 5);
        assert!(find("getticketmessageentity").is_some());
        assert!(find("GetTicketMessageEntityX").is_none());
    }
}
