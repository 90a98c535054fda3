//! `Store` and `NotificationStore` on PostgreSQL: each operation of `store::ops` run on a pooled connection
//! (reads) or in a transaction of its own (writes, see `PostgresStore::in_write`).

use std::time::Duration;

use async_trait::async_trait;

use super::PostgresStore;
use super::pg::Pg;
use crate::domain::list::{ListQuery, ListRow};
use crate::domain::notification::{Channel, DeliveryStatus};
use crate::domain::{Associate, CustomFieldInfo, FieldMap, MessageDraft, TicketMessage, TicketReach, Timestamp};
use crate::store::ops;
use crate::store::outbox::{
    ClaimedDelivery, DeliveryResult, NotificationStore, OutboxCount, OutboxRow, StreamItem, WebhookInfo,
};
use crate::store::sql::outbox as outbox_sql;
use crate::store::{
    AssociateChange, Credentials, NewAssociate, NewPerson, NewSecret, NewTicket, SaveContext, SaveEvent, SecretKind,
    Store, StoreError, StoredSecret, schema,
};

#[async_trait]
impl Store for PostgresStore {
    async fn ping(&self) -> Result<(), StoreError> {
        sqlx::query("SELECT 1").execute(&self.pool).await?;
        Ok(())
    }

    async fn write_probe(&self) -> Result<Vec<String>, StoreError> {
        let pool = self.pool.clone();
        // Opened and ended by one task (see `store::owned`), so a dropped request cannot leave it
        // open; it fails on a read-only session or a standby, and changes nothing.
        let applied = crate::store::owned::run(async move {
            let mut tx = pool.begin().await?;
            sqlx::query("DELETE FROM outbox WHERE id < 0").execute(&mut *tx).await?;
            let applied: Vec<i64> = sqlx::query_scalar(schema::APPLIED_VERSIONS).fetch_all(&mut *tx).await?;
            tx.rollback().await?;
            Ok::<_, StoreError>(applied)
        })
        .await?;
        Ok(schema::pending(&schema::POSTGRES, &applied))
    }

    fn group_commits(&self) -> Option<(u64, u64)> {
        Some(self.writes.counts())
    }

    async fn is_empty(&self) -> Result<bool, StoreError> {
        let mut conn = self.pool.acquire().await?;
        ops::auth::is_empty(&mut Pg(&mut conn)).await
    }

    async fn message(&self, id: i32) -> Result<Option<TicketMessage>, StoreError> {
        self.read_message(id).await
    }

    async fn update_message(&self, id: i32, draft: &MessageDraft, ctx: SaveContext) -> Result<(), StoreError> {
        self.save_update(id, draft.clone(), ctx).await
    }

    async fn create_message_once(
        &self,
        draft: &MessageDraft,
        ctx: SaveContext,
        key: &str,
        window: chrono::Duration,
    ) -> Result<(i32, bool), StoreError> {
        self.save_create_once(draft.clone(), ctx, key.to_owned(), window).await
    }

    async fn custom_fields(&self) -> Result<Vec<CustomFieldInfo>, StoreError> {
        let mut conn = self.pool.acquire().await?;
        ops::metadata::custom_fields(&mut Pg(&mut conn)).await
    }

    async fn put_custom_field(&self, field: &CustomFieldInfo) -> Result<(), StoreError> {
        let field = field.clone();
        self.in_write(move |conn| {
            Box::pin({
                let field = field.clone();
                async move { ops::metadata::put_custom_field(&mut Pg(conn), &field).await }
            })
        })
        .await
    }

    async fn foreign_keys(&self, message_id: i32) -> Result<Option<FieldMap>, StoreError> {
        self.in_snapshot(move |conn| {
            Box::pin(async move { ops::metadata::foreign_keys(&mut Pg(conn), message_id).await })
        })
        .await
    }

    async fn set_foreign_key(&self, message_id: i32, key: &str, value: &str) -> Result<(), StoreError> {
        let (key, value) = (key.to_owned(), value.to_owned());
        self.in_write(move |conn| {
            Box::pin({
                let key = key.clone();
                let value = value.clone();
                async move { ops::metadata::set_foreign_key(&mut Pg(conn), message_id, &key, &value).await }
            })
        })
        .await
    }

    async fn list_messages(
        &self,
        query: &ListQuery,
        limit: u32,
        reach: Option<&TicketReach>,
    ) -> Result<Vec<ListRow>, StoreError> {
        let mut conn = self.pool.acquire().await?;
        ops::list::list(&mut Pg(&mut conn), query, limit, reach).await
    }

