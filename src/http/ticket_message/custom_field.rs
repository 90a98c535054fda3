//! `GET /api/v1/TicketMessage/CustomField` and `…/CustomField/{fieldName}`: the custom field
//! definitions of ticket messages (`[]` when there are none; 404 for an unknown name).

use axum::extract::{Path, State};
use axum::response::Response;

use crate::auth::Principal;
use crate::error::{ApiError, ErrorKind};
use crate::http::AppState;
use crate::locale::Locale;
use crate::negotiate::wire::FieldInfoBase;
use crate::negotiate::{ResponseFormat, entity_response};

pub async fn list_custom_fields(
    _caller: Principal,
    State(state): State<AppState>,
    format: ResponseFormat,
    locale: Locale,
) -> Result<Response, ApiError> {
    let fields = state.store.custom_fields().await?;
    let infos: Vec<FieldInfoBase> =
        fields.iter().map(|field| FieldInfoBase { field, locale: &locale, with_display_flag: false }).collect();
    let mut response = entity_response(format, "ArrayOfFieldInfoBase", &infos)?;
    locale.annotate(response.headers_mut());
    Ok(response)
}

pub async fn get_custom_field(
    _caller: Principal,
    State(state): State<AppState>,
    format: ResponseFormat,
    locale: Locale,
    Path(name): Path<String>,
) -> Result<Response, ApiError> {
    let fields = state.store.custom_fields().await?;
    let field = fields.iter().find(|f| f.field_name == name).ok_or_else(|| {
        ApiError::new(ErrorKind::NotFound, format!("Custom field '{}' not found", name.escape_debug()))
    })?;
    let info = FieldInfoBase { field, locale: &locale, with_display_flag: true };
    let mut response = entity_response(format, "FieldInfoBase", &info)?;
    locale.annotate(response.headers_mut());
    Ok(response)
}
