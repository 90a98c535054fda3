//! Custom field definitions and a message's foreign keys.

use crate::domain::CustomFieldInfo;
use crate::store::StoreError;
use crate::store::columns::Columns;
use crate::store::message_rows::ordinal;

pub const SELECT_CUSTOM_FIELDS: &str = "SELECT field_name, field_type, display_name, description, short_label, \
     hide_label, hide_field, is_indexed, is_mandatory, is_read_only, is_external, is_display_field, rank, \
     template_variable_name FROM custom_field_definitions ORDER BY rank, field_name";
pub const DELETE_CUSTOM_FIELD: &str = "DELETE FROM custom_field_definitions WHERE field_name = $1";
pub const INSERT_CUSTOM_FIELD: &str = "INSERT INTO custom_field_definitions (field_name, field_type, display_name, \
     description, short_label, hide_label, hide_field, is_indexed, is_mandatory, is_read_only, is_external, \
     is_display_field, rank, template_variable_name) \
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)";

/// `$1` message.
pub const MESSAGE_EXISTS: &str = "SELECT id FROM ticket_messages WHERE id = $1";
/// `$1` message.
pub const SELECT_FOREIGN_KEYS: &str = "SELECT fk_key, fk_value FROM message_foreign_keys WHERE message_id = $1";
/// `$1` message, `$2` key.
pub const DELETE_FOREIGN_KEY: &str = "DELETE FROM message_foreign_keys WHERE message_id = $1 AND fk_key = $2";
/// `$1` message, `$2` key, `$3` value.
pub const INSERT_FOREIGN_KEY: &str =
    "INSERT INTO message_foreign_keys (message_id, fk_key, fk_value) VALUES ($1, $2, $3)";

/// A row of [`SELECT_CUSTOM_FIELDS`].
pub fn custom_field(row: &impl Columns) -> Result<CustomFieldInfo, StoreError> {
    Ok(CustomFieldInfo {
        field_type: ordinal(row.int("field_type")?),
        field_name: row.text("field_name")?,
        display_name: row.text("display_name")?,
        description: row.text("description")?,
        short_label: row.text("short_label")?,
        hide_label: row.flag("hide_label")?,
        hide_field: row.flag("hide_field")?,
        is_indexed: row.flag("is_indexed")?,
        is_mandatory: row.flag("is_mandatory")?,
        is_read_only: row.flag("is_read_only")?,
        is_external: row.flag("is_external")?,
        is_display_field: row.flag("is_display_field")?,
        rank: row.int("rank")?,
        template_variable_name: row.maybe_text("template_variable_name")?,
    })
}
