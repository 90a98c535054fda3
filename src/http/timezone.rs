//! `GET /api/v1/timezone`: the time-zone codes `SO-TimeZone` accepts, with their current offset.

use axum::extract::State;
use axum::response::Response;
use chrono::Offset;
use serde_json::{Value, json};

use crate::auth::Principal;
use crate::error::ApiError;
use crate::http::AppState;
use crate::locale::timezone::{ZONES, format_offset, utc_to_zone};
use crate::negotiate::ResponseFormat;
use crate::negotiate::response::entity_response;

pub async fn list_time_zones(
    _caller: Principal,
    State(_state): State<AppState>,
    format: ResponseFormat,
) -> Result<Response, ApiError> {
    let now = chrono::Utc::now().naive_utc();
    let zones: Vec<Value> = ZONES
        .iter()
        .map(|z| {
            json!({
                "TZLocationID": z.id.unwrap_or(0),
                "TZLocationCode": z.code,
                "TZLocationName": z.name,
                "IanaName": z.zone.name(),
                "CurrentOffset": format_offset(utc_to_zone(now, z.zone).offset().fix().local_minus_utc()),
            })
        })
        .collect();
    entity_response(format, "ArrayOfTimeZoneData", &zones)
}
