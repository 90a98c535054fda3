//! The statements that read a message, its child rows and the entities it names, and the
//! mapping of their rows to the domain; both the sqlx code and the rusqlite hot path run these.

use super::columns::Columns;
use super::{Credentials, StoreError, from_ticks};
use crate::domain::{
    Associate, AttachmentInfo, MessageContent, MessageHeader, Person, Role, Ticket, TicketMessage, VendorEnum,
};

pub const FIELD_KIND_EXTRA: i32 = 0;
pub const FIELD_KIND_CUSTOM: i32 = 1;

/// The message row, with whether each child table holds rows of it, and in the same row its
/// ticket (columns `t_…`), its creator (`a_…`) and its person (`p_…`): one statement, so one
/// round trip and one consistent view.
pub const SELECT_MESSAGE: &str = "SELECT m.id, m.ticket_id, m.created_at, m.created_by, m.author, m.slevel, \
     m.message_type, m.message_id, m.time_spent, m.body, m.html_body, m.email_header, m.debug_info, m.mail_sorter, \
     m.category, m.person_id, m.search_title, m.important, m.language, m.sentiment, m.sentiment_confidence, m.badge, \
     m.version, m.updated_at, \
     EXISTS (SELECT 1 FROM message_headers WHERE message_id = $1) AS has_headers, \
     EXISTS (SELECT 1 FROM attachments WHERE message_id = $1) AS has_attachments, \
     EXISTS (SELECT 1 FROM message_fields WHERE message_id = $1) AS has_fields, \
     t.id AS t_id, t.title AS t_title, t.created_at AS t_created_at, t.last_changed AS t_last_changed, \
     t.created_by AS t_created_by, t.owned_by AS t_owned_by, t.category_name AS t_category_name, \
     t.priority_name AS t_priority_name, t.slevel AS t_slevel, t.base_status AS t_base_status, \
     t.language AS t_language, t.deadline AS t_deadline, t.activate AS t_activate, t.alert_timeout AS t_alert_timeout, \
     t.replied_at AS t_replied_at, t.ticket_status_display AS t_ticket_status_display, t.ticket_type_name AS t_ticket_type_name, \
     COALESCE(tcb.full_name, '') AS t_created_by_name, COALESCE(tob.full_name, '') AS t_owned_by_name, \
     COALESCE(tp.firstname, '') AS t_person_firstname, COALESCE(tp.middle_name, '') AS t_person_middle_name, \
     COALESCE(tp.lastname, '') AS t_person_lastname, COALESCE(tp.email, '') AS t_from_address, \
     COALESCE(tp.contact_id, 0) AS t_contact_id, COALESCE(tp.contact_name, '') AS t_contact_name, \
     COALESCE(t.person_id, 0) AS t_cust_id, \
     (SELECT COUNT(*) FROM ticket_messages tm WHERE tm.ticket_id = t.id) AS t_num_messages, \
     a.id AS a_id, a.login AS a_login, a.full_name AS a_full_name, COALESCE(a.person_id, 0) AS a_person_id, \
     a.user_type AS a_user_type, a.deleted AS a_deleted, \
     p.id AS p_id, p.firstname AS p_firstname, p.middle_name AS p_middle_name, p.lastname AS p_lastname, \
     p.title AS p_title, p.email AS p_email, p.direct_phone AS p_direct_phone, p.contact_id AS p_contact_id, \
     p.contact_name AS p_contact_name \
     FROM ticket_messages m \
     LEFT JOIN tickets t ON t.id = m.ticket_id \
     LEFT JOIN associates tcb ON tcb.id = t.created_by \
     LEFT JOIN associates tob ON tob.id = t.owned_by \
     LEFT JOIN persons tp ON tp.id = t.person_id \
     LEFT JOIN associates a ON a.id = m.created_by \
     LEFT JOIN persons p ON p.id = m.person_id \
     WHERE m.id = $1";

pub const SELECT_ASSOCIATE: &str = "SELECT id, login, full_name, COALESCE(person_id, 0) AS person_id, user_type, deleted \
     FROM associates WHERE id = $1";

