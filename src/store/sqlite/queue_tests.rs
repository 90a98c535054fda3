//! Every write of the SQLite store is a job of its writer: held, the writer holds up logins,
//! outbox claims and attachment pieces alike, which then share its next commit; reads go on.

use std::time::Duration;

use tokio::sync::oneshot;
use tokio::task::JoinHandle;

use super::SqliteStore;
use crate::domain::Scope;
use crate::domain::notification::Channel;
use crate::store::attachment::{AttachmentStore as _, NewAttachment};
use crate::store::outbox::NotificationStore as _;
use crate::store::{AssociateChange, NewAssociate, NewSecret, SecretKind, Store as _, StoreError};

async fn store() -> (tempfile::TempDir, SqliteStore) {
    let dir = tempfile::tempdir().expect("temp dir");
    let url = format!("sqlite://{}", dir.path().join("q.db").display());
    (dir, SqliteStore::connect(&url).await.expect("store opens"))
}

fn secret(hash: &str) -> NewSecret {
    NewSecret {
        hash: hash.into(),
        kind: SecretKind::Session,
        associate_id: None,
        name: hash.into(),
        scope: Scope::ReadWrite,
        xsrf_token: String::new(),
        expires_at: None,
    }
}

/// Waits until `count` jobs are queued behind the held writer (writes that bypassed it never
/// are, and the test fails here).
async fn until_queued(store: &SqliteStore, count: usize) {
    for _ in 0..500 {
        if store.writer.queued() >= count {
            return;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    panic!("{} of {count} writes queued behind the writer", store.writer.queued());
}

#[tokio::test]
async fn logins_outbox_claims_and_attachment_pieces_queue_behind_the_writer_and_share_its_commit() {
    let (_dir, store) = store().await;
    let login = NewAssociate { login: "ann".into(), password_hash: "h0".into(), ..NewAssociate::default() };
    store.add_associate(&login).await.expect("associate");
    store.enqueue_outgoing(0, Channel::Send, &["{}".to_owned()]).await.expect_err("no message 0");
    let upload = NewAttachment {
        name: "a.txt".into(),
        content_type: "text/plain".into(),
        inline_image: false,
        content_id: String::new(),
        created_by: 1,
    };
    let upload_id = store.begin_upload(&upload).await.expect("upload begins");
    store.insert_secret(&secret("due")).await.expect("secret");
    let before = store.group_commits().expect("the writer counts");

    let ((release, held), (started, holding)) = (oneshot::channel(), oneshot::channel());
    let holder = {
        let store = store.clone();
        tokio::spawn(async move { store.hold_writer(started, held).await })
    };
    holding.await.expect("the writer runs the holder");
    let writes: Vec<JoinHandle<Result<(), StoreError>>> = vec![
        tokio::spawn({
            let store = store.clone();
            async move { store.insert_secret(&secret("new")).await }
        }),
        tokio::spawn({
            let store = store.clone();
            async move { store.change_associate("ann", &AssociateChange::PasswordHash("h1".into())).await.map(drop) }
        }),
        tokio::spawn({
            let store = store.clone();
            async move { store.claim_deliveries("worker", 10, Duration::from_secs(60)).await.map(drop) }
        }),
        tokio::spawn({
            let store = store.clone();
            async move { store.append_upload(upload_id, 0, b"piece").await }
        }),
    ];
    until_queued(&store, 4).await;
    assert!(writes.iter().all(|write| !write.is_finished()), "no write completes while the writer is held");
    let found = store.find_secret(SecretKind::Session, "due").await.expect("a read does not wait for the writer");
    assert!(found.is_some());

    release.send(()).expect("the holder waits");
    holder.await.expect("holder joins").expect("holder ran");
    for write in writes {
        write.await.expect("joins").expect("the write completes once the writer is released");
    }
    let after = store.group_commits().expect("the writer counts");
    assert_eq!(after.1 - before.1, 5, "the holder and the four writes were all jobs of the writer");
    assert_eq!(after.0 - before.0, 2, "the four writes shared one commit after the holder's");
    assert!(store.find_secret(SecretKind::Session, "new").await.expect("read").is_some());
    assert_eq!(store.credentials("ann").await.expect("read").expect("ann").password_hash, "h1");
    assert_eq!(store.attachment_chunk(upload_id, 0).await.expect("read"), Some((0, b"piece".to_vec())));
}
