// Writes shared by both backends; included by `sqlite.rs` and `postgres.rs`. Every function
// takes the open write transaction, so a save commits all its rows or none.

/// Fails with the first relation of the draft that does not exist.
async fn check_references(conn: &mut Conn, ticket_id: i32, created_by: i32, person_id: Option<i32>) -> Result<(), StoreError> {
    let row = sqlx::query(
        "SELECT (SELECT COUNT(*) FROM tickets WHERE id = $1) AS tickets, \
         (SELECT COUNT(*) FROM associates WHERE id = $2) AS associates, \
         (SELECT COUNT(*) FROM persons WHERE id = $3) AS persons",
    )
    .bind(ticket_id)
    .bind(created_by)
    .bind(person_id.unwrap_or(0))
    .fetch_one(&mut *conn)
    .await?;
    references_found(&row, ticket_id, created_by, person_id)
}

/// Reads the `tickets`, `associates` and `persons` counts of a lookup row.
fn references_found(row: &<Db as sqlx::Database>::Row, ticket_id: i32, created_by: i32, person_id: Option<i32>) -> Result<(), StoreError> {
    let found = |column: &str| -> Result<bool, StoreError> { Ok(row.try_get::<i64, _>(column)? > 0) };
    if !found("tickets")? {
        return Err(StoreError::UnknownReference { field: "Ticket.TicketId", id: ticket_id });
    }
    if !found("associates")? {
        return Err(StoreError::UnknownReference { field: "CreatedBy.AssociateId", id: created_by });
    }
    match person_id {
        Some(id) if !found("persons")? => Err(StoreError::UnknownReference { field: "Person.PersonId", id }),
        _ => Ok(()),
    }
}

/// The message columns a save writes, bound in the order of [`MESSAGE_COLUMNS`].
macro_rules! bind_message_columns {
    ($query:expr, $ticket_id:expr, $created_by:expr, $draft:expr, $now:expr) => {{
        let c = &$draft.content;
        $query
            .bind($ticket_id)
            .bind(to_ticks(&c.created_at))
            .bind($created_by)
            .bind(&c.author)
            .bind(c.slevel.ordinal())
            .bind(c.message_type.ordinal())
            .bind(&c.message_id)
            .bind(c.time_spent)
            .bind(&c.body)
            .bind(&c.html_body)
            .bind(&c.email_header)
            .bind(&c.debug_info)
            .bind(&c.mail_sorter)
            .bind(c.category.ordinal())
            .bind($draft.refs.person_id)
            .bind(&c.search_title)
            .bind(c.important)
            .bind(&c.language)
            .bind(c.sentiment)
            .bind(c.sentiment_confidence)
            .bind(c.badge.ordinal())
            .bind($now)
    }};
}

async fn insert_message(conn: &mut Conn, draft: &MessageDraft, ticket_id: i32, created_by: i32, now: i64) -> Result<i32, StoreError> {
    let query = sqlx::query(
        "INSERT INTO ticket_messages (ticket_id, created_at, created_by, author, slevel, message_type, \
         message_id, time_spent, body, html_body, email_header, debug_info, mail_sorter, category, \
         person_id, search_title, important, language, sentiment, sentiment_confidence, badge, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22) \
         RETURNING id",
    );
    let row = bind_message_columns!(query, ticket_id, created_by, draft, now).fetch_one(&mut *conn).await?;
    Ok(row.try_get("id")?)
}

/// Writes a new message with all its child rows and its save record; returns its id.
async fn create_in(conn: &mut Conn, draft: &MessageDraft, ctx: SaveContext, now: i64) -> Result<i32, StoreError> {
    let ticket_id = draft.refs.ticket_id.unwrap_or(0);
    let created_by = draft.refs.created_by.unwrap_or(ctx.associate_id);
    check_references(conn, ticket_id, created_by, draft.refs.person_id).await?;
    let id = insert_message(conn, draft, ticket_id, created_by, now).await?;
    replace_children(conn, id, &draft.content, StoredChildren::NONE).await?;
    record_save(conn, id, "ticketmessage.created", ctx, now).await?;
    let saved = SavedMessage { message_id: id, ticket_id, kind: EventKind::Created, content: &draft.content };
    enqueue_notifications(conn, saved, ctx, now).await?;
    Ok(id)
}

#[allow(clippy::too_many_arguments)]
async fn update_message_row(conn: &mut Conn, id: i32, draft: &MessageDraft, ticket_id: i32, created_by: i32, now: i64, expected_version: Option<i64>) -> Result<(), StoreError> {
    let query = sqlx::query(
        "UPDATE ticket_messages SET ticket_id = $1, created_at = $2, created_by = $3, author = $4, \
         slevel = $5, message_type = $6, message_id = $7, time_spent = $8, body = $9, html_body = $10, \
         email_header = $11, debug_info = $12, mail_sorter = $13, category = $14, person_id = $15, \
         search_title = $16, important = $17, language = $18, sentiment = $19, \
         sentiment_confidence = $20, badge = $21, updated_at = $22, version = version + 1 \
         WHERE id = $23 AND (CAST($24 AS BIGINT) IS NULL OR version = CAST($24 AS BIGINT))",
    );
    let done =
        bind_message_columns!(query, ticket_id, created_by, draft, now).bind(id).bind(expected_version).execute(&mut *conn).await?;
    if done.rows_affected() == 0 {
        return Err(StoreError::Stale);
    }
    Ok(())
}

