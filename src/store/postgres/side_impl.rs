//! The store's other traits (attachments, ticket reach, message parts, retention, webhooks) on
//! PostgreSQL: each operation of `store::ops` run on a pooled connection (reads) or in a
//! transaction of its own (writes).

use async_trait::async_trait;

use super::PostgresStore;
use super::pg::Pg;
use crate::domain::webhook::{Webhook, WebhookEvent};
use crate::domain::{AttachmentInfo, TicketAccess, TicketScope, Timestamp};
use crate::store::StoreError;
use crate::store::attachment::{AttachmentContent, AttachmentOwner, AttachmentStore, NewAttachment};
use crate::store::message_parts::MessagePartsStore;
use crate::store::ops;
use crate::store::retention::{RetentionKind, RetentionStore};
use crate::store::sql::attachment::{SELECT_ATTACHMENT, SELECT_WITH_CONTENT};
use crate::store::ticket_reach::TicketReachStore;
use crate::store::webhook::{WebhookCall, WebhookStore};

#[async_trait]
impl AttachmentStore for PostgresStore {
    async fn begin_upload(&self, upload: &NewAttachment) -> Result<i32, StoreError> {
        let upload = upload.clone();
        self.in_write(move |conn| {
            Box::pin({
                let upload = upload.clone();
                async move { ops::attachment::begin_upload(&mut Pg(conn), &upload).await }
            })
        })
        .await
    }

    async fn append_upload(&self, id: i32, seq: i32, bytes: &[u8]) -> Result<(), StoreError> {
        // Shared, not copied, by each run of the job (the writer may run it again).
        let bytes: std::sync::Arc<[u8]> = std::sync::Arc::from(bytes);
        self.in_write(move |conn| {
            Box::pin({
                let bytes = std::sync::Arc::clone(&bytes);
                async move { ops::attachment::append_upload(&mut Pg(conn), id, seq, &bytes).await }
            })
        })
        .await
    }

    async fn finish_upload(&self, id: i32, size: i32) -> Result<AttachmentInfo, StoreError> {
        self.in_write(move |conn| {
            Box::pin(async move { ops::attachment::finish_upload(&mut Pg(conn), id, size).await })
        })
        .await
    }

    async fn abandon_upload(&self, id: i32) -> Result<(), StoreError> {
        self.in_write(move |conn| Box::pin(async move { ops::attachment::abandon_upload(&mut Pg(conn), id).await }))
            .await
    }

    async fn attachment(&self, id: i32) -> Result<Option<(AttachmentInfo, AttachmentOwner)>, StoreError> {
        let mut conn = self.pool.acquire().await?;
        ops::attachment::attachment(&mut Pg(&mut conn), SELECT_ATTACHMENT, id).await
    }

    async fn attachment_with_content(&self, id: i32) -> Result<Option<(AttachmentInfo, AttachmentOwner)>, StoreError> {
        let mut conn = self.pool.acquire().await?;
        ops::attachment::attachment(&mut Pg(&mut conn), SELECT_WITH_CONTENT, id).await
    }

    async fn attachment_chunk(&self, id: i32, seq: i32) -> Result<Option<(i32, Vec<u8>)>, StoreError> {
        let mut conn = self.pool.acquire().await?;
        ops::attachment::attachment_chunk(&mut Pg(&mut conn), id, seq).await
    }

    async fn attachment_content(&self, id: i32) -> Result<Option<AttachmentContent>, StoreError> {
        // One snapshot: the pieces match the row.
        self.in_snapshot(move |conn| {
            Box::pin(async move { ops::attachment::attachment_content(&mut Pg(conn), id).await })
        })
        .await
    }

    async fn connect_attachments(&self, message_id: i32, ids: &[i32], uploader: Option<i32>) -> Result<(), StoreError> {
        let ids = ids.to_vec();
        let acting = crate::store::acting::current();
        // The write runs in a task of its own: the acting caller goes with it.
        self.in_write(move |conn| {
            Box::pin({ let ids = ids.clone(); async move {
                ops::attachment::connect_attachments(&mut Pg(conn), message_id, &ids, uploader, acting).await
            } })
        })
        .await
    }

    async fn delete_pending_uploads(&self, before: Timestamp, batch: u32) -> Result<u64, StoreError> {
        self.delete_expired(RetentionKind::PendingUploads, before, batch).await
    }
}

