use serde_json::json;

use super::decode_message;
use crate::domain::{MessageCategory, MessageHeaderStdItem, MessageType, SecurityLevel};
use crate::error::ErrorKind;

#[test]
fn camel_case_names_and_coercions_are_accepted() {
    let draft = decode_message(&json!({
        "ejMessageId": "7", "body": "hei", "TIMESPENT": "15", "important": "TRUE",
        "slevel": "external", "type": 2, "messageCategory": "1",
        "ticket": {"ticketId": 3}, "createdBy": null, "person": {"PersonId": "4"},
        "extraFields": [], "customFields": {"x_n": 5, "x_b": true},
        "TableRight": {"Mask": "FULL"}, "Unknown": 1
    }))
    .unwrap();
    assert_eq!(draft.requested_id, 7);
    assert_eq!(draft.content.body, "hei");
    assert_eq!(draft.content.time_spent, 15);
    assert!(draft.content.important);
    assert_eq!(draft.content.slevel, SecurityLevel::External);
    assert_eq!(draft.content.message_type, MessageType::Html);
    assert_eq!(draft.content.category, MessageCategory::Bounce);
    assert_eq!(draft.refs.ticket_id, Some(3));
    assert_eq!(draft.refs.created_by, None);
    assert_eq!(draft.refs.person_id, Some(4));
    assert!(draft.content.extra_fields.is_empty());
    assert_eq!(draft.content.custom_fields["x_n"], "5");
    assert_eq!(draft.content.custom_fields["x_b"], "true");
}

#[test]
fn nested_lists_are_read_with_their_enums() {
    let draft = decode_message(&json!({
        "MessageHeaders": [{"id": 1, "name": "To", "value": "a@b.c", "stdItem": "customerreadfaq"}],
        "AttachmentsInfo": [{"AttachmentId": 9, "Name": "x.pdf", "AttSize": 10, "InlineImage": 1}]
    }))
    .unwrap();
    assert_eq!(draft.content.headers[0].std_item, MessageHeaderStdItem::CustomerReadFAQ);
    assert_eq!(draft.content.headers[0].value, "a@b.c");
    assert!(draft.content.attachments[0].inline_image);
}

#[test]
fn errors_name_the_field_at_fault() {
    let cases = [
        (json!({"TimeSpent": "abc"}), "'TimeSpent'"),
        (json!({"TimeSpent": 3_000_000_000_i64}), "'TimeSpent'"),
        (json!({"Sentiment": 1.5}), "'Sentiment'"),
        (json!({"Slevel": "Secret"}), "'Slevel'"),
        (json!({"Important": "maybe"}), "'Important'"),
        (json!({"Body": {"x": 1}}), "'Body'"),
        (json!({"CreatedAt": "yesterday"}), "'CreatedAt'"),
        (json!({"Ticket": 5}), "'Ticket'"),
        (json!({"Ticket": {"TicketId": "x"}}), "'Ticket.TicketId'"),
        (json!({"MessageHeaders": [{"StdItemCol": "Nope"}]}), "'MessageHeaders[0].StdItemCol'"),
        (json!({"CustomFields": [1]}), "'CustomFields'"),
        (json!({"CustomFields": {"x": [1]}}), "'CustomFields.x'"),
    ];
    for (body, field) in cases {
        let err = decode_message(&body).unwrap_err();
        assert_eq!(err.kind, ErrorKind::InvalidArgument, "{body}");
        assert!(err.message.contains(field), "{} lacks {field}", err.message);
    }
}

#[test]
fn null_and_non_objects_are_refused() {
    assert_eq!(decode_message(&json!(null)).unwrap_err().kind, ErrorKind::MissingEntity);
    assert_eq!(decode_message(&json!([1])).unwrap_err().kind, ErrorKind::InvalidArgument);
}

#[test]
fn nulls_read_as_defaults() {
    let draft = decode_message(&json!({
        "Body": null, "TimeSpent": null, "Important": null, "Slevel": null,
        "MessageHeaders": null, "CustomFields": null, "CreatedAt": null
    }))
    .unwrap();
    assert_eq!(draft, crate::domain::MessageDraft::default());
}