    async fn delete_message(&self, id: i32) -> Result<bool, StoreError> {
        self.save_delete(id).await
    }

    async fn associate(&self, id: i32) -> Result<Option<Associate>, StoreError> {
        let mut conn = self.pool.acquire().await?;
        ops::auth::associate(&mut Pg(&mut conn), id).await
    }

    async fn create_message(&self, draft: &MessageDraft, ctx: SaveContext) -> Result<i32, StoreError> {
        self.save_create(draft.clone(), ctx).await
    }

    async fn save_events(&self, message_id: i32) -> Result<Vec<SaveEvent>, StoreError> {
        let mut conn = self.pool.acquire().await?;
        ops::auth::save_events(&mut Pg(&mut conn), message_id).await
    }

    async fn credentials(&self, login: &str) -> Result<Option<Credentials>, StoreError> {
        self.read_credentials(Some(login), 0).await
    }

    async fn credentials_by_id(&self, associate_id: i32) -> Result<Option<Credentials>, StoreError> {
        self.read_credentials(None, associate_id).await
    }

    async fn credentials_version(&self) -> Result<i64, StoreError> {
        self.read_credentials_version().await
    }

    fn credential_reads(&self) -> u64 {
        self.credentials.reads()
    }

    fn credentials_epoch(&self) -> u64 {
        self.credentials.epoch()
    }

    async fn change_associate(&self, login: &str, change: &AssociateChange) -> Result<bool, StoreError> {
        let (login, change) = (login.to_owned(), change.clone());
        let changed = self
            .in_write(move |conn| {
                Box::pin({
                    let change = change.clone();
                    let login = login.clone();
                    async move { ops::auth::change_associate(&mut Pg(conn), &login, &change).await }
                })
            })
            .await?;
        // Seen by this process's cache at once, not only at its next version check.
        self.credentials.changed();
        Ok(changed)
    }

    async fn insert_secret(&self, secret: &NewSecret) -> Result<(), StoreError> {
        let secret = secret.clone();
        self.in_write(move |conn| {
            Box::pin({
                let secret = secret.clone();
                async move { ops::auth::insert_secret(&mut Pg(conn), &secret).await }
            })
        })
        .await
    }

    async fn find_secret(&self, kind: SecretKind, hash: &str) -> Result<Option<StoredSecret>, StoreError> {
        let mut conn = self.pool.acquire().await?;
        ops::auth::find_secret(&mut Pg(&mut conn), kind, hash).await
    }

    async fn revoke_secret(&self, kind: SecretKind, hash: Option<&str>, name: &str) -> Result<u64, StoreError> {
        let (hash, name) = (hash.map(str::to_owned), name.to_owned());
        self.in_write(move |conn| {
            Box::pin({
                let hash = hash.clone();
                let name = name.clone();
                async move { ops::auth::revoke_secret(&mut Pg(conn), kind, hash.as_deref(), &name).await }
            })
        })
        .await
    }

    async fn add_associate(&self, associate: &NewAssociate) -> Result<i32, StoreError> {
        let associate = associate.clone();
        self.in_write(move |conn| {
            Box::pin({
                let associate = associate.clone();
                async move { ops::auth::add_associate(&mut Pg(conn), &associate).await }
            })
        })
        .await
    }

    async fn add_person(&self, person: &NewPerson) -> Result<i32, StoreError> {
        let person = person.clone();
        self.in_write(move |conn| {
            Box::pin({
                let person = person.clone();
                async move { ops::auth::add_person(&mut Pg(conn), &person).await }
            })
        })
        .await
    }

    async fn add_ticket(&self, ticket: &NewTicket) -> Result<i32, StoreError> {
        let ticket = ticket.clone();
        self.in_write(move |conn| {
            Box::pin({
                let ticket = ticket.clone();
                async move { ops::auth::add_ticket(&mut Pg(conn), &ticket).await }
            })
        })
        .await
    }
}

#[async_trait]
impl NotificationStore for PostgresStore {
    /// Several servers may share the outbox; claims skip rows another has locked.
    fn shares_outbox(&self) -> bool {
        true
    }

    async fn set_following(&self, login: &str, ticket_id: i32, follow: bool) -> Result<(), StoreError> {
        let login = login.to_owned();
        self.in_write(move |conn| {
            Box::pin({
                let login = login.clone();
                async move { ops::outbox::set_following(&mut Pg(conn), &login, ticket_id, follow).await }
            })
        })
        .await
    }