#[async_trait]
impl TicketReachStore for PostgresStore {
    async fn ticket_access(&self, associate_id: i32) -> Result<TicketAccess, StoreError> {
        let mut conn = self.pool.acquire().await?;
        ops::ticket_reach::ticket_access(&mut Pg(&mut conn), associate_id).await
    }

    async fn set_ticket_access(&self, login: &str, access: &TicketAccess) -> Result<bool, StoreError> {
        let (login, access) = (login.to_owned(), access.clone());
        self.in_write(move |conn| {
            Box::pin({
                let access = access.clone();
                let login = login.clone();
                async move { ops::ticket_reach::set_ticket_access(&mut Pg(conn), &login, &access).await }
            })
        })
        .await
    }

    async fn ticket_scope(&self, ticket_id: i32) -> Result<Option<TicketScope>, StoreError> {
        let mut conn = self.pool.acquire().await?;
        ops::ticket_reach::ticket_scope(&mut Pg(&mut conn), ticket_id).await
    }

    async fn message_scope(&self, message_id: i32) -> Result<Option<TicketScope>, StoreError> {
        let mut conn = self.pool.acquire().await?;
        ops::ticket_reach::message_scope(&mut Pg(&mut conn), message_id).await
    }

    async fn ticket_categories(&self) -> Result<Vec<String>, StoreError> {
        let mut conn = self.pool.acquire().await?;
        ops::ticket_reach::ticket_categories(&mut Pg(&mut conn)).await
    }
}

#[async_trait]
impl MessagePartsStore for PostgresStore {
    async fn header_messages(&self, header_ids: &[i32]) -> Result<Vec<i32>, StoreError> {
        let mut conn = self.pool.acquire().await?;
        ops::ticket_reach::header_messages(&mut Pg(&mut conn), header_ids).await
    }
}

#[async_trait]
impl RetentionStore for PostgresStore {
    async fn count_expired(&self, kind: RetentionKind, before: Timestamp) -> Result<u64, StoreError> {
        let mut conn = self.pool.acquire().await?;
        ops::retention::count_expired(&mut Pg(&mut conn), kind, before).await
    }

    /// The batch is found by a plain read; only its delete is a write transaction.
    async fn delete_expired(&self, kind: RetentionKind, before: Timestamp, batch: u32) -> Result<u64, StoreError> {
        let mut conn = self.pool.acquire().await?;
        let found = ops::retention::next_batch(&mut Pg(&mut conn), kind, before, batch).await?;
        drop(conn);
        self.in_write(move |conn| {
            Box::pin(async move { ops::retention::delete_batch(&mut Pg(conn), kind, before, found).await })
        })
        .await
    }
}

#[async_trait]
impl WebhookStore for PostgresStore {
    async fn webhook(&self, id: i32) -> Result<Option<Webhook>, StoreError> {
        let mut conn = self.pool.acquire().await?;
        ops::webhook::webhook(&mut Pg(&mut conn), id).await
    }

    async fn all_webhooks(&self) -> Result<Vec<Webhook>, StoreError> {
        let mut conn = self.pool.acquire().await?;
        ops::webhook::all_webhooks(&mut Pg(&mut conn)).await
    }

    async fn create_webhook(&self, hook: &Webhook) -> Result<i32, StoreError> {
        let hook = hook.clone();
        self.in_write(move |conn| {
            Box::pin({
                let hook = hook.clone();
                async move { ops::webhook::create_webhook(&mut Pg(conn), &hook).await }
            })
        })
        .await
    }

    async fn update_webhook(&self, hook: &Webhook) -> Result<(), StoreError> {
        let hook = hook.clone();
        self.in_write(move |conn| {
            Box::pin({
                let hook = hook.clone();
                async move { ops::webhook::update_webhook(&mut Pg(conn), &hook).await }
            })
        })
        .await
    }

    async fn record_webhook_call(&self, id: i32, call: &WebhookCall, limit: u32) -> Result<bool, StoreError> {
        let call = call.clone();
        self.in_write(move |conn| {
            Box::pin({
                let call = call.clone();
                async move { ops::webhook::record_webhook_call(&mut Pg(conn), id, &call, limit).await }
            })
        })
        .await
    }

    async fn signal_webhook_event(&self, event: &WebhookEvent, message_id: i32) -> Result<u64, StoreError> {
        let event = event.clone();
        let now = crate::store::now_ticks();
        self.in_write(move |conn| {
            Box::pin({
                let event = event.clone();
                async move { ops::webhook::queue_webhook_event(&mut Pg(conn), &event, message_id, now).await }
            })
        })
        .await
    }
}
