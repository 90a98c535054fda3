//! The OData subset of `GET /api/v1/TicketMessage`: `$select`, `$filter`, `$orderBy`, `$top`,
//! `$skip` and `$format`. Anything else starting with `$` is refused with a 400 naming it.

mod filter;

pub use filter::parse_filter;

use crate::domain::list::{Column, ListQuery, OrderKey};
use crate::error::ApiError;
use crate::negotiate::ResponseFormat;

/// Rows per page when `$top` is absent, and the most a page may have.
pub const DEFAULT_TOP: u32 = 100;
pub const MAX_TOP: u32 = 1000;

/// A parsed list request: the query and an explicit `$format`, if any.
#[derive(Debug)]
pub struct ListRequest {
    pub query: ListQuery,
    pub format: Option<ResponseFormat>,
}

/// Reads the OData parameters of a query string.
pub fn parse_list_request(query: &str) -> Result<ListRequest, ApiError> {
    let pairs: Vec<(String, String)> = serde_urlencoded::from_str(query)
        .map_err(|err| ApiError::invalid(format!("The query string is malformed: {err}")))?;
    let mut list =
        ListQuery { select: Column::DEFAULT.to_vec(), filter: None, order: Vec::new(), skip: 0, top: DEFAULT_TOP };
    let mut format = None;
    for (key, value) in &pairs {
        match key.to_ascii_lowercase().as_str() {
            "$select" => list.select = parse_select(value)?,
            "$filter" => list.filter = Some(parse_filter(value)?),
            "$orderby" => list.order = parse_order(value)?,
            "$top" => list.top = number(key, value)?.min(MAX_TOP),
            "$skip" => list.skip = number(key, value)?,
            "$format" => format = Some(parse_format(value)?),
            other if other.starts_with('$') => {
                return Err(ApiError::invalid(format!("The query option '{key}' is not supported")));
            }
            _ => {}
        }
    }
    Ok(ListRequest { query: list, format })
}

/// The listed columns; an empty `$select` means the default columns.
fn parse_select(value: &str) -> Result<Vec<Column>, ApiError> {
    let columns = value
        .split(',')
        .filter(|c| !c.trim().is_empty())
        .map(|name| {
            Column::from_name(name)
                .ok_or_else(|| ApiError::invalid(format!("$select: the column '{}' is not supported", name.trim())))
        })
        .collect::<Result<Vec<_>, _>>()?;
    Ok(if columns.is_empty() { Column::DEFAULT.to_vec() } else { columns })
}

fn parse_order(value: &str) -> Result<Vec<OrderKey>, ApiError> {
    value
        .split(',')
        .filter(|k| !k.trim().is_empty())
        .map(|key| {
            let mut words = key.split_whitespace();
            let name = words.next().unwrap_or_default();
            let column = Column::from_name(name)
                .ok_or_else(|| ApiError::invalid(format!("$orderBy: the column '{name}' is not supported")))?;
            let descending = match words.next().map(str::to_ascii_lowercase).as_deref() {
                None | Some("asc") => false,
                Some("desc") => true,
                Some(other) => return Err(ApiError::invalid(format!("$orderBy: '{other}' is neither asc nor desc"))),
            };
            Ok(OrderKey { column, descending })
        })
        .collect()
}

fn number(key: &str, value: &str) -> Result<u32, ApiError> {
    value.trim().parse().map_err(|_| ApiError::invalid(format!("{key} must be a whole number from 0, not '{value}'")))
}

fn parse_format(value: &str) -> Result<ResponseFormat, ApiError> {
    match value.trim().to_ascii_lowercase().as_str() {
        "json" => Ok(ResponseFormat::Json),
        "xml" => Ok(ResponseFormat::Xml),
        other => Err(ApiError::invalid(format!("$format '{other}' is not supported; use JSON or XML"))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_every_supported_option_and_refuses_the_rest() {
        let request = parse_list_request(
            "$select=ejMessageId,author&$orderby=createdAt%20desc,ejMessageId&$top=5&$skip=10&$format=xml&x=1",
        )
        .unwrap();
        assert_eq!(request.query.select, [Column::EjMessageId, Column::Author]);
        assert_eq!(request.query.order[0], OrderKey { column: Column::CreatedAt, descending: true });
        assert_eq!((request.query.top, request.query.skip), (5, 10));
        assert_eq!(request.format, Some(ResponseFormat::Xml));
        assert_eq!(parse_list_request("$top=5000").unwrap().query.top, MAX_TOP);
        for empty in ["$select=", "$select=%20,%20"] {
            assert_eq!(parse_list_request(empty).unwrap().query.select, Column::DEFAULT, "{empty}");
        }
        for (query, needle) in [
            ("$mode=Full", "$mode"),
            ("$select=nope", "nope"),
            ("$orderBy=body%20sideways", "sideways"),
            ("$top=-1", "$top"),
            ("$format=csv", "csv"),
        ] {
            assert!(parse_list_request(query).unwrap_err().message.contains(needle), "{query}");
        }
    }
}
