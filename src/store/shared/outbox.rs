// The `NotificationStore` implementation shared by both backends; included by `store_impl.rs`.
// `CLAIM_DUE` (per backend) marks due rows as claimed; on PostgreSQL it skips rows another
// instance has locked, so several instances never claim the same row.

const OUTBOX_COLUMNS: &str = "o.id, o.delivery_id, o.channel, o.event, o.message_id, o.recipient_id, o.webhook_id, \
     o.payload, o.status, o.attempts, o.next_attempt_at, o.last_error, o.created_at";

fn outbox_row(row: &DbRow) -> Result<OutboxRow, StoreError> {
    let corrupt = |what: &str| StoreError::Internal(format!("outbox row with unknown {what}"));
    Ok(OutboxRow {
        id: row.try_get("id")?,
        delivery_id: row.try_get("delivery_id")?,
        channel: Channel::from_code(row.try_get("channel")?).ok_or_else(|| corrupt("channel"))?,
        event: row.try_get("event")?,
        message_id: row.try_get("message_id")?,
        recipient_id: row.try_get("recipient_id")?,
        webhook_id: row.try_get("webhook_id")?,
        payload: row.try_get("payload")?,
        status: DeliveryStatus::from_code(row.try_get("status")?).ok_or_else(|| corrupt("status"))?,
        attempts: row.try_get("attempts")?,
        next_attempt_at: from_ticks(row.try_get("next_attempt_at")?),
        last_error: row.try_get("last_error")?,
        created_at: from_ticks(row.try_get("created_at")?),
    })
}

fn claimed_delivery(row: &DbRow) -> Result<ClaimedDelivery, StoreError> {
    let recipient = match row.try_get::<Option<String>, _>("email")? {
        Some(email) if !email.is_empty() => Some(MailRecipient {
            email,
            full_name: row.try_get::<Option<String>, _>("full_name")?.unwrap_or_default(),
            language: row.try_get::<Option<String>, _>("language")?.unwrap_or_default(),
        }),
        _ => None,
    };
    let webhook = match (row.try_get::<Option<String>, _>("url")?, row.try_get::<Option<String>, _>("secret")?) {
        (Some(url), Some(secret)) => Some(WebhookTarget { id: row.try_get::<Option<i32>, _>("webhook_id")?.unwrap_or(0), url, secret }),
        _ => None,
    };
    Ok(ClaimedDelivery { row: outbox_row(row)?, recipient, webhook })
}

fn duration_ticks(duration: std::time::Duration) -> i64 {
    i64::try_from(duration.as_micros()).unwrap_or(i64::MAX / 20).saturating_mul(10)
}

#[async_trait]
impl NotificationStore for This {
    fn shares_outbox(&self) -> bool {
        SHARES_OUTBOX
    }

