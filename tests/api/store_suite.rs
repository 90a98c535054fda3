//! The store contract, run against SQLite and PostgreSQL alike.

use std::sync::Arc;

use ticketd::domain::{MessageContent, MessageDraft, MessageHeader, MessageRefs};
use ticketd::store::{NewAssociate, NewPerson, NewTicket, SaveContext, Store, StoreError};

use crate::helpers::{Backend, TestDatabase, on_both_backends};

on_both_backends!(
    a_created_message_reads_back_with_its_relations,
    updates_of_missing_messages_are_not_found,
    unknown_relations_name_the_field_and_write_nothing,
    logins_are_unique_and_found_without_case,
    every_save_records_one_event,
    stale_versions_are_refused_and_deletes_cascade,
);

pub struct Fixture {
    pub store: Arc<dyn Store>,
    _database: TestDatabase,
    pub associate: i32,
    pub person: i32,
    pub ticket: i32,
}

pub async fn fixture(backend: Backend) -> Option<Fixture> {
    let database = TestDatabase::new(backend).await?;
    let store = ticketd::store::connect(&database.url).await.expect("store opens");
    assert!(store.is_empty().await.expect("empty"));
    let associate = store
        .add_associate(&NewAssociate {
            login: "Agent".into(),
            password_hash: "x".into(),
            full_name: "Åse Agent".into(),
            ..Default::default()
        })
        .await
        .expect("associate");
    let person = store
        .add_person(&NewPerson { firstname: "Siv".into(), lastname: "Ødegaard".into(), ..Default::default() })
        .await
        .expect("person");
    let ticket = store
        .add_ticket(&NewTicket {
            title: "Tittel".into(),
            created_by: associate,
            owned_by: associate,
            ..Default::default()
        })
        .await
        .expect("ticket");
    Some(Fixture { store, _database: database, associate, person, ticket })
}

pub fn draft(f: &Fixture, body: &str) -> MessageDraft {
    let headers = vec![MessageHeader { name: "To".into(), value: "a@b.c".into(), ..Default::default() }];
    MessageDraft {
        requested_id: 0,
        refs: MessageRefs { ticket_id: Some(f.ticket), created_by: Some(f.associate), person_id: Some(f.person) },
        content: MessageContent { body: body.into(), headers, ..Default::default() },
        also: Default::default(),
    }
}

pub fn ctx(f: &Fixture, notify: bool) -> SaveContext {
    SaveContext { associate_id: f.associate, notify, ..SaveContext::default() }
}

async fn a_created_message_reads_back_with_its_relations(backend: Backend) {
    let Some(f) = fixture(backend).await else {
        return;
    };
    let id = f.store.create_message(&draft(&f, "første"), ctx(&f, false)).await.expect("created");
    let message = f.store.message(id).await.expect("read").expect("exists");
    assert_eq!(message.content.body, "første");
    assert_eq!(message.content.headers[0].value, "a@b.c");
    assert_eq!(message.ticket.expect("ticket").num_messages, 1);
    assert_eq!(message.created_by.expect("creator").full_name, "Åse Agent");
    assert_eq!(message.person.expect("person").full_name, "Siv Ødegaard");
    assert_eq!(message.version, 1);
    f.store.update_message(id, &draft(&f, "andre"), ctx(&f, false)).await.expect("updated");
    let message = f.store.message(id).await.expect("read").expect("exists");
    assert_eq!((message.content.body.as_str(), message.version), ("andre", 2));
    assert!(f.store.message(id + 1).await.expect("read").is_none());
}

async fn updates_of_missing_messages_are_not_found(backend: Backend) {
    let Some(f) = fixture(backend).await else {
        return;
    };
    let result = f.store.update_message(12345, &draft(&f, "x"), ctx(&f, false)).await;
    assert!(matches!(result, Err(StoreError::NotFound)), "{result:?}");
}

