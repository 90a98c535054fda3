//! Custom field definitions and a message's foreign keys.

use crate::domain::{CustomFieldInfo, FieldMap, VendorEnum as _};
use crate::store::StoreError;
use crate::store::classify::is_foreign_key_violation;
use crate::store::db::{Db, values};
use crate::store::sql::metadata as sql;

pub async fn custom_fields(db: &mut impl Db) -> Result<Vec<CustomFieldInfo>, StoreError> {
    db.all(sql::SELECT_CUSTOM_FIELDS, &[], |row| sql::custom_field(&row)).await
}

/// Adds or replaces a definition.
pub async fn put_custom_field(db: &mut impl Db, f: &CustomFieldInfo) -> Result<(), StoreError> {
    db.run(sql::DELETE_CUSTOM_FIELD, values![&f.field_name]).await?;
    let values = values![
        &f.field_name,
        f.field_type.ordinal(),
        &f.display_name,
        &f.description,
        &f.short_label,
        f.hide_label,
        f.hide_field,
        f.is_indexed,
        f.is_mandatory,
        f.is_read_only,
        f.is_external,
        f.is_display_field,
        f.rank,
        &f.template_variable_name,
    ];
    db.run(sql::INSERT_CUSTOM_FIELD, values).await?;
    Ok(())
}

/// A message's foreign keys; `None` when the message does not exist. Run in one snapshot.
pub async fn foreign_keys(db: &mut impl Db, message_id: i32) -> Result<Option<FieldMap>, StoreError> {
    if db.one(sql::MESSAGE_EXISTS, values![message_id], |row| row.int("id")).await?.is_none() {
        return Ok(None);
    }
    let pairs = db
        .all(sql::SELECT_FOREIGN_KEYS, values![message_id], |row| Ok((row.text("fk_key")?, row.text("fk_value")?)))
        .await?;
    Ok(Some(pairs.into_iter().collect()))
}

/// Sets one foreign key; `NotFound` when the message does not exist.
pub async fn set_foreign_key(db: &mut impl Db, message_id: i32, key: &str, value: &str) -> Result<(), StoreError> {
    db.run(sql::DELETE_FOREIGN_KEY, values![message_id, key]).await?;
    db.run(sql::INSERT_FOREIGN_KEY, values![message_id, key, value])
        .await
        .map_err(|err| if is_foreign_key_violation(&err) { StoreError::NotFound } else { err })?;
    Ok(())
}
