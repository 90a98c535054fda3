//! The store's other traits (attachments, ticket reach, message parts, retention, webhooks) on
//! SQLite: each operation of `store::ops` run on a reader connection in place (reads) or as a
//! job of the group-commit writer (writes).

use async_trait::async_trait;

use super::SqliteStore;
use crate::domain::webhook::{Webhook, WebhookEvent};
use crate::domain::{AttachmentInfo, TicketAccess, TicketScope, Timestamp};
use crate::store::StoreError;
use crate::store::attachment::{AttachmentContent, AttachmentOwner, AttachmentStore, NewAttachment};
use crate::store::db::in_place;
use crate::store::message_parts::MessagePartsStore;
use crate::store::ops;
use crate::store::retention::{RetentionKind, RetentionStore};
use crate::store::sql::attachment::{SELECT_ATTACHMENT, SELECT_WITH_CONTENT};
use crate::store::ticket_reach::TicketReachStore;
use crate::store::webhook::{WebhookCall, WebhookStore};

#[async_trait]
impl AttachmentStore for SqliteStore {
    async fn begin_upload(&self, upload: &NewAttachment) -> Result<i32, StoreError> {
        let upload = upload.clone();
        self.write(move |db| in_place(ops::attachment::begin_upload(db, &upload))).await
    }

    async fn append_upload(&self, id: i32, seq: i32, bytes: &[u8]) -> Result<(), StoreError> {
        let bytes = bytes.to_vec();
        self.write(move |db| in_place(ops::attachment::append_upload(db, id, seq, &bytes))).await
    }

    async fn finish_upload(&self, id: i32, size: i32) -> Result<AttachmentInfo, StoreError> {
        self.write(move |db| in_place(ops::attachment::finish_upload(db, id, size))).await
    }

    async fn abandon_upload(&self, id: i32) -> Result<(), StoreError> {
        self.write(move |db| in_place(ops::attachment::abandon_upload(db, id))).await
    }

    async fn attachment(&self, id: i32) -> Result<Option<(AttachmentInfo, AttachmentOwner)>, StoreError> {
        self.read(|db| in_place(ops::attachment::attachment(db, SELECT_ATTACHMENT, id)))
    }

    async fn attachment_with_content(&self, id: i32) -> Result<Option<(AttachmentInfo, AttachmentOwner)>, StoreError> {
        self.read(|db| in_place(ops::attachment::attachment(db, SELECT_WITH_CONTENT, id)))
    }

    async fn attachment_chunk(&self, id: i32, seq: i32) -> Result<Option<(i32, Vec<u8>)>, StoreError> {
        self.read(|db| in_place(ops::attachment::attachment_chunk(db, id, seq)))
    }

    async fn attachment_content(&self, id: i32) -> Result<Option<AttachmentContent>, StoreError> {
        self.read_aside(move |db| {
            // One snapshot: the pieces match the row.
            let snapshot = db.0.unchecked_transaction()?;
            let content = in_place(ops::attachment::attachment_content(db, id))?;
            snapshot.commit()?;
            Ok(content)
        })
        .await
    }

    async fn connect_attachments(&self, message_id: i32, ids: &[i32], uploader: Option<i32>) -> Result<(), StoreError> {
        let ids = ids.to_vec();
        let acting = crate::store::acting::current();
        // The writer thread is not the request's task: the acting caller goes with the job.
        self.write(move |db| in_place(ops::attachment::connect_attachments(db, message_id, &ids, uploader, acting)))
            .await
    }

    async fn delete_pending_uploads(&self, before: Timestamp, batch: u32) -> Result<u64, StoreError> {
        self.delete_expired(RetentionKind::PendingUploads, before, batch).await
    }
}

#[async_trait]
impl TicketReachStore for SqliteStore {
    async fn ticket_access(&self, associate_id: i32) -> Result<TicketAccess, StoreError> {
        self.read(|db| in_place(ops::ticket_reach::ticket_access(db, associate_id)))
    }

    async fn set_ticket_access(&self, login: &str, access: &TicketAccess) -> Result<bool, StoreError> {
        let (login, access) = (login.to_owned(), access.clone());
        self.write(move |db| in_place(ops::ticket_reach::set_ticket_access(db, &login, &access))).await
    }

    async fn ticket_scope(&self, ticket_id: i32) -> Result<Option<TicketScope>, StoreError> {
        self.read(|db| in_place(ops::ticket_reach::ticket_scope(db, ticket_id)))
    }

    async fn message_scope(&self, message_id: i32) -> Result<Option<TicketScope>, StoreError> {
        self.read(|db| in_place(ops::ticket_reach::message_scope(db, message_id)))
    }

    async fn ticket_categories(&self) -> Result<Vec<String>, StoreError> {
        self.read(|db| in_place(ops::ticket_reach::ticket_categories(db)))
    }
}

#[async_trait]
impl MessagePartsStore for SqliteStore {
    async fn header_messages(&self, header_ids: &[i32]) -> Result<Vec<i32>, StoreError> {
        self.read(|db| in_place(ops::ticket_reach::header_messages(db, header_ids)))
    }
}

#[async_trait]
impl RetentionStore for SqliteStore {
    async fn count_expired(&self, kind: RetentionKind, before: Timestamp) -> Result<u64, StoreError> {
        self.read_aside(move |db| in_place(ops::retention::count_expired(db, kind, before))).await
    }

    /// The batch is found on a reader; only its delete is a job of the writer.
    async fn delete_expired(&self, kind: RetentionKind, before: Timestamp, batch: u32) -> Result<u64, StoreError> {
        let found = self.read_aside(move |db| in_place(ops::retention::next_batch(db, kind, before, batch))).await?;
        self.write(move |db| in_place(ops::retention::delete_batch(db, kind, before, found))).await
    }
}

#[async_trait]
impl WebhookStore for SqliteStore {
    async fn webhook(&self, id: i32) -> Result<Option<Webhook>, StoreError> {
        self.read(|db| in_place(ops::webhook::webhook(db, id)))
    }

    async fn all_webhooks(&self) -> Result<Vec<Webhook>, StoreError> {
        self.read(|db| in_place(ops::webhook::all_webhooks(db)))
    }

    async fn create_webhook(&self, hook: &Webhook) -> Result<i32, StoreError> {
        let hook = hook.clone();
        self.write(move |db| in_place(ops::webhook::create_webhook(db, &hook))).await
    }

    async fn update_webhook(&self, hook: &Webhook) -> Result<(), StoreError> {
        let hook = hook.clone();
        self.write(move |db| in_place(ops::webhook::update_webhook(db, &hook))).await
    }

    async fn record_webhook_call(&self, id: i32, call: &WebhookCall, limit: u32) -> Result<bool, StoreError> {
        let call = call.clone();
        self.write(move |db| in_place(ops::webhook::record_webhook_call(db, id, &call, limit))).await
    }

    async fn signal_webhook_event(&self, event: &WebhookEvent, message_id: i32) -> Result<u64, StoreError> {
        let event = event.clone();
        let now = crate::store::now_ticks();
        self.write(move |db| in_place(ops::webhook::queue_webhook_event(db, &event, message_id, now))).await
    }
}