async fn record_save(conn: &mut Conn, message_id: i32, event: &str, ctx: SaveContext, now: i64) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO message_events (message_id, event, notify, associate_id, created_at) VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(message_id)
    .bind(event)
    .bind(ctx.notify)
    .bind(ctx.associate_id)
    .bind(now)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// Turns a unique-key violation into a conflict on `what`.
fn unique_as_conflict(err: sqlx::Error, what: String) -> StoreError {
    match &err {
        sqlx::Error::Database(db) if db.is_unique_violation() => StoreError::Conflict(what),
        _ => StoreError::Database(err),
    }
}

async fn update_in(conn: &mut Conn, id: i32, draft: &MessageDraft, ctx: SaveContext) -> Result<(), StoreError> {
    // One lookup reads what the draft leaves as stored, checks the relations it ends up with and
    // counts the child rows, so a save with no children touches no child table.
    let stored = sqlx::query(
        "SELECT m.ticket_id, m.created_by, \
         (SELECT COUNT(*) FROM tickets WHERE id = COALESCE($2, m.ticket_id)) AS tickets, \
         (SELECT COUNT(*) FROM associates WHERE id = COALESCE($3, m.created_by)) AS associates, \
         (SELECT COUNT(*) FROM persons WHERE id = $4) AS persons, \
         (SELECT COUNT(*) FROM message_headers WHERE message_id = m.id) AS headers, \
         (SELECT COUNT(*) FROM attachments WHERE message_id = m.id) AS attachments, \
         (SELECT COUNT(*) FROM message_fields WHERE message_id = m.id) AS fields \
         FROM ticket_messages m WHERE m.id = $1",
    )
    .bind(id)
    .bind(draft.refs.ticket_id)
    .bind(draft.refs.created_by)
    .bind(draft.refs.person_id.unwrap_or(0))
    .fetch_optional(&mut *conn)
    .await?
    .ok_or(StoreError::NotFound)?;
    let ticket_id = draft.refs.ticket_id.map_or_else(|| stored.try_get("ticket_id"), Ok)?;
    let created_by = draft.refs.created_by.map_or_else(|| stored.try_get("created_by"), Ok)?;
    references_found(&stored, ticket_id, created_by, draft.refs.person_id)?;
    let children = StoredChildren {
        headers: stored.try_get::<i64, _>("headers")? > 0,
        attachments: stored.try_get::<i64, _>("attachments")? > 0,
        fields: stored.try_get::<i64, _>("fields")? > 0,
    };
    let now = now_ticks();
    update_message_row(conn, id, draft, ticket_id, created_by, now, ctx.expected_version).await?;
    replace_children(conn, id, &draft.content, children).await?;
    record_save(conn, id, "ticketmessage.changed", ctx, now).await?;
    let saved = SavedMessage { message_id: id, ticket_id, kind: EventKind::Changed, content: &draft.content };
    enqueue_notifications(conn, saved, ctx, now).await
}

/// Creates a message and remembers `key` for it, unless this caller used `key` within `window`
/// already: then the earlier message's id comes back with `false`.
async fn create_once_in(
    conn: &mut Conn,
    draft: &MessageDraft,
    ctx: SaveContext,
    key: &str,
    window: chrono::Duration,
) -> Result<(i32, bool), StoreError> {
    let now = now_ticks();
    let oldest = to_ticks(&(chrono::Utc::now().naive_utc() - window));
    sqlx::query("DELETE FROM idempotency_keys WHERE associate_id = $1 AND idempotency_key = $2 AND created_at < $3")
        .bind(ctx.associate_id)
        .bind(key)
        .bind(oldest)
        .execute(&mut *conn)
        .await?;
    let earlier = sqlx::query("SELECT message_id FROM idempotency_keys WHERE associate_id = $1 AND idempotency_key = $2")
        .bind(ctx.associate_id)
        .bind(key)
        .fetch_optional(&mut *conn)
        .await?;
    if let Some(row) = earlier {
        return Ok((row.try_get("message_id")?, false));
    }
    let id = create_in(conn, draft, ctx, now).await?;
    sqlx::query("INSERT INTO idempotency_keys (associate_id, idempotency_key, message_id, created_at) VALUES ($1, $2, $3, $4)")
        .bind(ctx.associate_id)
        .bind(key)
        .bind(id)
        .bind(now)
        .execute(&mut *conn)
        .await?;
    Ok((id, true))
}
