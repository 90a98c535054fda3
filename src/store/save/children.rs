//! A message's child rows (headers, attachment info, extra and custom fields) written inside the
//! save's transaction: the plan of `store::child_diff`, with the new rows of a table in one
//! multi-row INSERT and its removed rows in one DELETE, so each kind of write is one statement
//! (chunked under the engines' limits on bound parameters).

use super::statements::SaveStatements;
use crate::domain::{AttachmentInfo, MessageContent, MessageHeader, VendorEnum as _};
use crate::store::StoreError;
use crate::store::child_diff::{self as diff, RowPlan, StoredRows};
use crate::store::columns::Columns;
use crate::store::db::{Value, values};
use crate::store::save_sql::{self as sql, StoredChildren};

/// Bound parameters per generated statement: SQLite builds before 3.32 allow 999, PostgreSQL
/// 65535; a save with more rows than fit writes them in several statements.
const MAX_PARAMETERS: usize = 999;

/// The ids the draft's headers and attachment information have once saved, in list order:
/// a kept item's own id, a new row's the id the database gave it. Empty for a table the save
/// did not touch.
#[derive(Debug, Default)]
pub struct ChildIds {
    pub headers: Vec<i32>,
    pub attachments: Vec<i32>,
}

/// Turns the message's stored headers, attachment info and fields into the draft's, writing
/// only the rows that differ. `known` are the stored rows when the caller read them in this
/// transaction already; otherwise the tables `stored` counts rows in are read.
pub async fn write_children<S: SaveStatements>(
    db: &mut S,
    message_id: i32,
    content: &MessageContent,
    stored: StoredChildren,
    known: Option<StoredRows>,
) -> Result<ChildIds, StoreError> {
    let touched = stored.to_replace(content);
    let (known_headers, known_attachments, known_fields) = match known {
        Some(rows) => (Some(rows.headers), Some(rows.attachments), Some(rows.fields)),
        None => (None, None, None),
    };
    let mut ids = ChildIds::default();
    if touched.headers {
        let rows = stored_rows(db, known_headers, stored.headers, diff::SELECT_HEADERS, message_id, |row| {
            diff::stored_header(&row)
        })
        .await?;
        let plan = diff::plan_headers(&rows, &content.headers);
        ids.headers = write_headers(db, message_id, &content.headers, plan).await?;
    }
    if touched.attachments {
        let rows =
            stored_rows(db, known_attachments, stored.attachments, diff::SELECT_ATTACHMENTS, message_id, |row| {
                diff::stored_attachment(&row)
            })
            .await?;
        let plan = diff::plan_attachments(&rows, &content.attachments);
        ids.attachments = write_attachments(db, message_id, &content.attachments, plan).await?;
    }
    if touched.fields {
        let rows = stored_rows(db, known_fields, stored.fields, diff::SELECT_FIELDS, message_id, |row| {
            diff::stored_field(&row)
        })
        .await?;
        write_fields(db, message_id, diff::plan_fields(rows, content)).await?;
    }
    Ok(ids)
}

/// The message's rows in one child table: those in hand, else read when the lookup counted some.
async fn stored_rows<S: SaveStatements, T: Send>(
    db: &mut S,
    known: Option<Vec<T>>,
    held: bool,
    select: &str,
    message_id: i32,
    map: impl FnMut(&dyn Columns) -> Result<T, StoreError> + Send,
) -> Result<Vec<T>, StoreError> {
    match known {
        Some(rows) => Ok(rows),
        None if held => db.all(select, values![message_id], map).await,
        None => Ok(Vec::new()),
    }
}

/// Each item's id once saved: its own for the rows kept, the database's for the rows inserted.
fn saved_ids<T>(items: &[T], id_of: impl Fn(&T) -> i32, inserted: Vec<(i32, i32)>) -> Result<Vec<i32>, StoreError> {
    let mut ids: Vec<i32> = items.iter().map(id_of).collect();
    for (position, id) in inserted {
        let slot = usize::try_from(position).ok().and_then(|at| ids.get_mut(at));
        *slot.ok_or_else(|| StoreError::Internal(format!("an insert answered position {position}")))? = id;
    }
    Ok(ids)
}

async fn write_headers<S: SaveStatements>(
    db: &mut S,
    message_id: i32,
    headers: &[MessageHeader],
    plan: RowPlan<'_, MessageHeader>,
) -> Result<Vec<i32>, StoreError> {
    if plan.delete_all {
        db.run(diff::DELETE_ALL_HEADERS, values![message_id]).await?;
    } else {
        delete_by_id(db, sql::DELETE_HEADERS_BY_ID, &plan.delete).await?;
    }
    for (position, h) in plan.update {
        let row = values![h.id, position, &h.name, &h.value, h.std_item.ordinal(), h.std_item_col.ordinal()];
        db.run(diff::UPDATE_HEADER, row).await?;
    }
    let inserted = insert_returning_ids(db, sql::INSERT_HEADERS, &plan.insert, |(position, h)| {
        *values![message_id, *position, &h.name, &h.value, h.std_item.ordinal(), h.std_item_col.ordinal()]
    })
    .await?;
    saved_ids(headers, |h| h.id, inserted)
}

