//! How a save changes a message's child rows (headers, attachment info, extra and custom
//! fields): the stored rows diffed against the draft's, so an unchanged list writes nothing and
//! a changed one writes only the rows that differ. The decisions are made here once; each
//! backend reads the stored rows and runs the plan.
//!
//! An item keeps its id only when that id already belongs to this message and has not been used
//! earlier in the same list; every other item is a new row with a fresh id, so a client's stale
//! or repeated ids never collide.

use std::collections::{BTreeMap, HashMap};

use super::StoreError;
use super::columns::Columns;
use super::message_rows::{self, FIELD_KIND_CUSTOM, FIELD_KIND_EXTRA};
use crate::domain::{AttachmentInfo, MessageContent, MessageHeader};

/// `$1` the message.
/// In the list's order, so an edit that reads them has the message's content as well.
pub const SELECT_HEADERS: &str = "SELECT id, position, name, value, std_item, std_item_col FROM message_headers \
     WHERE message_id = $1 ORDER BY position";
pub const SELECT_ATTACHMENTS: &str = "SELECT id, position, name, content_type, att_size, inline_image, content_id, \
     auth_key FROM attachments WHERE message_id = $1 ORDER BY position";
pub const SELECT_FIELDS: &str = "SELECT kind, field_key, field_value FROM message_fields WHERE message_id = $1";

/// `$1` id, then position, name, value, std_item, std_item_col.
pub const UPDATE_HEADER: &str =
    "UPDATE message_headers SET position = $2, name = $3, value = $4, std_item = $5, std_item_col = $6 WHERE id = $1";
pub const DELETE_ALL_HEADERS: &str = "DELETE FROM message_headers WHERE message_id = $1";
pub const DELETE_ALL_FIELDS: &str = "DELETE FROM message_fields WHERE message_id = $1";

/// A header or attachment-information row as stored: its position and the item it maps to.
pub type Placed<T> = (i32, T);

pub fn stored_header(row: &impl Columns) -> Result<Placed<MessageHeader>, StoreError> {
    Ok((row.int("position")?, message_rows::header(row)?))
}

pub fn stored_attachment(row: &impl Columns) -> Result<Placed<AttachmentInfo>, StoreError> {
    Ok((row.int("position")?, message_rows::attachment_info(row)?))
}

/// A field row as stored: kind, key, value.
pub type StoredField = (i32, String, String);

pub fn stored_field(row: &impl Columns) -> Result<StoredField, StoreError> {
    Ok((row.int("kind")?, row.text("field_key")?, row.text("field_value")?))
}

/// A message's child rows as stored, as an edit that read them inside its write hands them to
/// the save, so the diff does not read them again.
#[derive(Debug, Default, Clone)]
pub struct StoredRows {
    pub headers: Vec<Placed<MessageHeader>>,
    pub attachments: Vec<Placed<AttachmentInfo>>,
    pub fields: Vec<StoredField>,
}

/// The writes that turn one child table's stored rows into the draft's. Items come with their
/// position in the draft's list.
#[derive(Debug)]
pub struct RowPlan<'a, T> {
    /// Stored rows the draft no longer lists, by id.
    pub delete: Vec<i32>,
    /// Whether `delete` is every stored row (one statement by message then does).
    pub delete_all: bool,
    /// Rows that keep their id and changed; the item's `id` is the row's.
    pub update: Vec<(i32, &'a T)>,
    /// New rows: the database gives them ids.
    pub insert: Vec<(i32, &'a T)>,
}

#[cfg(test)]
impl<T> RowPlan<'_, T> {
    pub fn is_empty(&self) -> bool {
        self.delete.is_empty() && self.update.is_empty() && self.insert.is_empty()
    }
}

/// Splits a list by id ownership (see the module), comparing kept items with their stored row.
fn plan<'a, T: PartialEq>(stored: &[Placed<T>], items: &'a [T], id_of: impl Fn(&T) -> i32) -> RowPlan<'a, T> {
    let mut own: HashMap<i32, &Placed<T>> = stored.iter().map(|row| (id_of(&row.1), row)).collect();
    let (mut update, mut insert) = (Vec::new(), Vec::new());
    for (position, item) in items.iter().enumerate() {
        let position = position as i32;
        match own.remove(&id_of(item)) {
            Some((at, row)) if *at == position && row == item => {}
            Some(_) => update.push((position, item)),
            None => insert.push((position, item)),
        }
    }
    let mut delete: Vec<i32> = own.into_keys().collect();
    delete.sort_unstable();
    let delete_all = !stored.is_empty() && delete.len() == stored.len();
    RowPlan { delete, delete_all, update, insert }
}

