// Reads shared by both backends; included by `sqlite.rs` and `postgres.rs`, where `Db` names
// the backend. Placeholders are `$N`, which SQLite and PostgreSQL both accept.



type Conn = <Db as sqlx::Database>::Connection;
type DbRow = <Db as sqlx::Database>::Row;

fn ordinal<E: crate::domain::VendorEnum + Default>(value: i32) -> E {
    E::from_ordinal(i64::from(value)).unwrap_or_default()
}

/// Loads a message and everything it refers to, inside one read snapshot.
async fn load_message(conn: &mut Conn, id: i32) -> Result<Option<TicketMessage>, StoreError> {
    match load_message_with(conn, id, true).await? {
        Loaded::Message(message) => Ok(*message),
        Loaded::HasChildren => Err(StoreError::Database(sqlx::Error::Protocol("child rows left unread".into()))),
    }
}

/// What [`load_message_with`] found.
enum Loaded {
    Message(Box<Option<TicketMessage>>),
    /// The message has child rows, which were not read: reading them needs a snapshot.
    HasChildren,
}

/// Loads a message; with `read_children` false, a message that has child rows is not read
/// further (so a caller outside a transaction can start one and read it whole).
async fn load_message_with(conn: &mut Conn, id: i32, read_children: bool) -> Result<Loaded, StoreError> {
    let Some(row) = sqlx::query(
        "SELECT id, ticket_id, created_at, created_by, author, slevel, message_type, message_id, \
         time_spent, body, html_body, email_header, debug_info, mail_sorter, category, person_id, \
         search_title, important, language, sentiment, sentiment_confidence, badge, version, updated_at, \
         EXISTS (SELECT 1 FROM message_headers WHERE message_id = $1) AS has_headers, \
         EXISTS (SELECT 1 FROM attachments WHERE message_id = $1) AS has_attachments, \
         EXISTS (SELECT 1 FROM message_fields WHERE message_id = $1) AS has_fields \
         FROM ticket_messages WHERE id = $1",
    )
    .bind(id)
    .fetch_optional(&mut *conn)
    .await?
    else {
        return Ok(Loaded::Message(Box::new(None)));
    };
    let (has_headers, has_attachments, has_fields): (bool, bool, bool) =
        (row.try_get("has_headers")?, row.try_get("has_attachments")?, row.try_get("has_fields")?);
    if !read_children && (has_headers || has_attachments || has_fields) {
        return Ok(Loaded::HasChildren);
    }
    let person_id: Option<i32> = row.try_get("person_id")?;
    let mut content = message_content(&row)?;
    // Child tables the message has no rows in are not asked: each statement has its cost.
    if has_headers {
        content.headers = load_headers(conn, id).await?;
    }
    if has_attachments {
        content.attachments = load_attachments(conn, id).await?;
    }
    if has_fields {
        (content.extra_fields, content.custom_fields) = load_fields(conn, id).await?;
    }
    let ticket = load_ticket(conn, row.try_get("ticket_id")?).await?;
    let created_by = load_associate(conn, row.try_get("created_by")?).await?;
    let person = match person_id {
        Some(pid) => load_person(conn, pid).await?,
        None => None,
    };
    Ok(Loaded::Message(Box::new(Some(TicketMessage {
        id,
        ticket,
        created_by,
        person,
        content,
        version: row.try_get("version")?,
        updated_at: from_ticks(row.try_get("updated_at")?),
    }))))
}

fn message_content(row: &DbRow) -> Result<MessageContent, StoreError> {
    Ok(MessageContent {
        created_at: from_ticks(row.try_get("created_at")?),
        author: row.try_get("author")?,
        slevel: ordinal(row.try_get("slevel")?),
        message_type: ordinal(row.try_get("message_type")?),
        message_id: row.try_get("message_id")?,
        time_spent: row.try_get("time_spent")?,
        body: row.try_get("body")?,
        html_body: row.try_get("html_body")?,
        email_header: row.try_get("email_header")?,
        debug_info: row.try_get("debug_info")?,
        mail_sorter: row.try_get("mail_sorter")?,
        category: ordinal(row.try_get("category")?),
        search_title: row.try_get("search_title")?,
        important: row.try_get("important")?,
        language: row.try_get("language")?,
        sentiment: row.try_get("sentiment")?,
        sentiment_confidence: row.try_get("sentiment_confidence")?,
        badge: ordinal(row.try_get("badge")?),
        ..MessageContent::default()
    })
}

