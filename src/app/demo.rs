//! Demo data for `serve --demo`: associates (login `tje0`, password `Tje0`, as in the vendor's
//! samples; `gjest`/`Gjest1` may only read), persons, tickets and ten messages with non-ASCII
//! text. Ticket labels are multi-language values and string resources, and tickets have real
//! deadlines, so `Accept-Language` and `SO-TimeZone` show with curl. Ids start at 1.

use crate::auth::password;
use crate::domain::{
    CustomFieldInfo, CustomFieldType, MessageCategory, MessageContent, MessageDraft, MessageHeader,
    MessageHeaderStdItem, MessageRefs, MessageType, Role, SecurityLevel, TicketBaseStatus, UserType,
};
use crate::locale::parse_wire_datetime;
use crate::store::{NewAssociate, NewPerson, NewTicket, SaveContext, Store};

const ASSOCIATES: &[(&str, &str, &str, &str, Role)] = &[
    ("tje0", "Tje0", "Tje Ødegård", "tje0@example.com", Role::Admin),
    ("ragnhild", "Ragnhild1", "Ragnhild Åsen", "ragnhild@example.com", Role::Agent),
    ("jose", "José1", "José Müller-Lüdenscheidt", "jose@example.com", Role::Agent),
    ("gjest", "Gjest1", "Gjest Lesevik", "gjest@example.com", Role::ReadOnly),
];

const PERSONS: &[(&str, &str, &str, &str)] = &[
    ("Bjørn", "Kåre", "Særheim", "bjorn.saerheim@example.no"),
    ("Zoë", "", "Çelik", "zoe.celik@example.com"),
    ("Ólafur", "", "Þórsson", "olafur@example.is"),
];

/// A demo ticket: category and type are multi-language values, priority and status string
/// resources, and the deadline a wall-clock time in the base zone.
struct DemoTicket {
    title: &'static str,
    owner: usize,
    person: usize,
    category: &'static str,
    priority: &'static str,
    status: &'static str,
    kind: &'static str,
    deadline: &'static str,
}

const TICKETS: &[DemoTicket] = &[
    DemoTicket {
        title: "Fakturaen for mars stemmer ikke – kan dere sjekke?",
        owner: 0,
        person: 0,
        category: r#"NO:"Faktura";US:"Invoicing";SE:"Fakturering";GE:"Rechnung""#,
        priority: "[SR_PRIORITY_HIGH]",
        status: "[SR_STATUS_OPEN]",
        kind: r#"NO:"Reklamasjon";US:"Complaint""#,
        deadline: "2024-03-31T02:30:00",
    },
    DemoTicket {
        title: "Login fails with “invalid grant” after password change",
        owner: 1,
        person: 1,
        category: r#"NO:"Innlogging";US:"Sign-in";SE:"Inloggning";GE:"Anmeldung""#,
        priority: "[SR_PRIORITY_MEDIUM]",
        status: "[SR_STATUS_WAITING]",
        kind: r#"NO:"Spørsmål";US:"Question""#,
        deadline: "2024-07-01T12:00:00",
    },
    DemoTicket {
        title: "Bestellung #4711: Lieferung unvollständig",
        owner: 2,
        person: 2,
        category: r#"NO:"Levering";US:"Delivery";SE:"Leverans";GE:"Lieferung""#,
        priority: "[SR_PRIORITY_LOW]",
        status: "[SR_STATUS_OPEN]",
        kind: r#"NO:"Reklamasjon";US:"Complaint""#,
        deadline: "2024-12-24T18:34:45",
    },
];

const MESSAGES: &[(usize, &str, &str)] = &[
    (0, "Hei! Fakturaen for mars viser 12 500 kr, men avtalen sier 10 000 kr. Mvh Bjørn", "2024-03-04T08:15:00"),
    (0, "Takk, Bjørn – vi ser på saken og kommer tilbake i løpet av dagen.", "2024-03-04T09:02:31.5"),
    (1, "Since the reset I get “invalid grant” 🙁 every time I sign in.", "2024-05-17T13:40:00"),
    (2, "Es fehlen drei Artikel aus der Bestellung. Grüße, Ólafur", "2024-06-01T10:00:00"),
    (2, "Die fehlenden Artikel sind unterwegs – Sendungsnummer folgt.", "2024-06-01T11:30:00"),
    (0, "Kreditnota på 2 500 kr er sendt. Si fra om noe fortsatt ikke stemmer!", "2024-03-05T10:00:00"),
    (1, "Could you try clearing the browser's cookies and sign in again?", "2024-05-17T14:05:12"),
    (1, "That worked – thanks! 👍", "2024-05-18T07:45:00"),
    (2, "Sendungsnummer: 00340434161094042557 (DHL).", "2024-06-02T09:10:00"),
    (0, "NO:\"Dette er kundens tekst\";US:\"and stays as written\"", "2024-03-06T16:20:00"),
];

