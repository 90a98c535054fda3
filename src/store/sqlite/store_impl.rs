//! `Store` and `NotificationStore` on SQLite: each operation of `store::ops` run on a reader connection in
//! place (reads) or as a job of the group-commit writer (writes).

use std::time::Duration;

use async_trait::async_trait;

use super::SqliteStore;
use crate::domain::list::{ListQuery, ListRow};
use crate::domain::notification::{Channel, DeliveryStatus};
use crate::domain::{Associate, CustomFieldInfo, FieldMap, MessageDraft, TicketMessage, TicketReach, Timestamp};
use crate::store::db::in_place;
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
impl Store for SqliteStore {
    async fn ping(&self) -> Result<(), StoreError> {
        self.read(|db| Ok(db.0.query_row("SELECT 1", [], |_| Ok(()))?))
    }

    async fn write_probe(&self) -> Result<Vec<String>, StoreError> {
        // A job of the writer takes the write lock, and fails on a read-only file.
        let applied = self
            .writer
            .run_aside(|conn| {
                conn.execute("DELETE FROM outbox WHERE id < 0", [])?;
                let mut applied = conn.prepare(schema::APPLIED_VERSIONS)?;
                let versions = applied.query_map([], |row| row.get::<_, i64>(0))?.collect::<Result<Vec<_>, _>>()?;
                Ok(versions)
            })
            .await?;
        Ok(schema::pending(&schema::SQLITE, &applied))
    }

    fn group_commits(&self) -> Option<(u64, u64)> {
        Some(self.writer.counts())
    }

    fn write_fault(&self) -> Option<String> {
        self.writer.recent_fault()
    }

    async fn is_empty(&self) -> Result<bool, StoreError> {
        self.read(|db| in_place(ops::auth::is_empty(db)))
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
        self.read(|db| in_place(ops::metadata::custom_fields(db)))
    }

    async fn put_custom_field(&self, field: &CustomFieldInfo) -> Result<(), StoreError> {
        let field = field.clone();
        self.write(move |db| in_place(ops::metadata::put_custom_field(db, &field))).await
    }

    async fn foreign_keys(&self, message_id: i32) -> Result<Option<FieldMap>, StoreError> {
        self.read(|db| {
            let snapshot = db.0.unchecked_transaction()?;
            let keys = in_place(ops::metadata::foreign_keys(db, message_id))?;
            snapshot.commit()?;
            Ok(keys)
        })
    }

    async fn set_foreign_key(&self, message_id: i32, key: &str, value: &str) -> Result<(), StoreError> {
        let (key, value) = (key.to_owned(), value.to_owned());
        self.write(move |db| in_place(ops::metadata::set_foreign_key(db, message_id, &key, &value))).await
    }

    async fn list_messages(
        &self,
        query: &ListQuery,
        limit: u32,
        reach: Option<&TicketReach>,
    ) -> Result<Vec<ListRow>, StoreError> {
        let (query, reach) = (query.clone(), reach.cloned());
        self.read_aside(move |db| in_place(ops::list::list(db, &query, limit, reach.as_ref()))).await
    }

    async fn delete_message(&self, id: i32) -> Result<bool, StoreError> {
        self.save_delete(id).await
    }

    async fn associate(&self, id: i32) -> Result<Option<Associate>, StoreError> {
        self.read(|db| in_place(ops::auth::associate(db, id)))
    }

    async fn create_message(&self, draft: &MessageDraft, ctx: SaveContext) -> Result<i32, StoreError> {
        self.save_create(draft.clone(), ctx).await
    }

    async fn save_events(&self, message_id: i32) -> Result<Vec<SaveEvent>, StoreError> {
        self.read(|db| in_place(ops::auth::save_events(db, message_id)))
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
        let changed = self.write(move |db| in_place(ops::auth::change_associate(db, &login, &change))).await?;
        // Seen by this process's cache at once, not only at its next version check.
        self.credentials.changed();
        Ok(changed)
    }

    async fn insert_secret(&self, secret: &NewSecret) -> Result<(), StoreError> {
        let secret = secret.clone();
        self.write(move |db| in_place(ops::auth::insert_secret(db, &secret))).await
    }

    async fn find_secret(&self, kind: SecretKind, hash: &str) -> Result<Option<StoredSecret>, StoreError> {
        self.read(|db| in_place(ops::auth::find_secret(db, kind, hash)))
    }

    async fn revoke_secret(&self, kind: SecretKind, hash: Option<&str>, name: &str) -> Result<u64, StoreError> {
        let (hash, name) = (hash.map(str::to_owned), name.to_owned());
        self.write(move |db| in_place(ops::auth::revoke_secret(db, kind, hash.as_deref(), &name))).await
    }