pub fn plan_headers<'a>(stored: &[Placed<MessageHeader>], headers: &'a [MessageHeader]) -> RowPlan<'a, MessageHeader> {
    plan(stored, headers, |h| h.id)
}

pub fn plan_attachments<'a>(
    stored: &[Placed<AttachmentInfo>],
    items: &'a [AttachmentInfo],
) -> RowPlan<'a, AttachmentInfo> {
    plan(stored, items, |a| a.id)
}

/// The writes that turn the stored fields into the draft's.
#[derive(Debug, Default)]
pub struct FieldPlan<'a> {
    /// (kind, key) of stored fields the draft no longer has.
    pub delete: Vec<(i32, String)>,
    pub delete_all: bool,
    /// (kind, key, value) of new keys and changed values.
    pub upsert: Vec<(i32, &'a str, &'a str)>,
}

pub fn plan_fields<'a>(stored: Vec<StoredField>, content: &'a MessageContent) -> FieldPlan<'a> {
    let stored_count = stored.len();
    let mut old: BTreeMap<(i32, String), String> =
        stored.into_iter().map(|(kind, key, value)| ((kind, key), value)).collect();
    let mut upsert = Vec::new();
    for (kind, fields) in [(FIELD_KIND_EXTRA, &content.extra_fields), (FIELD_KIND_CUSTOM, &content.custom_fields)] {
        for (key, value) in fields {
            match old.remove(&(kind, key.clone())) {
                Some(stored) if stored == *value => {}
                _ => upsert.push((kind, key.as_str(), value.as_str())),
            }
        }
    }
    let delete: Vec<(i32, String)> = old.into_keys().collect();
    let delete_all = stored_count > 0 && delete.len() == stored_count;
    FieldPlan { delete, delete_all, upsert }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn header(id: i32, name: &str) -> MessageHeader {
        MessageHeader { id, name: name.into(), value: "v".into(), ..Default::default() }
    }

    fn stored(id: i32, position: i32, name: &str) -> Placed<MessageHeader> {
        (position, header(id, name))
    }

    #[test]
    fn an_unchanged_list_writes_nothing() {
        let headers = [header(7, "To"), header(9, "Cc")];
        assert!(plan_headers(&[stored(7, 0, "To"), stored(9, 1, "Cc")], &headers).is_empty());
    }

    #[test]
    fn repeated_and_foreign_ids_are_new_rows_and_unlisted_ones_go() {
        let headers = [header(7, "To"), header(7, "To"), header(500, "Bcc")];
        let plan = plan_headers(&[stored(7, 0, "To"), stored(9, 1, "Cc")], &headers);
        assert!(plan.update.is_empty());
        assert_eq!(plan.insert.iter().map(|(position, _)| *position).collect::<Vec<_>>(), [1, 2]);
        assert_eq!(plan.delete, [9]);
        assert!(!plan.delete_all);
    }

    #[test]
    fn a_moved_or_changed_row_is_updated_in_place() {
        let headers = [header(9, "Cc"), header(7, "To!")];
        let plan = plan_headers(&[stored(7, 0, "To"), stored(9, 1, "Cc")], &headers);
        assert_eq!(plan.update.len(), 2);
        assert!(plan.insert.is_empty() && plan.delete.is_empty());
    }

    #[test]
    fn fields_write_only_new_and_changed_values_and_drop_missing_keys() {
        let mut content = MessageContent::default();
        content.extra_fields.insert("a".into(), "1".into());
        content.extra_fields.insert("b".into(), "new".into());
        content.custom_fields.insert("c".into(), "3".into());
        let stored = vec![
            (FIELD_KIND_EXTRA, "a".into(), "1".into()),
            (FIELD_KIND_EXTRA, "b".into(), "old".into()),
            (FIELD_KIND_CUSTOM, "gone".into(), "x".into()),
        ];
        let plan = plan_fields(stored, &content);
        assert_eq!(plan.upsert, [(FIELD_KIND_EXTRA, "b", "new"), (FIELD_KIND_CUSTOM, "c", "3")]);
        assert_eq!(plan.delete, [(FIELD_KIND_CUSTOM, "gone".to_owned())]);
        assert!(!plan.delete_all);
    }
}
