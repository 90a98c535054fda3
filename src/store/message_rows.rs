//! The statements that read a message, its child rows and the entities it names, and the
//! mapping of their rows to the domain; both the sqlx code and the rusqlite hot path run these.

use super::columns::Columns;
use super::{Credentials, StoreError, from_ticks};
use crate::domain::{
    Associate, AttachmentInfo, FieldMap, MessageContent, MessageHeader, Person, Role, Ticket, TicketMessage, VendorEnum,
};

pub const FIELD_KIND_EXTRA: i32 = 0;
pub const FIELD_KIND_CUSTOM: i32 = 1;

/// The message row, with whether each child table holds rows of it.
pub const SELECT_MESSAGE: &str = "SELECT id, ticket_id, created_at, created_by, author, slevel, message_type, message_id, \
     time_spent, body, html_body, email_header, debug_info, mail_sorter, category, person_id, \
     search_title, important, language, sentiment, sentiment_confidence, badge, version, updated_at, \
     EXISTS (SELECT 1 FROM message_headers WHERE message_id = $1) AS has_headers, \
     EXISTS (SELECT 1 FROM attachments WHERE message_id = $1) AS has_attachments, \
     EXISTS (SELECT 1 FROM message_fields WHERE message_id = $1) AS has_fields \
     FROM ticket_messages WHERE id = $1";

pub const SELECT_HEADERS: &str = "SELECT id, name, value, std_item, std_item_col FROM message_headers \
     WHERE message_id = $1 ORDER BY position";

pub const SELECT_ATTACHMENTS: &str = "SELECT id, name, content_type, att_size, inline_image, content_id, auth_key \
     FROM attachments WHERE message_id = $1 ORDER BY position";

pub const SELECT_FIELDS: &str = "SELECT kind, field_key, field_value FROM message_fields WHERE message_id = $1";

pub const SELECT_TICKET: &str = "SELECT t.id, t.title, t.created_at, t.last_changed, t.created_by, t.owned_by, \
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
     WHERE t.id = $1";

pub const SELECT_ASSOCIATE: &str = "SELECT id, login, full_name, COALESCE(person_id, 0) AS person_id, user_type, deleted \
     FROM associates WHERE id = $1";

pub const SELECT_PERSON: &str = "SELECT id, firstname, middle_name, lastname, title, email, direct_phone, contact_id, \
     contact_name FROM persons WHERE id = $1";

/// By login key (`$1`, lower-cased) or, when that is empty, by id (`$2`).
pub const SELECT_CREDENTIALS: &str =
    "SELECT id, login, password_hash, deleted, role FROM associates WHERE login_key = $1 OR id = $2";

/// The `$1`/`$2` of [`SELECT_CREDENTIALS`] for a login or an id.
pub fn credentials_key(login: Option<&str>, id: i32) -> (String, i32) {
    (login.map(str::to_lowercase).unwrap_or_default(), if login.is_some() { 0 } else { id })
}

fn ordinal<E: VendorEnum + Default>(value: i32) -> E {
    E::from_ordinal(i64::from(value)).unwrap_or_default()
}

/// What the message row of [`SELECT_MESSAGE`] says besides the content.
pub struct MessageRow {
    pub content: MessageContent,
    pub ticket_id: i32,
    pub created_by: i32,
    pub person_id: Option<i32>,
    pub version: i64,
    pub updated_at: i64,
    pub has_headers: bool,
    pub has_attachments: bool,
    pub has_fields: bool,
}

impl MessageRow {
    /// The message, once the entities it names are read.
    pub fn into_message(
        self,
        id: i32,
        ticket: Option<Ticket>,
        created_by: Option<Associate>,
        person: Option<Person>,
    ) -> TicketMessage {
        TicketMessage {
            id,
            ticket,
            created_by,
            person,
            content: self.content,
            version: self.version,
            updated_at: from_ticks(self.updated_at),
        }
    }
}

pub fn message_row(row: &impl Columns) -> Result<MessageRow, StoreError> {
    Ok(MessageRow {
        content: message_content(row)?,
        ticket_id: row.int("ticket_id")?,
        created_by: row.int("created_by")?,
        person_id: row.maybe_int("person_id")?,
        version: row.big("version")?,
        updated_at: row.big("updated_at")?,
        has_headers: row.flag("has_headers")?,
        has_attachments: row.flag("has_attachments")?,
        has_fields: row.flag("has_fields")?,
    })
}

fn message_content(row: &impl Columns) -> Result<MessageContent, StoreError> {
    Ok(MessageContent {
        created_at: from_ticks(row.big("created_at")?),
        author: row.text("author")?,
        slevel: ordinal(row.int("slevel")?),
        message_type: ordinal(row.int("message_type")?),
        message_id: row.text("message_id")?,
        time_spent: row.int("time_spent")?,
        body: row.text("body")?,
        html_body: row.text("html_body")?,
        email_header: row.text("email_header")?,
        debug_info: row.text("debug_info")?,
        mail_sorter: row.text("mail_sorter")?,
        category: ordinal(row.int("category")?),
        search_title: row.text("search_title")?,
        important: row.flag("important")?,
        language: row.text("language")?,
        sentiment: row.int("sentiment")?,
        sentiment_confidence: row.int("sentiment_confidence")?,
        badge: ordinal(row.int("badge")?),
        ..MessageContent::default()
    })
}