/// Fills an empty store with the demo data set.
pub async fn seed_demo_data(store: &dyn Store) -> Result<(), String> {
    let fail = |err: crate::store::StoreError| err.to_string();
    let mut persons = Vec::new();
    for (first, middle, last, email) in PERSONS {
        let person = NewPerson {
            firstname: (*first).into(),
            middle_name: (*middle).into(),
            lastname: (*last).into(),
            email: (*email).into(),
            contact_name: "Nordlys Handel AS".into(),
            contact_id: 1,
            ..Default::default()
        };
        persons.push(store.add_person(&person).await.map_err(fail)?);
    }
    let mut associates = Vec::new();
    for (login, secret, name, email, role) in ASSOCIATES {
        let associate = NewAssociate {
            login: (*login).into(),
            password_hash: password::hash(secret)?,
            full_name: (*name).into(),
            email: (*email).into(),
            person_id: None,
            user_type: UserType::InternalAssociate,
            role: *role,
            // Ragnhild reads her notifications in Norwegian; the others in English.
            language: if *login == "ragnhild" { "no".into() } else { String::new() },
        };
        associates.push(store.add_associate(&associate).await.map_err(fail)?);
    }
    let mut tickets = Vec::new();
    for DemoTicket { title, owner, person, category, priority, status, kind, deadline } in TICKETS {
        let deadline = parse_wire_datetime(deadline)?;
        let ticket = NewTicket {
            title: (*title).into(),
            created_by: associates[0],
            owned_by: associates[*owner],
            person_id: Some(persons[*person]),
            category_name: (*category).into(),
            priority_name: (*priority).into(),
            slevel: SecurityLevel::External,
            base_status: TicketBaseStatus::Active,
            language: "no".into(),
            deadline: Some(deadline),
            activate: deadline.checked_sub_signed(chrono::Duration::days(2)),
            alert_timeout: deadline.checked_sub_signed(chrono::Duration::hours(4)),
            status_display: (*status).into(),
            type_name: (*kind).into(),
        };
        tickets.push(store.add_ticket(&ticket).await.map_err(fail)?);
    }
    for (ticket, body, created_at) in MESSAGES {
        let draft =
            demo_message(tickets[*ticket], persons[*ticket], associates[0], TICKETS[*ticket].title, body, created_at)?;
        let ctx = SaveContext { associate_id: associates[0], seeding: true, ..SaveContext::default() };
        store.create_message(&draft, ctx).await.map_err(fail)?;
    }
    for field in demo_custom_fields() {
        store.put_custom_field(&field).await.map_err(fail)?;
    }
    store.set_foreign_key(1, "erp.invoice.id", "INV-2024-0311").await.map_err(fail)?;
    // Ragnhild follows the first ticket, so saving one of its messages with notify=true has
    // someone besides the owner to tell.
    store.set_following(ASSOCIATES[1].0, tickets[0], true).await.map_err(fail)?;
    Ok(())
}

fn demo_custom_fields() -> [CustomFieldInfo; 2] {
    [
        CustomFieldInfo {
            field_type: CustomFieldType::ShortText,
            field_name: "x_region".into(),
            display_name: r#"NO:"Region";US:"Region";GE:"Gebiet""#.into(),
            short_label: "Reg.".into(),
            description: r#"NO:"Kundens salgsregion";US:"The customer's sales region""#.into(),
            is_indexed: true,
            rank: 1,
            ..CustomFieldInfo::default()
        },
        CustomFieldInfo {
            field_type: CustomFieldType::ListText,
            field_name: "SuperOffice:1".into(),
            display_name: r#"NO:"Kanal";US:"Channel""#.into(),
            is_mandatory: true,
            rank: 2,
            template_variable_name: Some("{udef1}".into()),
            ..CustomFieldInfo::default()
        },
    ]
}

fn demo_message(
    ticket_id: i32,
    person_id: i32,
    author: i32,
    title: &str,
    body: &str,
    created_at: &str,
) -> Result<MessageDraft, String> {
    let headers = vec![MessageHeader {
        name: "To".into(),
        value: "support@example.com".into(),
        std_item: MessageHeaderStdItem::None,
        ..Default::default()
    }];
    let content = MessageContent {
        created_at: parse_wire_datetime(created_at)?,
        author: "Tje Ødegård".into(),
        slevel: SecurityLevel::External,
        message_type: MessageType::Html,
        body: body.into(),
        html_body: format!("<p>{body}</p>"),
        category: MessageCategory::Message,
        search_title: title.into(),
        headers,
        language: "no".into(),
        ..Default::default()
    };
    let refs = MessageRefs { ticket_id: Some(ticket_id), created_by: Some(author), person_id: Some(person_id) };
    Ok(MessageDraft { requested_id: 0, refs, content, also: Default::default() })
}
