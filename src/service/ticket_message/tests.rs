//! The operations called as any face calls them, without HTTP, on a SQLite store in a temporary
//! directory seeded with the demo data (tickets 1–3 owned by associates 1–3; messages 1, 2 and
//! 6 on ticket 1, 4 and 5 on ticket 3).

use std::collections::BTreeSet;

use serde_json::json;

use super::*;
use crate::domain::{Access, MessageDraft, Role, Scope, TicketAccess};
use crate::error::ErrorKind;
use crate::negotiate::BodyKind;

struct Fixture {
    _dir: tempfile::TempDir,
    messages: TicketMessages,
}

async fn fixture() -> Fixture {
    let dir = tempfile::tempdir().expect("temp dir");
    let url = format!("sqlite://{}", dir.path().join("service.db").display());
    let store = crate::store::connect(&url).await.expect("store opens");
    crate::app::seed_demo_data(store.as_ref()).await.expect("demo data");
    Fixture { _dir: dir, messages: TicketMessages::new(store, NotifyHandle::default(), BaseZone::default()) }
}

fn caller(associate_id: i32, login: &str, role: Role) -> Principal {
    Principal { associate_id, login: login.into(), access: Access { role, scope: Scope::ReadWrite }, app: None }
}

fn admin() -> Principal {
    caller(1, "tje0", Role::Admin)
}

fn body(text: &str) -> Edit {
    Edit::from(MessageDraft {
        content: crate::domain::MessageContent { body: text.into(), ..Default::default() },
        ..Default::default()
    })
}

#[tokio::test]
async fn an_update_saves_bumps_the_version_and_records_the_notify_flag() {
    let f = fixture().await;
    let before = f.messages.get(&admin(), 1).await.expect("message 1");
    let saved =
        f.messages.update(&admin(), 1, &body("updated"), true, &WriteCondition::default()).await.expect("saved");
    assert_eq!(saved.content.body, "updated");
    assert_eq!(saved.version, before.version + 1);
    let events = f.messages.store().save_events(1).await.expect("events");
    let last = events.last().expect("a save event");
    assert!(last.notify && last.associate_id == 1 && last.event == "ticketmessage.changed", "{last:?}");
}

#[tokio::test]
async fn a_condition_on_an_older_version_is_a_412_and_changes_nothing() {
    let f = fixture().await;
    let first = f.messages.get(&admin(), 1).await.expect("message 1");
    f.messages.update(&admin(), 1, &body("first"), false, &WriteCondition::default()).await.expect("saved");
    let stale = WriteCondition::at_version(first.version);
    let err = f.messages.update(&admin(), 1, &body("second"), false, &stale).await.unwrap_err();
    assert_eq!(err.kind, ErrorKind::PreconditionFailed);
    assert_eq!(f.messages.get(&admin(), 1).await.expect("message 1").content.body, "first");
    let none = WriteCondition { version: Some(VersionMatch::OneOf(Vec::new())), unmodified_since: None };
    assert_eq!(f.messages.delete(&admin(), 1, &none).await.unwrap_err().kind, ErrorKind::PreconditionFailed);
    let any = WriteCondition { version: Some(VersionMatch::Any), unmodified_since: None };
    f.messages.delete(&admin(), 1, &any).await.expect("deleted");
    assert_eq!(f.messages.get(&admin(), 1).await.unwrap_err().kind, ErrorKind::NotFound);
}

#[tokio::test]
async fn a_merge_patch_changes_only_what_it_names() {
    let f = fixture().await;
    let before = f.messages.get(&admin(), 2).await.expect("message 2");
    let patch = Edit::Wire { kind: BodyKind::MergePatch, value: json!({"Body": "patched"}) };
    let saved = f.messages.patch(&admin(), 2, &patch, &WriteCondition::default()).await.expect("patched");
    assert_eq!(saved.content.body, "patched");
    assert_eq!(saved.ticket.map(|t| t.ticket_id), before.ticket.map(|t| t.ticket_id));
    assert_eq!(saved.content.author, before.content.author);
    let events = f.messages.store().save_events(2).await.expect("events");
    assert!(!events.last().expect("a save event").notify, "a patch notifies no one");
}

#[tokio::test]
async fn a_caller_out_of_reach_gets_403_and_nothing_is_written() {
    let f = fixture().await;
    let only_owned = TicketAccess::Categories(BTreeSet::new());
    assert!(f.messages.store().set_ticket_access("jose", &only_owned).await.expect("access set"));
    let jose = caller(3, "jose", Role::Agent);
    assert_eq!(f.messages.get(&jose, 1).await.unwrap_err().kind, ErrorKind::Forbidden);
    let err = f.messages.update(&jose, 1, &body("not mine"), false, &WriteCondition::default()).await.unwrap_err();
    assert_eq!(err.kind, ErrorKind::Forbidden);
    // Moving a message of one's own ticket into someone else's is refused too.
    let mut draft = MessageDraft::default();
    draft.refs.ticket_id = Some(1);
    let err = f.messages.update(&jose, 4, &Edit::from(draft), false, &WriteCondition::default()).await.unwrap_err();
    assert_eq!(err.kind, ErrorKind::Forbidden);
    assert_eq!(f.messages.get(&admin(), 4).await.expect("message 4").ticket.map(|t| t.ticket_id), Some(3));
    let page = f.messages.list(&jose, &crate::negotiate::odata::parse_list_request("").expect("query").query).await;
    let ids: Vec<i32> = page.expect("list").rows.iter().map(|row| row.id).collect();
    assert!(ids.contains(&4) && !ids.contains(&1), "{ids:?}");
    for id in ids {
        let ticket = f.messages.get(&admin(), id).await.expect("listed message").ticket.map(|t| t.ticket_id);
        assert_eq!(ticket, Some(3), "message {id} is on jose's own ticket");
    }
}