/// Kept rows are updated in place, so uploaded bytes stay with them.
async fn write_attachments<S: SaveStatements>(
    db: &mut S,
    message_id: i32,
    attachments: &[AttachmentInfo],
    plan: RowPlan<'_, AttachmentInfo>,
) -> Result<Vec<i32>, StoreError> {
    delete_by_id(db, sql::DELETE_ATTACHMENTS_BY_ID, &plan.delete).await?;
    for (position, a) in plan.update {
        let row = values![
            message_id,
            position,
            &a.name,
            &a.content_type,
            a.size,
            a.inline_image,
            &a.content_id,
            &a.auth_key,
            a.id
        ];
        db.run(sql::UPDATE_KEPT_ATTACHMENT, row).await?;
    }
    let inserted = insert_returning_ids(db, sql::INSERT_ATTACHMENTS, &plan.insert, |(position, a)| {
        let (name, content_type, content_id, auth_key) = (&a.name, &a.content_type, &a.content_id, &a.auth_key);
        *values![message_id, *position, name, content_type, a.size, a.inline_image, content_id, auth_key]
    })
    .await?;
    saved_ids(attachments, |a| a.id, inserted)
}

async fn write_fields<S: SaveStatements>(
    db: &mut S,
    message_id: i32,
    plan: diff::FieldPlan<'_>,
) -> Result<(), StoreError> {
    if plan.delete_all {
        db.run(diff::DELETE_ALL_FIELDS, values![message_id]).await?;
    } else {
        // `$1` is the message; each key after it is a (kind, key) pair.
        for chunk in plan.delete.chunks((MAX_PARAMETERS - 1) / 2) {
            let pairs = (0..chunk.len()).map(|at| format!("(${}, ${})", 2 + 2 * at, 3 + 2 * at));
            let statement = format!("{}({})", sql::DELETE_FIELDS_BY_KEY, pairs.collect::<Vec<_>>().join(", "));
            let mut bound = vec![Value::from(message_id)];
            bound.extend(chunk.iter().flat_map(|(kind, key)| *values![*kind, key]));
            db.run_listed(&statement, &bound).await?;
        }
    }
    insert_rows(db, sql::INSERT_FIELDS, sql::UPSERT_FIELDS_TAIL, &plan.upsert, |(kind, key, value)| {
        *values![message_id, *kind, *key, *value]
    })
    .await
}

/// Deletes the rows of `ids` with `head` (`… WHERE id IN `) in as few statements as fit.
async fn delete_by_id<S: SaveStatements>(db: &mut S, head: &str, ids: &[i32]) -> Result<(), StoreError> {
    for chunk in ids.chunks(MAX_PARAMETERS) {
        let statement = format!("{head}{}", placeholders(1, chunk.len()));
        let bound: Vec<Value<'_>> = chunk.iter().map(|id| Value::from(*id)).collect();
        db.run_listed(&statement, &bound).await?;
    }
    Ok(())
}

/// Inserts `items` with `head` (`INSERT INTO … (columns) VALUES `), each item's `N` values a
/// row, `tail` after the rows; in as few statements as fit. (`row` answers `*values![…]`, an
/// array, so its width is known.)
async fn insert_rows<'a, S: SaveStatements, T, const N: usize>(
    db: &mut S,
    head: &str,
    tail: &str,
    items: &'a [T],
    row: impl Fn(&'a T) -> [Value<'a>; N],
) -> Result<(), StoreError> {
    for (statement, bound) in multi_row_statements(head, tail, items, row) {
        db.run_listed(&statement, &bound).await?;
    }
    Ok(())
}

/// Inserts rows as [`insert_rows`] does into a table whose rows have a position and an id,
/// answering (position, id) of each new row: the order of RETURNING's rows is the engine's,
/// so rows are told apart by their position.
async fn insert_returning_ids<'a, S: SaveStatements, T, const N: usize>(
    db: &mut S,
    head: &str,
    items: &'a [T],
    row: impl Fn(&'a T) -> [Value<'a>; N],
) -> Result<Vec<(i32, i32)>, StoreError> {
    let mut inserted = Vec::with_capacity(items.len());
    for (statement, bound) in multi_row_statements(head, " RETURNING position, id", items, row) {
        inserted.extend(db.all(&statement, &bound, |row| Ok((row.int("position")?, row.int("id")?))).await?);
    }
    Ok(inserted)
}

/// The statements and bound values that write `items` a row each, as many rows a statement as
/// the parameter limit allows.
fn multi_row_statements<'a, T, const N: usize>(
    head: &str,
    tail: &str,
    items: &'a [T],
    row: impl Fn(&'a T) -> [Value<'a>; N],
) -> Vec<(String, Vec<Value<'a>>)> {
    items
        .chunks(MAX_PARAMETERS / N)
        .map(|chunk| {
            let rows: Vec<String> = (0..chunk.len()).map(|at| placeholders(1 + at * N, N)).collect();
            (format!("{head}{}{tail}", rows.join(", ")), chunk.iter().flat_map(&row).collect())
        })
        .collect()
}

/// `($first, $first+1, …)`, `count` parameters.
fn placeholders(first: usize, count: usize) -> String {
    let numbers: Vec<String> = (first..first + count).map(|n| format!("${n}")).collect();
    format!("({})", numbers.join(", "))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_number_in_order() {
        assert_eq!(placeholders(1, 3), "($1, $2, $3)");
        assert_eq!(placeholders(7, 2), "($7, $8)");
    }
}
