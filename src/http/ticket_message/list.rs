//! `GET /api/v1/TicketMessage`: the OData list (`$select`, `$filter`, `$orderBy`, `$top`,
//! `$skip`, `$format`) in the vendor's `ODataSlimResponse` shape, with `odata.nextLink` paging,
//! over the messages of the tickets the caller reaches.

use axum::extract::{RawQuery, State};
use axum::response::Response;
use serde_json::{Map, Value, json};

use super::support::LinkBase;
use crate::domain::list::{Column, ListRow, Literal};
use crate::domain::{MessageCategory, MessageType, SecurityLevel, VendorEnum};
use crate::error::ApiError;
use crate::http::AppState;
use crate::http::context::RequestContext;
use crate::locale::Locale;
use crate::negotiate::entity_response;
use crate::negotiate::odata::parse_list_request;

pub async fn list_messages(
    ctx: RequestContext,
    State(state): State<AppState>,
    link_base: LinkBase,
    RawQuery(query): RawQuery,
) -> Result<Response, ApiError> {
    let query = query.unwrap_or_default();
    let request = parse_list_request(&query)?;
    let list = request.query;
    let page = state.messages.list(&ctx.caller, &list).await?;
    let base = link_base.url()?;
    let next = page.more.then(|| format!("{base}/api/v1/TicketMessage?{}", with_skip(&query, list.skip + list.top)));
    let value: Vec<Value> = page.rows.iter().map(|row| row_json(row, &list.select, &ctx.locale)).collect();
    let body = json!({
        "odata.metadata": format!("{base}/api/v1/Archive//$metadata"),
        "odata.nextLink": next,
        "value": value,
    });
    entity_response(request.format.unwrap_or(ctx.format), "ODataSlimResponse", &body)
}

fn row_json(row: &ListRow, columns: &[Column], locale: &Locale) -> Value {
    let mut out = Map::new();
    out.insert("PrimaryKey".into(), Value::String(row.id.to_string()));
    out.insert("EntityName".into(), Value::String("ticketMessage".into()));
    for (column, value) in columns.iter().zip(&row.values) {
        let json = match (column, value) {
            (Column::Slevel, Literal::Integer(n)) => enum_name::<SecurityLevel>(*n),
            (Column::Type, Literal::Integer(n)) => enum_name::<MessageType>(*n),
            (Column::MessageCategory, Literal::Integer(n)) => enum_name::<MessageCategory>(*n),
            (_, Literal::Integer(n)) => json!(n),
            (_, Literal::Text(text)) => json!(text),
            (_, Literal::Boolean(b)) => json!(b),
            // createdAt is a creation stamp: UTC, whatever SO-TimeZone says.
            (_, Literal::Date(at)) => json!(locale.stamp(at)),
        };
        out.insert(column.name().into(), json);
    }
    Value::Object(out)
}

fn enum_name<E: VendorEnum + Default>(ordinal: i64) -> Value {
    json!(E::from_ordinal(ordinal).unwrap_or_default().name())
}

/// The query string with `$skip` set to `skip` (other parameters kept as sent).
fn with_skip(query: &str, skip: u32) -> String {
    let mut parts: Vec<String> = query
        .split('&')
        .filter(|p| {
            !p.is_empty()
                && !p.to_ascii_lowercase().starts_with("%24skip=")
                && !p.to_ascii_lowercase().starts_with("$skip=")
        })
        .map(str::to_owned)
        .collect();
    parts.push(format!("$skip={skip}"));
    parts.join("&")
}
