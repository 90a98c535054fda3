// Outbox rows written by a save that asked for notification; included by `store_impl.rs`. They
// go through the save's own transaction, so they commit with the message or not at all.

/// A new delivery id: a random version-4 UUID, the form the vendor uses for event ids.
fn new_delivery_id() -> Result<String, StoreError> {
    let mut bytes = [0u8; 16];
    getrandom::fill(&mut bytes).map_err(|err| StoreError::Database(sqlx::Error::Protocol(err.to_string())))?;
    bytes[6] = (bytes[6] & 0x0f) | 0x40;
    bytes[8] = (bytes[8] & 0x3f) | 0x80;
    let hex: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
    Ok(format!("{}-{}-{}-{}-{}", &hex[..8], &hex[8..12], &hex[12..16], &hex[16..20], &hex[20..]))
}

/// What the outbox rows of one save share.
struct SavedMessage<'a> {
    message_id: i32,
    ticket_id: i32,
    kind: EventKind,
    content: &'a MessageContent,
}

/// Writes one outbox row per recipient and channel (and one per subscribed webhook) when the
/// save asked for notification.
async fn enqueue_notifications(conn: &mut Conn, saved: SavedMessage<'_>, ctx: SaveContext, now: i64) -> Result<(), StoreError> {
    if !ctx.notify {
        return Ok(());
    }
    let ticket = sqlx::query("SELECT title, owned_by FROM tickets WHERE id = $1")
        .bind(saved.ticket_id)
        .fetch_one(&mut *conn)
        .await?;
    let owner: i32 = ticket.try_get("owned_by")?;
    let actor = sqlx::query("SELECT login, full_name FROM associates WHERE id = $1")
        .bind(ctx.associate_id)
        .fetch_optional(&mut *conn)
        .await?;
    let actor_name = match &actor {
        Some(row) => display_name(row.try_get("full_name")?, row.try_get("login")?),
        None => String::new(),
    };
    let event = MessageEvent {
        event: saved.kind.name().to_owned(),
        ticket_message_id: saved.message_id,
        ticket_id: saved.ticket_id,
        ticket_title: ticket.try_get("title")?,
        changed_by_associate_id: ctx.associate_id,
        changed_by_name: actor_name,
        author: saved.content.author.clone(),
        body: if saved.content.body.is_empty() { saved.content.html_body.clone() } else { saved.content.body.clone() },
        occurred_at: chrono::DateTime::<chrono::Utc>::from_naive_utc_and_offset(from_ticks(now), chrono::Utc)
            .to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
    };
    let payload = serde_json::to_string(&event).map_err(|err| StoreError::Database(sqlx::Error::Protocol(err.to_string())))?;
    let row = OutboxInsert { channel: Channel::Stream, event: saved.kind, message_id: saved.message_id, payload: &payload, now };
    let mut notified = notified_associates(conn, saved.ticket_id, owner, ctx.associate_id).await?;
    // Ascending ids: concurrent saves lock the recipients' rows in one order and cannot deadlock.
    notified.sort_unstable_by_key(|(id, _)| *id);
    for (recipient, email) in notified {
        let seq = sqlx::query("UPDATE associates SET stream_seq = stream_seq + 1 WHERE id = $1 RETURNING stream_seq")
            .bind(recipient)
            .fetch_one(&mut *conn)
            .await?
            .try_get::<i64, _>("stream_seq")?;
        // The stream serves the row from the outbox as soon as the save commits: that is its delivery.
        let stream = Target { recipient: Some(recipient), stream_seq: Some(seq), webhook: None };
        insert_outbox_row(conn, &row, stream).await?;
        if ctx.channels.email && !email.is_empty() {
            let email_row = OutboxInsert { channel: Channel::Email, ..row };
            insert_outbox_row(conn, &email_row, Target { recipient: Some(recipient), ..Target::default() }).await?;
        }
    }
    let hooks = sqlx::query("SELECT id, events FROM webhooks WHERE active = TRUE ORDER BY id").fetch_all(&mut *conn).await?;
    for hook in hooks {
        if subscribes_to(&hook.try_get::<String, _>("events")?, saved.kind) {
            let target = Target { webhook: Some(hook.try_get("id")?), ..Target::default() };
            insert_outbox_row(conn, &OutboxInsert { channel: Channel::Webhook, ..row }, target).await?;
        }
    }
    Ok(())
}

fn display_name(full_name: String, login: String) -> String {
    if full_name.trim().is_empty() { login } else { full_name }
}

/// The owner and followers of a ticket who can still sign in, minus the actor, with their e-mail.
async fn notified_associates(conn: &mut Conn, ticket_id: i32, owner: i32, actor: i32) -> Result<Vec<(i32, String)>, StoreError> {
    let rows = sqlx::query(
        "SELECT id, email FROM associates WHERE deleted = FALSE \
         AND (id = $1 OR id IN (SELECT associate_id FROM ticket_followers WHERE ticket_id = $2)) ORDER BY id",
    )
    .bind(owner)
    .bind(ticket_id)
    .fetch_all(&mut *conn)
    .await?;
    let mut found = Vec::with_capacity(rows.len());
    for row in rows {
        found.push((row.try_get::<i32, _>("id")?, row.try_get::<String, _>("email")?));
    }
    let followers: Vec<i32> = found.iter().map(|(id, _)| *id).filter(|id| *id != owner).collect();
    let owner = if found.iter().any(|(id, _)| *id == owner) { owner } else { 0 };
    let ordered = recipients(owner, &followers, actor);
    Ok(ordered.into_iter().filter_map(|id| found.iter().find(|(f, _)| *f == id).cloned()).collect())
}

#[derive(Clone, Copy)]
struct OutboxInsert<'a> {
    channel: Channel,
    event: EventKind,
    message_id: i32,
    payload: &'a str,
    now: i64,
}

/// Whom an outbox row is for.
#[derive(Clone, Copy, Default)]
struct Target {
    recipient: Option<i32>,
    stream_seq: Option<i64>,
    webhook: Option<i32>,
}

async fn insert_outbox_row(conn: &mut Conn, row: &OutboxInsert<'_>, target: Target) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO outbox (delivery_id, channel, event, message_id, recipient_id, webhook_id, stream_seq, payload, \
         next_attempt_at, created_at, status, delivered_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $9, $10, CASE WHEN $10 = 1 THEN $9 ELSE 0 END)",
    )
    .bind(new_delivery_id()?)
    .bind(row.channel.code())
    .bind(row.event.name())
    .bind(row.message_id)
    .bind(target.recipient)
    .bind(target.webhook)
    .bind(target.stream_seq)
    .bind(row.payload)
    .bind(row.now)
    .bind(if row.channel == Channel::Stream { DeliveryStatus::Delivered } else { DeliveryStatus::Pending }.code())
    .execute(&mut *conn)
    .await?;
    Ok(())
}