    async fn add_associate(&self, associate: &NewAssociate) -> Result<i32, StoreError> {
        let associate = associate.clone();
        self.write(move |db| in_place(ops::auth::add_associate(db, &associate))).await
    }

    async fn add_person(&self, person: &NewPerson) -> Result<i32, StoreError> {
        let person = person.clone();
        self.write(move |db| in_place(ops::auth::add_person(db, &person))).await
    }

    async fn add_ticket(&self, ticket: &NewTicket) -> Result<i32, StoreError> {
        let ticket = ticket.clone();
        self.write(move |db| in_place(ops::auth::add_ticket(db, &ticket))).await
    }
}

#[async_trait]
impl NotificationStore for SqliteStore {
    /// One dispatcher owns a SQLite file's outbox.
    fn shares_outbox(&self) -> bool {
        false
    }

    async fn set_following(&self, login: &str, ticket_id: i32, follow: bool) -> Result<(), StoreError> {
        let login = login.to_owned();
        self.write(move |db| in_place(ops::outbox::set_following(db, &login, ticket_id, follow))).await
    }

    async fn followers(&self, ticket_id: i32) -> Result<Vec<i32>, StoreError> {
        self.read(|db| in_place(ops::outbox::followers(db, ticket_id)))
    }

    async fn enqueue_outgoing(&self, message_id: i32, channel: Channel, payloads: &[String]) -> Result<(), StoreError> {
        let payloads = payloads.to_vec();
        self.write(move |db| in_place(ops::outbox::enqueue_outgoing(db, message_id, channel, &payloads))).await
    }

    async fn add_webhook(&self, url: &str, events: &str, secret: &str) -> Result<i32, StoreError> {
        let (url, events, secret) = (url.to_owned(), events.to_owned(), secret.to_owned());
        self.write(move |db| in_place(ops::outbox::add_webhook(db, &url, &events, &secret))).await
    }

    async fn webhooks(&self) -> Result<Vec<WebhookInfo>, StoreError> {
        self.read(|db| in_place(ops::outbox::webhooks(db)))
    }

    async fn remove_webhook(&self, id: i32) -> Result<bool, StoreError> {
        self.write(move |db| in_place(ops::outbox::remove_webhook(db, id))).await
    }

    async fn claim_deliveries(
        &self,
        worker: &str,
        limit: u32,
        lease: Duration,
    ) -> Result<Vec<ClaimedDelivery>, StoreError> {
        let worker = worker.to_owned();
        let claim = outbox_sql::CLAIM_DUE_SQLITE;
        self.write(move |db| in_place(ops::outbox::claim_deliveries(db, claim, &worker, limit, lease))).await
    }

    async fn finish_delivery(&self, id: i64, worker: &str, result: &DeliveryResult) -> Result<(), StoreError> {
        let (worker, result) = (worker.to_owned(), result.clone());
        self.write(move |db| in_place(ops::outbox::finish_delivery(db, id, &worker, &result))).await
    }

    async fn release_claims(&self, worker: Option<&str>) -> Result<u64, StoreError> {
        let worker = worker.map(str::to_owned);
        self.write(move |db| in_place(ops::outbox::release_claims(db, worker.as_deref()))).await
    }

    async fn outbox(&self, status: Option<DeliveryStatus>, limit: u32) -> Result<Vec<OutboxRow>, StoreError> {
        self.read(|db| in_place(ops::outbox::outbox(db, status, limit)))
    }

    async fn retry_outbox(&self, id: Option<i64>) -> Result<u64, StoreError> {
        self.write(move |db| in_place(ops::outbox::retry_outbox(db, id))).await
    }

    async fn purge_outbox(&self, before: Timestamp) -> Result<u64, StoreError> {
        self.write(move |db| in_place(ops::outbox::purge_outbox(db, before))).await
    }

    async fn outbox_counts(&self) -> Result<Vec<OutboxCount>, StoreError> {
        self.read(|db| in_place(ops::outbox::outbox_counts(db)))
    }

    async fn stream_after(&self, recipient: i32, after: i64, limit: u32) -> Result<Vec<StreamItem>, StoreError> {
        self.read(|db| in_place(ops::outbox::stream_after(db, recipient, after, limit)))
    }

    async fn last_stream_id(&self, recipient: i32) -> Result<i64, StoreError> {
        self.read(|db| in_place(ops::outbox::last_stream_id(db, recipient)))
    }
}
