// The `NotificationStore` implementation shared by both backends; included by `store_impl.rs`.
// The outbox's statements and row mappings are in `store::outbox::sql`; `CLAIM_DUE` (per
// backend) is one of its two claim statements.

use crate::store::outbox::sql as outbox_sql;

#[async_trait]
impl NotificationStore for This {
    fn shares_outbox(&self) -> bool {
        SHARES_OUTBOX
    }

    async fn set_following(&self, login: &str, ticket_id: i32, follow: bool) -> Result<(), StoreError> {
        let mut tx = self.begin_owned(BEGIN_WRITE).await?;
        let associate = sqlx::query("SELECT id FROM associates WHERE login_key = $1")
            .bind(login.to_lowercase())
            .fetch_optional(&mut *tx)
            .await?
            .ok_or(StoreError::NotFound)?;
        let associate_id: i32 = associate.try_get("id")?;
        let ticket = sqlx::query("SELECT id FROM tickets WHERE id = $1").bind(ticket_id).fetch_optional(&mut *tx).await?;
        if ticket.is_none() {
            return Err(StoreError::NotFound);
        }
        if follow {
            sqlx::query(
                "INSERT INTO ticket_followers (ticket_id, associate_id, created_at) VALUES ($1, $2, $3) \
                 ON CONFLICT (ticket_id, associate_id) DO NOTHING",
            )
            .bind(ticket_id)
            .bind(associate_id)
            .bind(now_ticks())
            .execute(&mut *tx)
            .await?;
        } else {
            sqlx::query("DELETE FROM ticket_followers WHERE ticket_id = $1 AND associate_id = $2")
                .bind(ticket_id)
                .bind(associate_id)
                .execute(&mut *tx)
                .await?;
        }
        tx.commit().await.map_err(crate::store::classify::at_commit)?;
        Ok(())
    }

    async fn followers(&self, ticket_id: i32) -> Result<Vec<i32>, StoreError> {
        let rows = sqlx::query("SELECT associate_id FROM ticket_followers WHERE ticket_id = $1 ORDER BY associate_id")
            .bind(ticket_id)
            .fetch_all(&self.pool)
            .await?;
        rows.iter().map(|row| Ok(row.try_get("associate_id")?)).collect()
    }