#[tokio::test]
async fn a_read_only_caller_may_read_but_not_write() {
    let f = fixture().await;
    let reader = caller(4, "gjest", Role::ReadOnly);
    f.messages.get(&reader, 1).await.expect("reads");
    let err = f.messages.update(&reader, 1, &body("no"), false, &WriteCondition::default()).await.unwrap_err();
    assert_eq!(err.kind, ErrorKind::Forbidden);
    assert_eq!(f.messages.delete(&reader, 1, &WriteCondition::default()).await.unwrap_err().kind, ErrorKind::Forbidden);
}

#[tokio::test]
async fn a_retried_create_with_the_same_key_replays_the_first() {
    let f = fixture().await;
    let mut draft = MessageDraft::default();
    draft.refs.ticket_id = Some(2);
    draft.content.body = "once".into();
    let first = f.messages.create(&admin(), &draft, false, Some("key-1")).await.expect("created");
    let again = f.messages.create(&admin(), &draft, false, Some("key-1")).await.expect("replayed");
    assert!(!first.replayed && again.replayed);
    assert_eq!(first.message.id, again.message.id);
    draft.refs.ticket_id = None;
    let err = f.messages.create(&admin(), &draft, false, None).await.unwrap_err();
    assert!(err.message.contains("Ticket.TicketId"), "{}", err.message);
}

#[tokio::test]
async fn send_checks_every_recipient_before_queueing_one_mail() {
    let f = fixture().await;
    let bad = MailRequest { to: vec!["ok@example.com".into(), "not an address".into()], ..Default::default() };
    assert_eq!(f.messages.send(&admin(), 1, &bad).await.unwrap_err().kind, ErrorKind::InvalidArgument);
    assert!(f.messages.store().outbox(None, 10).await.expect("outbox").is_empty(), "nothing queued");
    let mail = MailRequest { to: vec!["ok@example.com".into()], ..Default::default() };
    f.messages.send(&admin(), 1, &mail).await.expect("queued");
    let rows = f.messages.store().outbox(None, 10).await.expect("outbox");
    assert_eq!(rows.len(), 1);
    assert!(rows[0].payload.contains("[Ticket #1]"), "the ticket's subject: {}", rows[0].payload);
}

#[tokio::test]
async fn a_wire_body_is_decoded_only_after_the_checks() {
    let f = fixture().await;
    let only_owned = TicketAccess::Categories(BTreeSet::new());
    assert!(f.messages.store().set_ticket_access("jose", &only_owned).await.expect("access set"));
    let jose = caller(3, "jose", Role::Agent);
    let bad = Edit::Wire { kind: BodyKind::Entity, value: json!({"Person": "not a person"}) };
    let out_of_reach = f.messages.update(&jose, 1, &bad, false, &WriteCondition::default()).await.unwrap_err();
    assert_eq!(out_of_reach.kind, ErrorKind::Forbidden, "the reach is told before the body");
    let missing = f.messages.update(&admin(), 999, &bad, false, &WriteCondition::default()).await.unwrap_err();
    assert_eq!(missing.kind, ErrorKind::NotFound, "an update never creates");
    let invalid = f.messages.update(&jose, 4, &bad, false, &WriteCondition::default()).await.unwrap_err();
    assert_eq!(invalid.kind, ErrorKind::InvalidArgument, "{}", invalid.message);
}

#[tokio::test]
async fn send_sms_queues_one_text_per_distinct_number() {
    let f = fixture().await;
    let numbers = ["+47 111 11 111".to_owned(), "0047-11111111".to_owned(), "+4722222222".to_owned()];
    let bad = [numbers[0].clone(), "12".to_owned()];
    assert_eq!(f.messages.send_sms(&admin(), 1, &bad).await.unwrap_err().kind, ErrorKind::InvalidArgument);
    assert!(f.messages.store().outbox(None, 10).await.expect("outbox").is_empty(), "nothing queued");
    f.messages.send_sms(&admin(), 1, &numbers).await.expect("queued");
    assert_eq!(f.messages.store().outbox(None, 10).await.expect("outbox").len(), 2);
    let reader = caller(4, "gjest", Role::ReadOnly);
    assert_eq!(f.messages.send_sms(&reader, 1, &numbers).await.unwrap_err().kind, ErrorKind::Forbidden);
}