async fn unknown_relations_name_the_field_and_write_nothing(backend: Backend) {
    let Some(f) = fixture(backend).await else {
        return;
    };
    let id = f.store.create_message(&draft(&f, "kept"), ctx(&f, false)).await.expect("created");
    let before = f.store.message(id).await.expect("read");
    type BreakRef = fn(&mut MessageRefs);
    let cases: [(BreakRef, &str); 3] = [
        (|r| r.ticket_id = Some(999), "Ticket.TicketId"),
        (|r| r.created_by = Some(999), "CreatedBy.AssociateId"),
        (|r| r.person_id = Some(999), "Person.PersonId"),
    ];
    for (break_ref, field) in cases {
        let mut bad = draft(&f, "must not be written");
        break_ref(&mut bad.refs);
        match f.store.update_message(id, &bad, ctx(&f, true)).await {
            Err(StoreError::UnknownReference { field: named, id: 999 }) => assert_eq!(named, field),
            other => panic!("expected an unknown {field}, got {other:?}"),
        }
        assert!(matches!(f.store.create_message(&bad, ctx(&f, true)).await, Err(StoreError::UnknownReference { .. })));
    }
    assert_eq!(f.store.message(id).await.expect("read"), before);
    assert_eq!(f.store.save_events(id).await.expect("events").len(), 1);
    assert!(f.store.message(id + 1).await.expect("read").is_none(), "no failed create left a row");
}

async fn logins_are_unique_and_found_without_case(backend: Backend) {
    let Some(f) = fixture(backend).await else {
        return;
    };
    let found = f.store.credentials("AGENT").await.expect("lookup").expect("found");
    assert_eq!((found.associate_id, found.login.as_str(), found.deleted), (f.associate, "Agent", false));
    assert!(f.store.credentials("nobody").await.expect("lookup").is_none());
    let again = NewAssociate { login: "agent".into(), password_hash: "y".into(), ..Default::default() };
    assert!(matches!(f.store.add_associate(&again).await, Err(StoreError::Conflict(_))));
    assert!(!f.store.is_empty().await.expect("count"));
}

async fn every_save_records_one_event(backend: Backend) {
    let Some(f) = fixture(backend).await else {
        return;
    };
    let id = f.store.create_message(&draft(&f, "a"), ctx(&f, true)).await.expect("created");
    f.store.update_message(id, &draft(&f, "b"), ctx(&f, false)).await.expect("updated");
    let events = f.store.save_events(id).await.expect("events");
    let summary: Vec<(&str, bool)> = events.iter().map(|e| (e.event.as_str(), e.notify)).collect();
    assert_eq!(summary, [("ticketmessage.created", true), ("ticketmessage.changed", false)]);
    assert!(events.iter().all(|e| e.associate_id == f.associate && e.message_id == id));
}

async fn stale_versions_are_refused_and_deletes_cascade(backend: Backend) {
    let Some(f) = fixture(backend).await else { return };
    let id = f.store.create_message(&draft(&f, "v1"), ctx(&f, false)).await.expect("created");
    let at = |version| SaveContext { expected_version: Some(version), ..ctx(&f, false) };
    f.store.update_message(id, &draft(&f, "v2"), at(1)).await.expect("version 1 is current");
    let stale = f.store.update_message(id, &draft(&f, "lost"), at(1)).await;
    assert!(matches!(stale, Err(StoreError::Stale)), "{stale:?}");
    let message = f.store.message(id).await.expect("read").expect("exists");
    assert_eq!((message.content.body.as_str(), message.version), ("v2", 2));
    assert_eq!(f.store.save_events(id).await.expect("events").len(), 2, "the refused save recorded nothing");
    assert!(f.store.delete_message(id).await.expect("deleted"));
    assert!(!f.store.delete_message(id).await.expect("already gone"));
    assert!(f.store.message(id).await.expect("read").is_none());
    assert!(f.store.save_events(id).await.expect("events").is_empty());
    assert_eq!(f.store.associate(f.associate).await.expect("read").expect("exists").full_name, "Åse Agent");
}