pub fn header(row: &impl Columns) -> Result<MessageHeader, StoreError> {
    Ok(MessageHeader {
        id: row.int("id")?,
        name: row.text("name")?,
        value: row.text("value")?,
        std_item: ordinal(row.int("std_item")?),
        std_item_col: ordinal(row.int("std_item_col")?),
    })
}

pub fn attachment_info(row: &impl Columns) -> Result<AttachmentInfo, StoreError> {
    Ok(AttachmentInfo {
        id: row.int("id")?,
        name: row.text("name")?,
        content_type: row.text("content_type")?,
        size: row.int("att_size")?,
        inline_image: row.flag("inline_image")?,
        content_id: row.text("content_id")?,
        auth_key: row.text("auth_key")?,
    })
}

/// Files a [`SELECT_FIELDS`] row under the message's `ExtraFields` or `CustomFields`.
pub fn add_field(row: &impl Columns, extra: &mut FieldMap, custom: &mut FieldMap) -> Result<(), StoreError> {
    let target = if row.int("kind")? == FIELD_KIND_EXTRA { extra } else { custom };
    target.insert(row.text("field_key")?, row.text("field_value")?);
    Ok(())
}

pub fn ticket(row: &impl Columns) -> Result<Ticket, StoreError> {
    let first = row.text("person_firstname")?;
    let middle = row.text("person_middle_name")?;
    let last = row.text("person_lastname")?;
    Ok(Ticket {
        ticket_id: row.int("id")?,
        title: row.text("title")?,
        created_at: from_ticks(row.big("created_at")?),
        last_changed: from_ticks(row.big("last_changed")?),
        created_by: row.int("created_by")?,
        created_by_name: row.text("created_by_name")?,
        owned_by: row.int("owned_by")?,
        owned_by_associate_id: row.int("owned_by")?,
        owned_by_name: row.text("owned_by_name")?,
        category_name: row.text("category_name")?,
        category_fullname: row.text("category_name")?,
        priority_name: row.text("priority_name")?,
        slevel: ordinal(row.int("slevel")?),
        base_status: ordinal(row.int("base_status")?),
        cust_id: row.int("cust_id")?,
        person_fullname: Person::compose_full_name(&first, &middle, &last),
        person_firstname: first,
        person_middle_name: middle,
        person_lastname: last,
        from_address: row.text("from_address")?,
        contact_id: row.int("contact_id")?,
        contact_name: row.text("contact_name")?,
        language: row.text("language")?,
        deadline: from_ticks(row.big("deadline")?),
        activate: from_ticks(row.big("activate")?),
        alert_timeout: from_ticks(row.big("alert_timeout")?),
        ticket_status_display_value: row.text("ticket_status_display")?,
        ticket_type_name: row.text("ticket_type_name")?,
        num_messages: i32::try_from(row.big("num_messages")?).unwrap_or(i32::MAX),
        ..Ticket::default()
    })
}

pub fn associate(row: &impl Columns) -> Result<Associate, StoreError> {
    let full_name = row.text("full_name")?;
    Ok(Associate {
        associate_id: row.int("id")?,
        name: row.text("login")?,
        person_id: row.int("person_id")?,
        tooltip: full_name.clone(),
        user_type: ordinal(row.int("user_type")?),
        formal_name: full_name.clone(),
        full_name,
        deleted: row.flag("deleted")?,
        ej_user_id: row.int("id")?,
        ..Associate::default()
    })
}

pub fn person(row: &impl Columns) -> Result<Person, StoreError> {
    let firstname = row.text("firstname")?;
    let middle_name = row.text("middle_name")?;
    let lastname = row.text("lastname")?;
    let full_name = Person::compose_full_name(&firstname, &middle_name, &lastname);
    Ok(Person {
        person_id: row.int("id")?,
        title: row.text("title")?,
        email: row.text("email")?,
        email_name: full_name.clone(),
        direct_phone: row.text("direct_phone")?,
        contact_id: row.int("contact_id")?,
        contact_name: row.text("contact_name")?,
        contact_full_name: row.text("contact_name")?,
        formal_name: full_name.clone(),
        full_name,
        firstname,
        middle_name,
        lastname,
        ..Person::default()
    })
}

pub fn credentials(row: &impl Columns) -> Result<Credentials, StoreError> {
    Ok(Credentials {
        associate_id: row.int("id")?,
        login: row.text("login")?,
        password_hash: row.text("password_hash")?,
        deleted: row.flag("deleted")?,
        role: Role::from_code(row.int("role")?),
    })
}
