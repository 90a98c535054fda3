//! Demo data for `serve --demo`: associates (login `tje0`, password `Tje0`, as in the vendor's
//! samples; `gjest`/`Gjest1` may only read), persons, tickets and messages with non-ASCII text.
//! Ids start at 1.

use crate::auth::password;
use crate::domain::{
    MessageCategory, MessageContent, MessageDraft, MessageHeader, MessageHeaderStdItem, MessageRefs, MessageType, Role,
    SecurityLevel, TicketBaseStatus, UserType,
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

const TICKETS: &[(&str, usize, usize)] = &[
    ("Fakturaen for mars stemmer ikke – kan dere sjekke?", 0, 0),
    ("Login fails with “invalid grant” after password change", 1, 1),
    ("Bestellung #4711: Lieferung unvollständig", 2, 2),
];

const MESSAGES: &[(usize, &str, &str)] = &[
    (0, "Hei! Fakturaen for mars viser 12 500 kr, men avtalen sier 10 000 kr. Mvh Bjørn", "2024-03-04T08:15:00"),
    (0, "Takk, Bjørn – vi ser på saken og kommer tilbake i løpet av dagen.", "2024-03-04T09:02:31.5"),
    (1, "Since the reset I get “invalid grant” 🙁 every time I sign in.", "2024-05-17T13:40:00"),
    (2, "Es fehlen drei Artikel aus der Bestellung. Grüße, Ólafur", "2024-06-01T10:00:00"),
    (2, "Die fehlenden Artikel sind unterwegs – Sendungsnummer folgt.", "2024-06-01T11:30:00"),
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
        };
        associates.push(store.add_associate(&associate).await.map_err(fail)?);
    }
    let mut tickets = Vec::new();
    for (title, owner, person) in TICKETS {
        let ticket = NewTicket {
            title: (*title).into(),
            created_by: associates[0],
            owned_by: associates[*owner],
            person_id: Some(persons[*person]),
            category_name: "Support".into(),
            priority_name: "Medium".into(),
            slevel: SecurityLevel::External,
            base_status: TicketBaseStatus::Active,
            language: "no".into(),
        };
        tickets.push(store.add_ticket(&ticket).await.map_err(fail)?);
    }
    for (ticket, body, created_at) in MESSAGES {
        let draft =
            demo_message(tickets[*ticket], persons[*ticket], associates[0], TICKETS[*ticket].0, body, created_at)?;
        let ctx = SaveContext { associate_id: associates[0], notify: false };
        store.create_message(&draft, ctx).await.map_err(fail)?;
    }
    Ok(())
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
    Ok(MessageDraft { requested_id: 0, refs, content })
}