    async fn set_following(&self, login: &str, ticket_id: i32, follow: bool) -> Result<(), StoreError> {
        let mut tx = self.pool.begin_with(BEGIN_WRITE).await?;
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
        let mut tx = self.pool.begin_with(BEGIN_WRITE).await?;
        let exists = sqlx::query("SELECT id FROM ticket_messages WHERE id = $1").bind(message_id).fetch_optional(&mut *tx).await?;
        if exists.is_none() {
            return Err(StoreError::NotFound);
        }
        let event = if channel == Channel::Sms { "ticketmessage.sendsms" } else { "ticketmessage.send" };
        let now = now_ticks();
        for payload in payloads {
            sqlx::query(
                "INSERT INTO outbox (delivery_id, channel, event, message_id, payload, next_attempt_at, created_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $6)",
            )
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
        let mut tx = self.pool.begin_with(BEGIN_WRITE).await?;
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
        let mut tx = self.pool.begin_with(BEGIN_WRITE).await?;
        let done = sqlx::query("DELETE FROM webhooks WHERE id = $1").bind(id).execute(&mut *tx).await?;
        tx.commit().await.map_err(crate::store::classify::at_commit)?;
        Ok(done.rows_affected() > 0)
    }

    async fn claim_deliveries(&self, worker: &str, limit: u32, lease: std::time::Duration) -> Result<Vec<ClaimedDelivery>, StoreError> {
        let now = now_ticks();
        // A claim is told apart from the worker's earlier ones by its expiry stamp.
        let expires = now.saturating_add(duration_ticks(lease));
        let mut tx = self.pool.begin_with(BEGIN_WRITE).await?;
        let claimed = sqlx::query(CLAIM_DUE).bind(worker).bind(expires).bind(now).bind(i64::from(limit)).execute(&mut *tx).await?;
        if claimed.rows_affected() == 0 {
            tx.commit().await.map_err(crate::store::classify::at_commit)?;
            return Ok(Vec::new());
        }
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {OUTBOX_COLUMNS}, a.email, a.full_name, a.language, w.url, w.secret FROM outbox o \
             LEFT JOIN associates a ON a.id = o.recipient_id AND a.deleted = FALSE \
             LEFT JOIN webhooks w ON w.id = o.webhook_id AND w.active = TRUE \
             WHERE o.claimed_by = $1 AND o.claim_expires_at = $2 AND o.status = 0 ORDER BY o.id"
        )))
        .bind(worker)
        .bind(expires)
        .fetch_all(&mut *tx)
        .await?;
        tx.commit().await.map_err(crate::store::classify::at_commit)?;
        rows.iter().map(claimed_delivery).collect()
    }

    async fn finish_delivery(&self, id: i64, worker: &str, result: &DeliveryResult) -> Result<(), StoreError> {
        let now = now_ticks();
        // `last_error` is shown to operators: never store a URL's credentials in it.
        let redacted = match result {
            DeliveryResult::Retry { error, .. } | DeliveryResult::Dead { error } => crate::notify::redact::text(error),
            DeliveryResult::Delivered => String::new(),
        };
        let query = match result {
            DeliveryResult::Delivered => sqlx::query(
                "UPDATE outbox SET status = 1, delivered_at = $3, claimed_by = NULL, claim_expires_at = 0, \
                 last_error = '' WHERE id = $1 AND claimed_by = $2",
            )
            .bind(id)
            .bind(worker)
            .bind(now),
            DeliveryResult::Retry { at, .. } => sqlx::query(
                "UPDATE outbox SET next_attempt_at = $3, last_error = $4, claimed_by = NULL, claim_expires_at = 0 \
                 WHERE id = $1 AND claimed_by = $2",
            )
            .bind(id)
            .bind(worker)
            .bind(to_ticks(at))
            .bind(redacted),
            DeliveryResult::Dead { .. } => sqlx::query(
                "UPDATE outbox SET status = 2, last_error = $3, claimed_by = NULL, claim_expires_at = 0 \
                 WHERE id = $1 AND claimed_by = $2",
            )
            .bind(id)
            .bind(worker)
            .bind(redacted),
        };
        let mut tx = self.pool.begin_with(BEGIN_WRITE).await?;
        query.execute(&mut *tx).await?;
        tx.commit().await.map_err(crate::store::classify::at_commit)?;
        Ok(())
    }

    async fn release_claims(&self, worker: Option<&str>) -> Result<u64, StoreError> {
        let query = match worker {
            Some(worker) => sqlx::query(
                "UPDATE outbox SET claimed_by = NULL, claim_expires_at = 0, attempts = attempts - 1 \
                 WHERE status = 0 AND claimed_by = $1 AND attempts > 0",
            )
            .bind(worker),
            None => sqlx::query(
                "UPDATE outbox SET claimed_by = NULL, claim_expires_at = 0 WHERE status = 0 AND claimed_by IS NOT NULL",
            ),
        };
        let mut tx = self.pool.begin_with(BEGIN_WRITE).await?;
        let done = query.execute(&mut *tx).await?;
        tx.commit().await.map_err(crate::store::classify::at_commit)?;
        Ok(done.rows_affected())
    }

    async fn outbox(&self, status: Option<DeliveryStatus>, limit: u32) -> Result<Vec<OutboxRow>, StoreError> {
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {OUTBOX_COLUMNS} FROM outbox o WHERE (CAST($1 AS INTEGER) IS NULL OR o.status = CAST($1 AS INTEGER)) \
             ORDER BY o.id DESC LIMIT $2"
        )))
        .bind(status.map(DeliveryStatus::code))
        .bind(i64::from(limit))
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(outbox_row).collect()
    }

    async fn retry_outbox(&self, id: Option<i64>) -> Result<u64, StoreError> {
        let mut tx = self.pool.begin_with(BEGIN_WRITE).await?;
        let done = sqlx::query(
            "UPDATE outbox SET status = 0, attempts = 0, next_attempt_at = $1, last_error = '' \
             WHERE status = 2 AND (CAST($2 AS BIGINT) IS NULL OR id = CAST($2 AS BIGINT))",
        )
        .bind(now_ticks())
        .bind(id)
        .execute(&mut *tx)
        .await?;
        tx.commit().await.map_err(crate::store::classify::at_commit)?;
        Ok(done.rows_affected())
    }

    async fn purge_outbox(&self, before: crate::domain::Timestamp) -> Result<u64, StoreError> {
        let mut tx = self.pool.begin_with(BEGIN_WRITE).await?;
        let done = sqlx::query("DELETE FROM outbox WHERE status IN (1, 2) AND created_at < $1")
            .bind(to_ticks(&before))
            .execute(&mut *tx)
            .await?;
        tx.commit().await.map_err(crate::store::classify::at_commit)?;
        Ok(done.rows_affected())
    }

    async fn outbox_counts(&self) -> Result<Vec<OutboxCount>, StoreError> {
        let rows = sqlx::query("SELECT channel, status, COUNT(*) AS n FROM outbox GROUP BY channel, status ORDER BY channel, status")
            .fetch_all(&self.pool)
            .await?;
        let mut counts = Vec::with_capacity(rows.len());
        for row in rows {
            let (Some(channel), Some(status)) =
                (Channel::from_code(row.try_get("channel")?), DeliveryStatus::from_code(row.try_get("status")?))
            else {
                continue;
            };
            counts.push(OutboxCount { channel, status, rows: row.try_get("n")? });
        }
        Ok(counts)
    }

    async fn stream_after(&self, recipient: i32, after: i64, limit: u32) -> Result<Vec<StreamItem>, StoreError> {
        let rows = sqlx::query(
            "SELECT stream_seq, event, payload FROM outbox WHERE recipient_id = $1 AND stream_seq > $2 \
             ORDER BY stream_seq LIMIT $3",
        )
        .bind(recipient)
        .bind(after)
        .bind(i64::from(limit))
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|row| {
                Ok(StreamItem { id: row.try_get("stream_seq")?, event: row.try_get("event")?, payload: row.try_get("payload")? })
            })
            .collect()
    }

    async fn last_stream_id(&self, recipient: i32) -> Result<i64, StoreError> {
        let row = sqlx::query("SELECT stream_seq FROM associates WHERE id = $1").bind(recipient).fetch_optional(&self.pool).await?;
        Ok(row.map(|row| row.try_get::<i64, _>("stream_seq")).transpose()?.unwrap_or(0))
    }
}
