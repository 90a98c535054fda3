// The `Store` implementation shared by both backends; included by `sqlite.rs` and
// `postgres.rs`, where `This` is the store type, `BEGIN_WRITE`/`BEGIN_READ` open transactions.

use async_trait::async_trait;

use crate::domain::{Associate, AttachmentInfo, CustomFieldInfo, FieldMap, MessageDraft, TicketMessage, VendorEnum};
use crate::domain::notification::{Channel, DeliveryStatus};
use crate::store::attachment::{AttachmentContent, AttachmentOwner, AttachmentStore, NewAttachment};
use crate::store::outbox::{
    ClaimedDelivery, DeliveryResult, NotificationStore, OutboxCount, OutboxRow, StreamItem, WebhookInfo,
};
use crate::store::{
    AssociateChange, Credentials, NewAssociate, NewPerson, NewSecret, NewTicket, SaveContext, SaveEvent,
    SecretKind, Store, StoreError, StoredSecret, from_ticks, now_ticks, to_ticks,
};

include!("read.rs");
include!("metadata.rs");
include!("list.rs");
use crate::store::outbox::new_delivery_id;
include!("outbox.rs");
include!("attachment.rs");
include!("ticket_reach.rs");
include!("retention.rs");
include!("webhook.rs");
include!("message_parts.rs");

impl This {
    /// Opens a transaction in a task of its own (see `store::owned`): once it is handed over,
    /// dropping it rolls it back, so a dropped request cannot leave it open on a pooled
    /// connection.
    async fn begin_owned(&self, statement: &'static str) -> Result<sqlx::Transaction<'static, Db>, StoreError> {
        let pool = self.pool.clone();
        crate::store::owned::run(async move { Ok(pool.begin_with(statement).await?) }).await
    }
}

/// Turns a unique-key violation into a conflict on `what`.
fn unique_as_conflict(err: sqlx::Error, what: String) -> StoreError {
    match &err {
        sqlx::Error::Database(db) if db.is_unique_violation() => StoreError::Conflict(what),
        _ => StoreError::from(err),
    }
}

#[async_trait]
impl Store for This {
    async fn ping(&self) -> Result<(), StoreError> {
        sqlx::query("SELECT 1").execute(&self.pool).await?;
        Ok(())
    }

    async fn write_probe(&self) -> Result<Vec<String>, StoreError> {
        let mut tx = self.begin_owned(BEGIN_WRITE).await?;
        // Takes the write lock (SQLite) and fails on a read-only file, session or standby.
        sqlx::query("DELETE FROM outbox WHERE id < 0").execute(&mut *tx).await?;
        let applied: Vec<i64> = sqlx::query_scalar(crate::store::schema::APPLIED_VERSIONS).fetch_all(&mut *tx).await?;
        tx.rollback().await?;
        Ok(crate::store::schema::pending(MIGRATOR, &applied))
    }

    fn group_commits(&self) -> Option<(u64, u64)> {
        self.writer_counts()
    }

    fn write_fault(&self) -> Option<String> {
        self.recent_write_fault()
    }

    async fn is_empty(&self) -> Result<bool, StoreError> {
        let row = sqlx::query("SELECT COUNT(*) AS n FROM associates").fetch_one(&self.pool).await?;
        Ok(row.try_get::<i64, _>("n")? == 0)
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
        load_custom_fields(&mut conn).await
    }

    async fn put_custom_field(&self, field: &CustomFieldInfo) -> Result<(), StoreError> {
        let mut tx = self.begin_owned(BEGIN_WRITE).await?;
        save_custom_field(&mut tx, field).await?;
        tx.commit().await.map_err(crate::store::classify::at_commit)?;
        Ok(())
    }

    async fn foreign_keys(&self, message_id: i32) -> Result<Option<FieldMap>, StoreError> {
        let mut tx = self.begin_owned(BEGIN_READ).await?;
        let keys = load_foreign_keys(&mut tx, message_id).await?;
        tx.commit().await?;
        Ok(keys)
    }