/// By login key (`$1`, lower-cased) or, when that is empty, by id (`$2`).
pub const SELECT_CREDENTIALS: &str =
    "SELECT id, login, password_hash, deleted, role FROM associates WHERE login_key = $1 OR id = $2";
/// The counter that moves on every change of any associate's credentials (migration 0013).
pub const SELECT_CREDENTIALS_VERSION: &str = "SELECT version FROM credentials_version WHERE id = 1";

/// The `$1`/`$2` of [`SELECT_CREDENTIALS`] for a login or an id.
pub fn credentials_key(login: Option<&str>, id: i32) -> (String, i32) {
    (login.map(str::to_lowercase).unwrap_or_default(), if login.is_some() { 0 } else { id })
}

/// A stored vendor ordinal as its enum; an unknown one reads as the default member.
pub fn ordinal<E: VendorEnum + Default>(value: i32) -> E {
    E::from_ordinal(i64::from(value)).unwrap_or_default()
}

/// What the message row of [`SELECT_MESSAGE`] says besides the content.
pub struct MessageRow {
    pub content: MessageContent,
    pub version: i64,
    pub updated_at: i64,
    pub has_headers: bool,
    pub has_attachments: bool,
    pub has_fields: bool,
    pub ticket: Option<Ticket>,
    pub created_by_associate: Option<Associate>,
    pub person: Option<Person>,
}

impl MessageRow {
    /// The message, with the child rows read into its content.
    pub fn into_message(self, id: i32) -> TicketMessage {
        TicketMessage {
            id,
            ticket: self.ticket,
            created_by: self.created_by_associate,
            person: self.person,
            content: self.content,
            version: self.version,
            updated_at: from_ticks(self.updated_at),
        }
    }
}

pub fn message_row(row: &impl Columns) -> Result<MessageRow, StoreError> {
    Ok(MessageRow {
        content: message_content(row)?,
        version: row.big("version")?,
        updated_at: row.big("updated_at")?,
        has_headers: row.flag("has_headers")?,
        has_attachments: row.flag("has_attachments")?,
        has_fields: row.flag("has_fields")?,
        ticket: joined(row, "t_", |entity| ticket(entity))?,
        created_by_associate: joined(row, "a_", |entity| associate(entity))?,
        person: joined(row, "p_", |entity| person(entity))?,
    })
}

/// The entity whose columns carry `prefix` in a joined row; `None` when the join found none.
fn joined<R: Columns, T>(
    row: &R,
    prefix: &'static str,
    map: impl FnOnce(&Prefixed<'_, R>) -> Result<T, StoreError>,
) -> Result<Option<T>, StoreError> {
    let entity = Prefixed { row, prefix };
    if entity.maybe_int("id")?.is_none() {
        return Ok(None);
    }
    map(&entity).map(Some)
}

/// The columns of a row whose names start with `prefix`, read by their unprefixed names.
struct Prefixed<'r, R> {
    row: &'r R,
    prefix: &'static str,
}

impl<R: Columns> Prefixed<'_, R> {
    fn name(&self, column: &str) -> String {
        [self.prefix, column].concat()
    }
}

impl<R: Columns> Columns for Prefixed<'_, R> {
    fn int(&self, column: &str) -> Result<i32, StoreError> {
        self.row.int(&self.name(column))
    }
    fn big(&self, column: &str) -> Result<i64, StoreError> {
        self.row.big(&self.name(column))
    }
    fn maybe_int(&self, column: &str) -> Result<Option<i32>, StoreError> {
        self.row.maybe_int(&self.name(column))
    }
    fn text(&self, column: &str) -> Result<String, StoreError> {
        self.row.text(&self.name(column))
    }
    fn maybe_text(&self, column: &str) -> Result<Option<String>, StoreError> {
        self.row.maybe_text(&self.name(column))
    }
    fn flag(&self, column: &str) -> Result<bool, StoreError> {
        self.row.flag(&self.name(column))
    }
    fn maybe_big(&self, column: &str) -> Result<Option<i64>, StoreError> {
        self.row.maybe_big(&self.name(column))
    }
    fn bytes(&self, column: &str) -> Result<Vec<u8>, StoreError> {
        self.row.bytes(&self.name(column))
    }
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
        replied_at: from_ticks(row.big("replied_at")?),
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