    async fn followers(&self, ticket_id: i32) -> Result<Vec<i32>, StoreError> {
        let mut conn = self.pool.acquire().await?;
        ops::outbox::followers(&mut Pg(&mut conn), ticket_id).await
    }

    async fn enqueue_outgoing(&self, message_id: i32, channel: Channel, payloads: &[String]) -> Result<(), StoreError> {
        let payloads = payloads.to_vec();
        self.in_write(move |conn| {
            Box::pin({
                let payloads = payloads.clone();
                async move { ops::outbox::enqueue_outgoing(&mut Pg(conn), message_id, channel, &payloads).await }
            })
        })
        .await
    }

    async fn add_webhook(&self, url: &str, events: &str, secret: &str) -> Result<i32, StoreError> {
        let (url, events, secret) = (url.to_owned(), events.to_owned(), secret.to_owned());
        self.in_write(move |conn| {
            Box::pin({
                let events = events.clone();
                let secret = secret.clone();
                let url = url.clone();
                async move { ops::outbox::add_webhook(&mut Pg(conn), &url, &events, &secret).await }
            })
        })
        .await
    }

    async fn webhooks(&self) -> Result<Vec<WebhookInfo>, StoreError> {
        let mut conn = self.pool.acquire().await?;
        ops::outbox::webhooks(&mut Pg(&mut conn)).await
    }

    async fn remove_webhook(&self, id: i32) -> Result<bool, StoreError> {
        self.in_write(move |conn| Box::pin(async move { ops::outbox::remove_webhook(&mut Pg(conn), id).await })).await
    }

    async fn claim_deliveries(
        &self,
        worker: &str,
        limit: u32,
        lease: Duration,
    ) -> Result<Vec<ClaimedDelivery>, StoreError> {
        let worker = worker.to_owned();
        let claim = outbox_sql::CLAIM_DUE_POSTGRES;
        self.in_write(move |conn| {
            Box::pin({
                let worker = worker.clone();
                async move { ops::outbox::claim_deliveries(&mut Pg(conn), claim, &worker, limit, lease).await }
            })
        })
        .await
    }

    async fn finish_delivery(&self, id: i64, worker: &str, result: &DeliveryResult) -> Result<(), StoreError> {
        let (worker, result) = (worker.to_owned(), result.clone());
        self.in_write(move |conn| {
            Box::pin({
                let result = result.clone();
                let worker = worker.clone();
                async move { ops::outbox::finish_delivery(&mut Pg(conn), id, &worker, &result).await }
            })
        })
        .await
    }

    async fn release_claims(&self, worker: Option<&str>) -> Result<u64, StoreError> {
        let worker = worker.map(str::to_owned);
        self.in_write(move |conn| {
            Box::pin({
                let worker = worker.clone();
                async move { ops::outbox::release_claims(&mut Pg(conn), worker.as_deref()).await }
            })
        })
        .await
    }

    async fn outbox(&self, status: Option<DeliveryStatus>, limit: u32) -> Result<Vec<OutboxRow>, StoreError> {
        let mut conn = self.pool.acquire().await?;
        ops::outbox::outbox(&mut Pg(&mut conn), status, limit).await
    }

    async fn retry_outbox(&self, id: Option<i64>) -> Result<u64, StoreError> {
        self.in_write(move |conn| Box::pin(async move { ops::outbox::retry_outbox(&mut Pg(conn), id).await })).await
    }

    async fn purge_outbox(&self, before: Timestamp) -> Result<u64, StoreError> {
        self.in_write(move |conn| Box::pin(async move { ops::outbox::purge_outbox(&mut Pg(conn), before).await })).await
    }

    async fn outbox_counts(&self) -> Result<Vec<OutboxCount>, StoreError> {
        let mut conn = self.pool.acquire().await?;
        ops::outbox::outbox_counts(&mut Pg(&mut conn)).await
    }

    async fn stream_after(&self, recipient: i32, after: i64, limit: u32) -> Result<Vec<StreamItem>, StoreError> {
        let mut conn = self.pool.acquire().await?;
        ops::outbox::stream_after(&mut Pg(&mut conn), recipient, after, limit).await
    }

    async fn last_stream_id(&self, recipient: i32) -> Result<i64, StoreError> {
        let mut conn = self.pool.acquire().await?;
        ops::outbox::last_stream_id(&mut Pg(&mut conn), recipient).await
    }
}
