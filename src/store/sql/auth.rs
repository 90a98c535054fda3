//! Associates, persons, tickets and the secrets (sessions, tickets, tokens) that sign callers in.

use crate::domain::Scope;
use crate::store::columns::Columns;
use crate::store::{SaveEvent, StoreError, StoredSecret, from_ticks};

pub const COUNT_ASSOCIATES: &str = "SELECT COUNT(*) AS n FROM associates";

/// `$1` login key, `$2` the new hash.
pub const SET_PASSWORD: &str = "UPDATE associates SET password_hash = $2 WHERE login_key = $1";
/// `$1` login key, `$2` disabled.
pub const SET_DISABLED: &str = "UPDATE associates SET deleted = $2 WHERE login_key = $1";
/// `$1` login key, `$2` role code.
pub const SET_ROLE: &str = "UPDATE associates SET role = $2 WHERE login_key = $1";
/// Ends the tickets (`$2`) and sessions (`$3`) of the associate with login key `$1`.
pub const REVOKE_SIGN_INS: &str = "UPDATE auth_secrets SET revoked = TRUE WHERE kind IN ($2, $3) AND NOT revoked \
     AND associate_id IN (SELECT id FROM associates WHERE login_key = $1)";

pub const INSERT_SECRET: &str = "INSERT INTO auth_secrets (secret_hash, kind, associate_id, name, scope, xsrf_token, \
     expires_at, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)";
/// `$1` hash, `$2` kind.
pub const SELECT_SECRET: &str = "SELECT associate_id, name, scope, xsrf_token, expires_at, revoked FROM auth_secrets \
     WHERE secret_hash = $1 AND kind = $2";
/// `$1` kind, `$2` hash.
pub const REVOKE_BY_HASH: &str = "UPDATE auth_secrets SET revoked = TRUE WHERE kind = $1 AND secret_hash = $2";
/// `$1` kind, `$2` name.
pub const REVOKE_BY_NAME: &str = "UPDATE auth_secrets SET revoked = TRUE WHERE kind = $1 AND name = $2";

pub const INSERT_ASSOCIATE: &str = "INSERT INTO associates (login, login_key, password_hash, full_name, email, \
     person_id, user_type, role, language) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id";
pub const INSERT_PERSON: &str = "INSERT INTO persons (firstname, middle_name, lastname, title, email, direct_phone, \
     contact_id, contact_name) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id";
pub const INSERT_TICKET: &str = "INSERT INTO tickets (title, created_at, last_changed, created_by, owned_by, person_id, \
     category_name, priority_name, slevel, base_status, language, deadline, activate, alert_timeout, \
     ticket_status_display, ticket_type_name) \
     VALUES ($1, $2, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15) RETURNING id";

/// `$1` message.
pub const SELECT_SAVE_EVENTS: &str =
    "SELECT message_id, event, notify, associate_id FROM message_events WHERE message_id = $1 ORDER BY id";

/// A row of [`SELECT_SECRET`].
pub fn stored_secret(row: &impl Columns) -> Result<StoredSecret, StoreError> {
    Ok(StoredSecret {
        associate_id: row.maybe_int("associate_id")?,
        name: row.text("name")?,
        scope: Scope::from_code(row.int("scope")?),
        xsrf_token: row.text("xsrf_token")?,
        expires_at: row.maybe_big("expires_at")?.map(from_ticks),
        revoked: row.flag("revoked")?,
    })
}

/// A row of [`SELECT_SAVE_EVENTS`].
pub fn save_event(row: &impl Columns) -> Result<SaveEvent, StoreError> {
    Ok(SaveEvent {
        message_id: row.int("message_id")?,
        event: row.text("event")?,
        notify: row.flag("notify")?,
        associate_id: row.int("associate_id")?,
    })
}
