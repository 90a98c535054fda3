//! A fully populated message with every property set and non-ASCII text: the fixture for golden
//! files, codec round-trips, fuzz seeds and benchmarks.

use chrono::NaiveDate;

use super::{
    Associate, AttachmentInfo, BadgeType, FieldMap, MessageCategory, MessageContent, MessageHeader,
    MessageHeaderStdItem, MessageHeaderStdItemCol, MessageType, Person, SecurityLevel, Ticket, TicketBaseStatus,
    TicketMessage, Timestamp, UserType,
};

fn at(y: i32, mo: u32, d: u32, h: u32, mi: u32, s: u32, nanos: u32) -> Timestamp {
    NaiveDate::from_ymd_opt(y, mo, d).and_then(|date| date.and_hms_nano_opt(h, mi, s, nanos)).unwrap_or(super::NO_DATE)
}

/// The sample message.
pub fn sample_message() -> TicketMessage {
    let fields = |pairs: &[(&str, &str)]| -> FieldMap {
        pairs.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect()
    };
    TicketMessage {
        id: 7,
        ticket: Some(Ticket {
            ticket_id: 3,
            title: "Fakturaen stemmer ikke – «mars»".into(),
            created_at: at(2024, 3, 4, 8, 0, 0, 0),
            last_changed: at(2024, 3, 5, 9, 30, 15, 250_000_000),
            created_by: 1,
            created_by_name: "Tje Ødegård".into(),
            owned_by: 2,
            owned_by_name: "Ragnhild Åsen".into(),
            owned_by_associate_id: 2,
            category_name: "Support".into(),
            category_fullname: "Support".into(),
            slevel: SecurityLevel::External,
            priority_name: "Høy".into(),
            base_status: TicketBaseStatus::Active,
            cust_id: 4,
            person_firstname: "Bjørn".into(),
            person_lastname: "Særheim".into(),
            person_fullname: "Bjørn Særheim".into(),
            num_messages: 2,
            language: "no".into(),
            ..Ticket::default()
        }),
        created_by: Some(Associate {
            associate_id: 1,
            name: "tje0".into(),
            full_name: "Tje Ødegård".into(),
            formal_name: "Tje Ødegård".into(),
            tooltip: "Tje Ødegård".into(),
            user_type: UserType::InternalAssociate,
            ej_user_id: 1,
            ..Associate::default()
        }),
        person: Some(Person {
            person_id: 4,
            firstname: "Bjørn".into(),
            lastname: "Særheim".into(),
            full_name: "Bjørn Særheim".into(),
            email: "bjorn@example.no".into(),
            contact_name: "Nordlys Handel AS".into(),
            ..Person::default()
        }),
        content: MessageContent {
            created_at: at(2024, 3, 4, 8, 15, 0, 123_456_700),
            author: "Bjørn Særheim <bjorn@example.no>".into(),
            slevel: SecurityLevel::External,
            message_type: MessageType::Html,
            message_id: "<a1b2@mail.example.no>".into(),
            time_spent: 15,
            body: "Hei!\nFakturaen viser 12 500 kr & avtalen sier 10 000 kr. 🙂 \"Sitat\" <b>ikke HTML</b>".into(),
            html_body: "<p>Hei!</p><p>Fakturaen viser <b>12&nbsp;500 kr</b></p>".into(),
            email_header: "From: bjorn@example.no\r\nTo: support@example.com".into(),
            debug_info: "imported by mail sorter ‹1›".into(),
            mail_sorter: "Innboks".into(),
            category: MessageCategory::Message,
            search_title: "Fakturaen stemmer ikke – «mars»".into(),
            headers: vec![
                MessageHeader { id: 11, name: "To".into(), value: "support@example.com".into(), ..Default::default() },
                MessageHeader {
                    id: 12,
                    name: "X-Kundenummer".into(),
                    value: "NO:\"x\";US:\"y\"".into(),
                    std_item: MessageHeaderStdItem::CustomerReadFAQ,
                    std_item_col: MessageHeaderStdItemCol::Value,
                },
            ],
            important: true,
            language: "nb".into(),
            sentiment: -40,
            sentiment_confidence: 85,
            badge: BadgeType::Incoming,
            attachments: vec![AttachmentInfo {
                id: 21,
                name: "faktura-mars.pdf".into(),
                content_type: "application/pdf".into(),
                size: 48_213,
                inline_image: false,
                content_id: "".into(),
                auth_key: "k-21".into(),
            }],
            extra_fields: fields(&[("x_kilde", "e-post")]),
            custom_fields: fields(&[("SuperOffice:1", "[I:8]"), ("x_region", "Vest-Agder")]),
        },
        version: 3,
        updated_at: at(2024, 3, 5, 9, 30, 15, 0),
    }
}
