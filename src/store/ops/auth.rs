//! Associates, persons, tickets and secrets.

use crate::domain::{Associate, VendorEnum as _};
use crate::store::classify::{is_foreign_key_violation, is_unique_violation};
use crate::store::db::{Db, values};
use crate::store::message_rows;
use crate::store::sql::auth as sql;
use crate::store::{
    AssociateChange, NewAssociate, NewPerson, NewSecret, NewTicket, SaveEvent, SecretKind, StoreError, StoredSecret,
    now_ticks, to_ticks,
};

/// Turns a unique-key violation into a conflict on `what`.
fn taken(err: StoreError, what: impl FnOnce() -> String) -> StoreError {
    if is_unique_violation(&err) { StoreError::Conflict(what()) } else { err }
}

pub async fn is_empty(db: &mut impl Db) -> Result<bool, StoreError> {
    let count = db.one(sql::COUNT_ASSOCIATES, &[], |row| row.big("n")).await?;
    Ok(count.unwrap_or(0) == 0)
}

pub async fn associate(db: &mut impl Db, id: i32) -> Result<Option<Associate>, StoreError> {
    db.one(message_rows::SELECT_ASSOCIATE, values![id], |row| message_rows::associate(&row)).await
}

pub async fn save_events(db: &mut impl Db, message_id: i32) -> Result<Vec<SaveEvent>, StoreError> {
    db.all(sql::SELECT_SAVE_EVENTS, values![message_id], |row| sql::save_event(&row)).await
}

pub async fn find_secret(db: &mut impl Db, kind: SecretKind, hash: &str) -> Result<Option<StoredSecret>, StoreError> {
    db.one(sql::SELECT_SECRET, values![hash, kind.code()], |row| sql::stored_secret(&row)).await
}

/// Changes a login's password, role or disabled state; a new password or a disabled account
/// ends every session and ticket the associate holds, in the same transaction (API tokens are
/// separate credentials and stay). Whether the login exists.
pub async fn change_associate(db: &mut impl Db, login: &str, change: &AssociateChange) -> Result<bool, StoreError> {
    let key = login.to_lowercase();
    let changed = match change {
        AssociateChange::PasswordHash(hash) => db.run(sql::SET_PASSWORD, values![&key, hash]).await?,
        AssociateChange::Disabled(disabled) => db.run(sql::SET_DISABLED, values![&key, *disabled]).await?,
        AssociateChange::Role(role) => db.run(sql::SET_ROLE, values![&key, role.code()]).await?,
    };
    if changed > 0 && matches!(change, AssociateChange::PasswordHash(_) | AssociateChange::Disabled(true)) {
        db.run(sql::REVOKE_SIGN_INS, values![&key, SecretKind::Ticket.code(), SecretKind::Session.code()]).await?;
    }
    Ok(changed > 0)
}

pub async fn insert_secret(db: &mut impl Db, secret: &NewSecret) -> Result<(), StoreError> {
    let values = values![
        &secret.hash,
        secret.kind.code(),
        secret.associate_id,
        &secret.name,
        secret.scope.code(),
        &secret.xsrf_token,
        secret.expires_at.as_ref().map(to_ticks),
        now_ticks(),
    ];
    db.run(sql::INSERT_SECRET, values)
        .await
        .map_err(|err| taken(err, || format!("A secret named '{}'", secret.name)))?;
    Ok(())
}

/// Revokes secrets of a kind by hash, or by name when `hash` is `None`; how many.
pub async fn revoke_secret(
    db: &mut impl Db,
    kind: SecretKind,
    hash: Option<&str>,
    name: &str,
) -> Result<u64, StoreError> {
    match hash {
        Some(hash) => db.run(sql::REVOKE_BY_HASH, values![kind.code(), hash]).await,
        None => db.run(sql::REVOKE_BY_NAME, values![kind.code(), name]).await,
    }
}

pub async fn add_associate(db: &mut impl Db, a: &NewAssociate) -> Result<i32, StoreError> {
    let key = a.login.to_lowercase();
    let values = values![
        &a.login,
        &key,
        &a.password_hash,
        &a.full_name,
        &a.email,
        a.person_id,
        a.user_type.ordinal(),
        a.role.code(),
        &a.language,
    ];
    let id = db.one(sql::INSERT_ASSOCIATE, values, |row| row.int("id")).await;
    id.map_err(|err| taken(err, || format!("Login '{}'", a.login)))?.ok_or(StoreError::NotFound)
}

pub async fn add_person(db: &mut impl Db, p: &NewPerson) -> Result<i32, StoreError> {
    let values = values![
        &p.firstname,
        &p.middle_name,
        &p.lastname,
        &p.title,
        &p.email,
        &p.direct_phone,
        p.contact_id,
        &p.contact_name,
    ];
    db.one(sql::INSERT_PERSON, values, |row| row.int("id")).await?.ok_or(StoreError::NotFound)
}

pub async fn add_ticket(db: &mut impl Db, t: &NewTicket) -> Result<i32, StoreError> {
    let values = values![
        &t.title,
        now_ticks(),
        t.created_by,
        t.owned_by,
        t.person_id,
        &t.category_name,
        &t.priority_name,
        t.slevel.ordinal(),
        t.base_status.ordinal(),
        &t.language,
        t.deadline.as_ref().map_or(0, to_ticks),
        t.activate.as_ref().map_or(0, to_ticks),
        t.alert_timeout.as_ref().map_or(0, to_ticks),
        &t.status_display,
        &t.type_name,
    ];
    let id = db.one(sql::INSERT_TICKET, values, |row| row.int("id")).await.map_err(|err| {
        if is_foreign_key_violation(&err) {
            StoreError::UnknownReference { field: "Ticket.OwnedBy", id: t.owned_by }
        } else {
            err
        }
    })?;
    id.ok_or(StoreError::NotFound)
}