    async fn enqueue_outgoing(&self, message_id: i32, channel: Channel, payloads: &[String]) -> Result<(), StoreError> {
        let mut tx = self.begin_owned(BEGIN_WRITE).await?;
        let exists = sqlx::query("SELECT id FROM ticket_messages WHERE id = $1").bind(message_id).fetch_optional(&mut *tx).await?;
        if exists.is_none() {
            return Err(StoreError::NotFound);
        }
        let event = if channel == Channel::Sms { "ticketmessage.sendsms" } else { "ticketmessage.send" };
        let now = now_ticks();
        for payload in payloads {
sqlx::query(outbox_sql::INSERT_OUTGOING)
            .bind(new_delivery_id()?)
            .bind(channel.code())
            .bind(event)
            .bind(message_id)
            .bind(payload)
            .bind(now)
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await.map_err(crate::store::classify::at_commit)?;
        Ok(())
    }

    async fn add_webhook(&self, url: &str, events: &str, secret: &str) -> Result<i32, StoreError> {
        let mut tx = self.begin_owned(BEGIN_WRITE).await?;
        let row = sqlx::query("INSERT INTO webhooks (url, events, secret, created_at) VALUES ($1, $2, $3, $4) RETURNING id")
            .bind(url)
            .bind(events)
            .bind(secret)
            .bind(now_ticks())
            .fetch_one(&mut *tx)
            .await?;
        tx.commit().await.map_err(crate::store::classify::at_commit)?;
        Ok(row.try_get("id")?)
    }

    async fn webhooks(&self) -> Result<Vec<WebhookInfo>, StoreError> {
        let rows = sqlx::query("SELECT id, url, events, active FROM webhooks ORDER BY id").fetch_all(&self.pool).await?;
        rows.iter()
            .map(|row| {
                Ok(WebhookInfo {
                    id: row.try_get("id")?,
                    url: row.try_get("url")?,
                    events: row.try_get("events")?,
                    active: row.try_get("active")?,
                })
            })
            .collect()
    }

    async fn remove_webhook(&self, id: i32) -> Result<bool, StoreError> {
        let mut tx = self.begin_owned(BEGIN_WRITE).await?;
        let done = sqlx::query("DELETE FROM webhooks WHERE id = $1").bind(id).execute(&mut *tx).await?;
        tx.commit().await.map_err(crate::store::classify::at_commit)?;
        Ok(done.rows_affected() > 0)
    }

    async fn claim_deliveries(&self, worker: &str, limit: u32, lease: std::time::Duration) -> Result<Vec<ClaimedDelivery>, StoreError> {
        let now = now_ticks();
        // A claim is told apart from the worker's earlier ones by its expiry stamp.
        let expires = now.saturating_add(outbox_sql::duration_ticks(lease));
        let mut tx = self.begin_owned(BEGIN_WRITE).await?;
        let claimed = sqlx::query(CLAIM_DUE).bind(worker).bind(expires).bind(now).bind(i64::from(limit)).execute(&mut *tx).await?;
        if claimed.rows_affected() == 0 {
            tx.commit().await.map_err(crate::store::classify::at_commit)?;
            return Ok(Vec::new());
        }
        let rows = sqlx::query(outbox_sql::SELECT_CLAIMED)
        .bind(worker)
        .bind(expires)
        .fetch_all(&mut *tx)
        .await?;
        tx.commit().await.map_err(crate::store::classify::at_commit)?;
        rows.iter().map(outbox_sql::claimed_delivery).collect()
    }

    async fn finish_delivery(&self, id: i64, worker: &str, result: &DeliveryResult) -> Result<(), StoreError> {
        let now = now_ticks();
        // `last_error` is shown to operators: never store a URL's credentials in it.
        let redacted = match result {
            DeliveryResult::Retry { error, .. } | DeliveryResult::Dead { error } => crate::notify::redact::text(error),
            DeliveryResult::Delivered => String::new(),
        };
        let query = match result {
            DeliveryResult::Delivered => sqlx::query(outbox_sql::SETTLE_DELIVERED)
            .bind(id)
            .bind(worker)
            .bind(now),
            DeliveryResult::Retry { at, .. } => sqlx::query(outbox_sql::SETTLE_RETRY)
            .bind(id)
            .bind(worker)
            .bind(to_ticks(at))
            .bind(redacted),
            DeliveryResult::Dead { .. } => sqlx::query(outbox_sql::SETTLE_DEAD)
            .bind(id)
            .bind(worker)
            .bind(redacted),
        };
        let mut tx = self.begin_owned(BEGIN_WRITE).await?;
        query.execute(&mut *tx).await?;
        tx.commit().await.map_err(crate::store::classify::at_commit)?;
        Ok(())
    }

    async fn release_claims(&self, worker: Option<&str>) -> Result<u64, StoreError> {
        let query = match worker {
            Some(worker) => sqlx::query(outbox_sql::RELEASE_WORKER).bind(worker),
            None => sqlx::query(outbox_sql::RELEASE_ALL),
        };
        let mut tx = self.begin_owned(BEGIN_WRITE).await?;
        let done = query.execute(&mut *tx).await?;
        tx.commit().await.map_err(crate::store::classify::at_commit)?;
        Ok(done.rows_affected())
    }

    async fn outbox(&self, status: Option<DeliveryStatus>, limit: u32) -> Result<Vec<OutboxRow>, StoreError> {
        let rows = sqlx::query(outbox_sql::SELECT_ROWS)
        .bind(status.map(DeliveryStatus::code))
        .bind(i64::from(limit))
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(outbox_sql::outbox_row).collect()
    }

    async fn retry_outbox(&self, id: Option<i64>) -> Result<u64, StoreError> {
        let mut tx = self.begin_owned(BEGIN_WRITE).await?;
        let done = sqlx::query(outbox_sql::RETRY_DEAD)
        .bind(now_ticks())
        .bind(id)
        .execute(&mut *tx)
        .await?;
        tx.commit().await.map_err(crate::store::classify::at_commit)?;
        Ok(done.rows_affected())
    }

    async fn purge_outbox(&self, before: crate::domain::Timestamp) -> Result<u64, StoreError> {
        let mut tx = self.begin_owned(BEGIN_WRITE).await?;
        let done = sqlx::query(outbox_sql::PURGE_SETTLED)
            .bind(to_ticks(&before))
            .execute(&mut *tx)
            .await?;
        tx.commit().await.map_err(crate::store::classify::at_commit)?;
        Ok(done.rows_affected())
    }

    async fn outbox_counts(&self) -> Result<Vec<OutboxCount>, StoreError> {
        let rows = sqlx::query(outbox_sql::COUNTS).fetch_all(&self.pool).await?;
        let counts: Result<Vec<_>, StoreError> = rows.iter().map(outbox_sql::outbox_count).collect();
        Ok(counts?.into_iter().flatten().collect())
    }

    async fn stream_after(&self, recipient: i32, after: i64, limit: u32) -> Result<Vec<StreamItem>, StoreError> {
        let rows = sqlx::query(outbox_sql::STREAM_AFTER)
        .bind(recipient)
        .bind(after)
        .bind(i64::from(limit))
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(outbox_sql::stream_item).collect()
    }

    async fn last_stream_id(&self, recipient: i32) -> Result<i64, StoreError> {
        let row = sqlx::query(outbox_sql::LAST_STREAM_ID).bind(recipient).fetch_optional(&self.pool).await?;
        Ok(row.map(|row| row.try_get::<i64, _>("stream_seq")).transpose()?.unwrap_or(0))
    }
}
