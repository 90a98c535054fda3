//! The ticket message list: a `ListQuery` compiled to one parameterised statement. Only
//! whitelisted column names and `$N` placeholders ever enter the SQL text; every value is bound.

use crate::domain::TicketReach;
use crate::domain::list::{Column, ColumnKind, Comparison, Filter, ListQuery, ListRow, Literal};
use crate::store::columns::Columns;
use crate::store::db::Value;
use crate::store::{StoreError, from_ticks, to_ticks};

fn sql_column(column: Column) -> &'static str {
    match column {
        Column::EjMessageId => "id",
        Column::TicketId => "ticket_id",
        Column::CreatedAt => "created_at",
        Column::CreatedBy => "created_by",
        Column::Author => "author",
        Column::Slevel => "slevel",
        Column::Type => "message_type",
        Column::MessageCategory => "category",
        Column::Important => "important",
        Column::TimeSpent => "time_spent",
        Column::Language => "language",
        Column::Sentiment => "sentiment",
        Column::SearchTitle => "search_title",
        Column::Body => "body",
    }
}

/// Escapes LIKE's wildcards so a client's `%` or `_` matches itself.
fn like_pattern(text: &str, prefix_only: bool) -> String {
    let escaped = text.to_lowercase().replace('\\', "\\\\").replace('%', "\\%").replace('_', "\\_");
    if prefix_only { format!("{escaped}%") } else { format!("%{escaped}%") }
}

fn render_filter(filter: &Filter, sql: &mut String, values: &mut Vec<Literal>) {
    match filter {
        Filter::And(a, b) | Filter::Or(a, b) => {
            let joiner = if matches!(filter, Filter::And(..)) { " AND " } else { " OR " };
            sql.push('(');
            render_filter(a, sql, values);
            sql.push_str(joiner);
            render_filter(b, sql, values);
            sql.push(')');
        }
        Filter::Compare(column, op, literal) => {
            let name = sql_column(*column);
            let (expression, operator, value) = match (op, literal) {
                (Comparison::Contains | Comparison::Begins, Literal::Text(text)) => {
                    let pattern = like_pattern(text, *op == Comparison::Begins);
                    (format!("LOWER({name})"), "LIKE", Literal::Text(pattern))
                }
                _ => {
                    let operator = match op {
                        Comparison::Eq => "=",
                        Comparison::Ne => "<>",
                        Comparison::Lt => "<",
                        Comparison::Le => "<=",
                        Comparison::Gt => ">",
                        Comparison::Ge => ">=",
                        Comparison::Contains | Comparison::Begins => "=",
                    };
                    (name.to_owned(), operator, literal.clone())
                }
            };
            values.push(value);
            let escape = if operator == "LIKE" { " ESCAPE '\\'" } else { "" };
            sql.push_str(&format!("{expression} {operator} ${}{escape}", values.len()));
        }
    }
}

/// Limits rows to the tickets `reach` permits, as `TicketReach::permits` decides for one
/// ticket: the ticket's category is one of the caller's, or the caller owns it.
fn render_reach(reach: &TicketReach, sql: &mut String, values: &mut Vec<Literal>) {
    let Some(categories) = reach.limited_to() else { return };
    values.push(Literal::Integer(reach.associate_id().into()));
    sql.push_str(&format!("ticket_id IN (SELECT id FROM tickets WHERE owned_by = ${}", values.len()));
    if !categories.is_empty() {
        let mut placeholders = Vec::with_capacity(categories.len());
        for name in categories {
            values.push(Literal::Text(name.clone()));
            placeholders.push(format!("${}", values.len()));
        }
        sql.push_str(&format!(" OR category_name IN ({})", placeholders.join(", ")));
    }
    sql.push(')');
}

/// The statement and its values for a list query (`limit` rows from `skip`), over the messages
/// of the tickets `reach` permits (every message when `None`).
pub fn list_statement(query: &ListQuery, limit: u32, reach: Option<&TicketReach>) -> (String, Vec<Literal>) {
    let columns: Vec<&str> = query.select.iter().map(|c| sql_column(*c)).collect();
    let mut sql = format!("SELECT id AS row_id, {} FROM ticket_messages", columns.join(", "));
    let mut values = Vec::new();
    let limited = reach.filter(|reach| reach.limited_to().is_some());
    if query.filter.is_some() || limited.is_some() {
        sql.push_str(" WHERE ");
    }
    if let Some(filter) = &query.filter {
        render_filter(filter, &mut sql, &mut values);
    }
    if let Some(reach) = limited {
        if query.filter.is_some() {
            sql.push_str(" AND ");
        }
        render_reach(reach, &mut sql, &mut values);
    }
    let mut order: Vec<String> = query
        .order
        .iter()
        .map(|k| format!("{} {}", sql_column(k.column), if k.descending { "DESC" } else { "ASC" }))
        .collect();
    // The id last keeps pages stable when the requested keys tie.
    order.push("id ASC".into());
    sql.push_str(&format!(" ORDER BY {} LIMIT {limit} OFFSET {}", order.join(", "), query.skip));
    (sql, values)
}

/// A literal as the value bound to its placeholder.
pub fn bound(literal: &Literal) -> Value<'_> {
    match literal {
        Literal::Integer(n) => Value::Big(Some(*n)),
        Literal::Text(text) => Value::Text(Some(text)),
        Literal::Date(at) => Value::Big(Some(to_ticks(at))),
        Literal::Boolean(b) => Value::Flag(*b),
    }
}

/// A row of [`list_statement`]'s statement: the selected columns' values, in `query`'s order.
pub fn list_row(row: &impl Columns, query: &ListQuery) -> Result<ListRow, StoreError> {
    let values = query
        .select
        .iter()
        .map(|column| {
            let name = sql_column(*column);
            Ok(match column.kind() {
                ColumnKind::Integer | ColumnKind::Enum => Literal::Integer(row.int(name)?.into()),
                ColumnKind::Text => Literal::Text(row.text(name)?),
                ColumnKind::Date => Literal::Date(from_ticks(row.big(name)?)),
                ColumnKind::Boolean => Literal::Boolean(row.flag(name)?),
            })
        })
        .collect::<Result<Vec<_>, StoreError>>()?;
    Ok(ListRow { id: row.int("row_id")?, values })
}