async fn load_headers(conn: &mut Conn, message_id: i32) -> Result<Vec<MessageHeader>, StoreError> {
    let rows = sqlx::query(
        "SELECT id, name, value, std_item, std_item_col FROM message_headers \
         WHERE message_id = $1 ORDER BY position",
    )
    .bind(message_id)
    .fetch_all(&mut *conn)
    .await?;
    rows.iter()
        .map(|row| {
            Ok(MessageHeader {
                id: row.try_get("id")?,
                name: row.try_get("name")?,
                value: row.try_get("value")?,
                std_item: ordinal(row.try_get("std_item")?),
                std_item_col: ordinal(row.try_get("std_item_col")?),
            })
        })
        .collect()
}

async fn load_attachments(conn: &mut Conn, message_id: i32) -> Result<Vec<AttachmentInfo>, StoreError> {
    let rows = sqlx::query(
        "SELECT id, name, content_type, att_size, inline_image, content_id, auth_key \
         FROM attachments WHERE message_id = $1 ORDER BY position",
    )
    .bind(message_id)
    .fetch_all(&mut *conn)
    .await?;
    rows.iter().map(attachment_info).collect()
}

/// The message's `ExtraFields` and `CustomFields`.
async fn load_fields(conn: &mut Conn, message_id: i32) -> Result<(FieldMap, FieldMap), StoreError> {
    let rows = sqlx::query(
        "SELECT kind, field_key, field_value FROM message_fields WHERE message_id = $1",
    )
    .bind(message_id)
    .fetch_all(&mut *conn)
    .await?;
    let (mut extra, mut custom) = (FieldMap::new(), FieldMap::new());
    for row in &rows {
        let kind: i32 = row.try_get("kind")?;
        let target = if kind == FIELD_KIND_EXTRA { &mut extra } else { &mut custom };
        target.insert(row.try_get("field_key")?, row.try_get("field_value")?);
    }
    Ok((extra, custom))
}

async fn load_ticket(conn: &mut Conn, id: i32) -> Result<Option<Ticket>, StoreError> {
    let Some(row) = sqlx::query(
        "SELECT t.id, t.title, t.created_at, t.last_changed, t.created_by, t.owned_by, \
         t.category_name, t.priority_name, t.slevel, t.base_status, t.language, t.deadline, t.activate, \
         t.alert_timeout, t.ticket_status_display, t.ticket_type_name, \
         COALESCE(cb.full_name, '') AS created_by_name, COALESCE(ob.full_name, '') AS owned_by_name, \
         COALESCE(p.firstname, '') AS person_firstname, COALESCE(p.middle_name, '') AS person_middle_name, \
         COALESCE(p.lastname, '') AS person_lastname, COALESCE(p.email, '') AS from_address, \
         COALESCE(p.contact_id, 0) AS contact_id, COALESCE(p.contact_name, '') AS contact_name, \
         COALESCE(t.person_id, 0) AS cust_id, \
         (SELECT COUNT(*) FROM ticket_messages m WHERE m.ticket_id = t.id) AS num_messages \
         FROM tickets t \
         LEFT JOIN associates cb ON cb.id = t.created_by \
         LEFT JOIN associates ob ON ob.id = t.owned_by \
         LEFT JOIN persons p ON p.id = t.person_id \
         WHERE t.id = $1",
    )
    .bind(id)
    .fetch_optional(&mut *conn)
    .await?
    else {
        return Ok(None);
    };
    let first: String = row.try_get("person_firstname")?;
    let middle: String = row.try_get("person_middle_name")?;
    let last: String = row.try_get("person_lastname")?;
    let num_messages: i64 = row.try_get("num_messages")?;
    Ok(Some(Ticket {
        ticket_id: row.try_get("id")?,
        title: row.try_get("title")?,
        created_at: from_ticks(row.try_get("created_at")?),
        last_changed: from_ticks(row.try_get("last_changed")?),
        created_by: row.try_get("created_by")?,
        created_by_name: row.try_get("created_by_name")?,
        owned_by: row.try_get("owned_by")?,
        owned_by_associate_id: row.try_get("owned_by")?,
        owned_by_name: row.try_get("owned_by_name")?,
        category_name: row.try_get("category_name")?,
        category_fullname: row.try_get("category_name")?,
        priority_name: row.try_get("priority_name")?,
        slevel: ordinal(row.try_get("slevel")?),
        base_status: ordinal(row.try_get("base_status")?),
        cust_id: row.try_get("cust_id")?,
        person_fullname: crate::domain::Person::compose_full_name(&first, &middle, &last),
        person_firstname: first,
        person_middle_name: middle,
        person_lastname: last,
        from_address: row.try_get("from_address")?,
        contact_id: row.try_get("contact_id")?,
        contact_name: row.try_get("contact_name")?,
        language: row.try_get("language")?,
        deadline: from_ticks(row.try_get("deadline")?),
        activate: from_ticks(row.try_get("activate")?),
        alert_timeout: from_ticks(row.try_get("alert_timeout")?),
        ticket_status_display_value: row.try_get("ticket_status_display")?,
        ticket_type_name: row.try_get("ticket_type_name")?,
        num_messages: i32::try_from(num_messages).unwrap_or(i32::MAX),
        ..Ticket::default()
    }))
}