    async fn set_foreign_key(&self, message_id: i32, key: &str, value: &str) -> Result<(), StoreError> {
        let mut tx = self.begin_owned(BEGIN_WRITE).await?;
        save_foreign_key(&mut tx, message_id, key, value).await?;
        tx.commit().await.map_err(crate::store::classify::at_commit)?;
        Ok(())
    }

    async fn list_messages(
        &self,
        query: &crate::domain::list::ListQuery,
        limit: u32,
        reach: Option<&crate::domain::TicketReach>,
    ) -> Result<Vec<crate::domain::list::ListRow>, StoreError> {
        let mut conn = self.pool.acquire().await?;
        load_list(&mut conn, query, limit, reach).await
    }

    async fn delete_message(&self, id: i32) -> Result<bool, StoreError> {
        self.save_delete(id).await
    }

    async fn associate(&self, id: i32) -> Result<Option<Associate>, StoreError> {
        let mut conn = self.pool.acquire().await?;
        load_associate(&mut conn, id).await
    }

    async fn create_message(&self, draft: &MessageDraft, ctx: SaveContext) -> Result<i32, StoreError> {
        self.save_create(draft.clone(), ctx).await
    }

    async fn save_events(&self, message_id: i32) -> Result<Vec<SaveEvent>, StoreError> {
        let mut conn = self.pool.acquire().await?;
        load_save_events(&mut conn, message_id).await
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
        let query = match change {
            AssociateChange::PasswordHash(hash) => {
                sqlx::query("UPDATE associates SET password_hash = $2 WHERE login_key = $1").bind(login.to_lowercase()).bind(hash.clone())
            }
            AssociateChange::Disabled(disabled) => {
                sqlx::query("UPDATE associates SET deleted = $2 WHERE login_key = $1").bind(login.to_lowercase()).bind(*disabled)
            }
            AssociateChange::Role(role) => {
                sqlx::query("UPDATE associates SET role = $2 WHERE login_key = $1").bind(login.to_lowercase()).bind(role.code())
            }
        };
        let mut tx = self.begin_owned(BEGIN_WRITE).await?;
        let done = query.execute(&mut *tx).await?;
        // A new password or a disabled account ends every session and ticket the associate
        // holds, in the same transaction (API tokens are separate credentials and stay).
        if done.rows_affected() > 0 && matches!(change, AssociateChange::PasswordHash(_) | AssociateChange::Disabled(true)) {
            sqlx::query(
                "UPDATE auth_secrets SET revoked = TRUE WHERE kind IN ($2, $3) AND NOT revoked \
                 AND associate_id IN (SELECT id FROM associates WHERE login_key = $1)",
            )
            .bind(login.to_lowercase())
            .bind(SecretKind::Ticket.code())
            .bind(SecretKind::Session.code())
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await.map_err(crate::store::classify::at_commit)?;
        // Seen by this process's cache at once, not only at its next version check.
        self.credentials.changed();
        Ok(done.rows_affected() > 0)
    }

    async fn insert_secret(&self, secret: &NewSecret) -> Result<(), StoreError> {
        let mut tx = self.begin_owned(BEGIN_WRITE).await?;
        sqlx::query(
            "INSERT INTO auth_secrets (secret_hash, kind, associate_id, name, scope, xsrf_token, expires_at, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        )
        .bind(&secret.hash)
        .bind(secret.kind.code())
        .bind(secret.associate_id)
        .bind(&secret.name)
        .bind(secret.scope.code())
        .bind(&secret.xsrf_token)
        .bind(secret.expires_at.as_ref().map(to_ticks))
        .bind(now_ticks())
        .execute(&mut *tx)
        .await
        .map_err(|err| unique_as_conflict(err, format!("A secret named '{}'", secret.name)))?;
        tx.commit().await.map_err(crate::store::classify::at_commit)?;
        Ok(())
    }

    async fn find_secret(&self, kind: SecretKind, hash: &str) -> Result<Option<StoredSecret>, StoreError> {
        let mut conn = self.pool.acquire().await?;
        load_secret(&mut conn, kind, hash).await
    }

    async fn revoke_secret(&self, kind: SecretKind, hash: Option<&str>, name: &str) -> Result<u64, StoreError> {
        let mut tx = self.begin_owned(BEGIN_WRITE).await?;
        let done = match hash {
            Some(hash) => {
                sqlx::query("UPDATE auth_secrets SET revoked = TRUE WHERE kind = $1 AND secret_hash = $2")
                    .bind(kind.code())
                    .bind(hash)
                    .execute(&mut *tx)
                    .await?
            }
            None => {
                sqlx::query("UPDATE auth_secrets SET revoked = TRUE WHERE kind = $1 AND name = $2")
                    .bind(kind.code())
                    .bind(name)
                    .execute(&mut *tx)
                    .await?
            }
        };
        tx.commit().await.map_err(crate::store::classify::at_commit)?;
        Ok(done.rows_affected())
    }

    async fn add_associate(&self, a: &NewAssociate) -> Result<i32, StoreError> {
        let mut tx = self.begin_owned(BEGIN_WRITE).await?;
        let row = sqlx::query(
            "INSERT INTO associates (login, login_key, password_hash, full_name, email, person_id, user_type, role, \
             language) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id",
        )
        .bind(&a.login)
        .bind(a.login.to_lowercase())
        .bind(&a.password_hash)
        .bind(&a.full_name)
        .bind(&a.email)
        .bind(a.person_id)
        .bind(a.user_type.ordinal())
        .bind(a.role.code())
        .bind(&a.language)
        .fetch_one(&mut *tx)
        .await
        .map_err(|err| unique_as_conflict(err, format!("Login '{}'", a.login)))?;
        tx.commit().await.map_err(crate::store::classify::at_commit)?;
        Ok(row.try_get("id")?)
    }

    async fn add_person(&self, p: &NewPerson) -> Result<i32, StoreError> {
        let mut tx = self.begin_owned(BEGIN_WRITE).await?;
        let row = sqlx::query(
            "INSERT INTO persons (firstname, middle_name, lastname, title, email, direct_phone, contact_id, contact_name) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
        )
        .bind(&p.firstname)
        .bind(&p.middle_name)
        .bind(&p.lastname)
        .bind(&p.title)
        .bind(&p.email)
        .bind(&p.direct_phone)
        .bind(p.contact_id)
        .bind(&p.contact_name)
        .fetch_one(&mut *tx)
        .await?;
        tx.commit().await.map_err(crate::store::classify::at_commit)?;
        Ok(row.try_get("id")?)
    }

    async fn add_ticket(&self, t: &NewTicket) -> Result<i32, StoreError> {
        let now = now_ticks();
        let mut tx = self.begin_owned(BEGIN_WRITE).await?;
        let row = sqlx::query(
            "INSERT INTO tickets (title, created_at, last_changed, created_by, owned_by, person_id, \
             category_name, priority_name, slevel, base_status, language, deadline, activate, alert_timeout, \
             ticket_status_display, ticket_type_name) \
             VALUES ($1, $2, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15) RETURNING id",
        )
        .bind(&t.title)
        .bind(now)
        .bind(t.created_by)
        .bind(t.owned_by)
        .bind(t.person_id)
        .bind(&t.category_name)
        .bind(&t.priority_name)
        .bind(t.slevel.ordinal())
        .bind(t.base_status.ordinal())
        .bind(&t.language)
        .bind(t.deadline.as_ref().map_or(0, to_ticks))
        .bind(t.activate.as_ref().map_or(0, to_ticks))
        .bind(t.alert_timeout.as_ref().map_or(0, to_ticks))
        .bind(&t.status_display)
        .bind(&t.type_name)
        .fetch_one(&mut *tx)
        .await
        .map_err(|err| match &err {
            sqlx::Error::Database(db) if db.is_foreign_key_violation() => {
                StoreError::UnknownReference { field: "Ticket.OwnedBy", id: t.owned_by }
            }
            _ => StoreError::from(err),
        })?;
        tx.commit().await.map_err(crate::store::classify::at_commit)?;
        Ok(row.try_get("id")?)
    }
}