async fn load_associate(conn: &mut Conn, id: i32) -> Result<Option<Associate>, StoreError> {
    let Some(row) = sqlx::query(
        "SELECT id, login, full_name, COALESCE(person_id, 0) AS person_id, user_type, deleted \
         FROM associates WHERE id = $1",
    )
    .bind(id)
    .fetch_optional(&mut *conn)
    .await?
    else {
        return Ok(None);
    };
    let full_name: String = row.try_get("full_name")?;
    Ok(Some(Associate {
        associate_id: row.try_get("id")?,
        name: row.try_get("login")?,
        person_id: row.try_get("person_id")?,
        tooltip: full_name.clone(),
        user_type: ordinal(row.try_get("user_type")?),
        formal_name: full_name.clone(),
        full_name,
        deleted: row.try_get("deleted")?,
        ej_user_id: row.try_get("id")?,
        ..Associate::default()
    }))
}

async fn load_person(conn: &mut Conn, id: i32) -> Result<Option<Person>, StoreError> {
    let Some(row) = sqlx::query(
        "SELECT id, firstname, middle_name, lastname, title, email, direct_phone, contact_id, \
         contact_name FROM persons WHERE id = $1",
    )
    .bind(id)
    .fetch_optional(&mut *conn)
    .await?
    else {
        return Ok(None);
    };
    let firstname: String = row.try_get("firstname")?;
    let middle_name: String = row.try_get("middle_name")?;
    let lastname: String = row.try_get("lastname")?;
    let full_name = Person::compose_full_name(&firstname, &middle_name, &lastname);
    Ok(Some(Person {
        person_id: row.try_get("id")?,
        title: row.try_get("title")?,
        email: row.try_get("email")?,
        email_name: full_name.clone(),
        direct_phone: row.try_get("direct_phone")?,
        contact_id: row.try_get("contact_id")?,
        contact_name: row.try_get("contact_name")?,
        contact_full_name: row.try_get("contact_name")?,
        formal_name: full_name.clone(),
        full_name,
        firstname,
        middle_name,
        lastname,
        ..Person::default()
    }))
}

async fn load_save_events(conn: &mut Conn, message_id: i32) -> Result<Vec<SaveEvent>, StoreError> {
    let rows = sqlx::query(
        "SELECT message_id, event, notify, associate_id FROM message_events \
         WHERE message_id = $1 ORDER BY id",
    )
    .bind(message_id)
    .fetch_all(&mut *conn)
    .await?;
    rows.iter()
        .map(|row| {
            Ok(SaveEvent {
                message_id: row.try_get("message_id")?,
                event: row.try_get("event")?,
                notify: row.try_get("notify")?,
                associate_id: row.try_get("associate_id")?,
            })
        })
        .collect()
}

/// The credentials of the associate with `login` (by login key) or with id `id`.
async fn load_credentials(conn: &mut Conn, login: Option<&str>, id: i32) -> Result<Option<Credentials>, StoreError> {
    let row = sqlx::query(
        "SELECT id, login, password_hash, deleted, role FROM associates WHERE login_key = $1 OR id = $2",
    )
    .bind(login.map(str::to_lowercase).unwrap_or_default())
    .bind(if login.is_some() { 0 } else { id })
    .fetch_optional(&mut *conn)
    .await?;
    row.map(|row| {
        Ok(Credentials {
            associate_id: row.try_get("id")?,
            login: row.try_get("login")?,
            password_hash: row.try_get("password_hash")?,
            deleted: row.try_get("deleted")?,
            role: crate::domain::Role::from_code(row.try_get("role")?),
        })
    })
    .transpose()
}

async fn load_secret(conn: &mut Conn, kind: SecretKind, hash: &str) -> Result<Option<StoredSecret>, StoreError> {
    let row = sqlx::query(
        "SELECT associate_id, name, scope, xsrf_token, expires_at, revoked FROM auth_secrets \
         WHERE secret_hash = $1 AND kind = $2",
    )
    .bind(hash)
    .bind(kind.code())
    .fetch_optional(&mut *conn)
    .await?;
    row.map(|row| {
        let expires_at: Option<i64> = row.try_get("expires_at")?;
        Ok(StoredSecret {
            associate_id: row.try_get("associate_id")?,
            name: row.try_get("name")?,
            scope: crate::domain::Scope::from_code(row.try_get("scope")?),
            xsrf_token: row.try_get("xsrf_token")?,
            expires_at: expires_at.map(from_ticks),
            revoked: row.try_get("revoked")?,
        })
    })
    .transpose()
}
