//! `PATCH /api/v1/TicketMessage/{id}`: a JSON Patch (array) or JSON Merge Patch (object) —
//! chosen by the body's shape, whatever its JSON media type — applied to the stored message and
//! saved without notification. 200 with the entity plus `_Links`; 404, 403 (a ticket outside the
//! caller's reach), 409 (failed `test`), 412 (`If-Match`, `If-Unmodified-Since`).

use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::Response;
use serde_json::{Value, json};

use super::conditional::Preconditions;
use super::{MessageId, Reply};
use crate::auth::Principal;
use crate::error::{ApiError, ErrorKind};
use crate::http::AppState;
use crate::http::origin::Origin;
use crate::http::path::Tenant;
use crate::locale::Locale;
use crate::negotiate::wire::TicketMessageEntity;
use crate::negotiate::{BodyKind, EntityBody, ResponseFormat};
use crate::service::Edit;

#[allow(clippy::too_many_arguments)]
pub async fn patch_message(
    caller: Principal,
    State(state): State<AppState>,
    format: ResponseFormat,
    locale: Locale,
    headers: HeaderMap,
    origin: Origin,
    tenant: Option<axum::Extension<Tenant>>,
    axum::extract::RawQuery(query): axum::extract::RawQuery,
    MessageId(id): MessageId,
    mut body: EntityBody,
) -> Result<Response, ApiError> {
    caller.require_write()?;
    let options = super::select::GetOptions::parse(query.as_deref().unwrap_or_default())?;
    if !body.is_json {
        return Err(ApiError::new(
            ErrorKind::UnsupportedMediaType,
            "PATCH takes a JSON Patch array or a JSON Merge Patch object",
        ));
    }
    body.kind = match body.value {
        Value::Array(_) => BodyKind::JsonPatch,
        Value::Object(_) => BodyKind::MergePatch,
        _ => return Err(ApiError::invalid("A PATCH body must be a JSON Patch array or a JSON Merge Patch object")),
    };
    // Before the save: an answer that cannot be written must not follow a write.
    let links = links(&origin, tenant.map(|t| t.0), id)?;
    let condition = Preconditions::of(&headers).write_condition(id);
    let saved = state.messages.patch(&caller, id, &Edit::from(body), &condition).await?;
    let reply = Reply::new(format, locale, &caller);
    let mut entity = serde_json::to_value(TicketMessageEntity::for_caller(&saved, reply.access, &reply.locale))
        .map_err(ApiError::internal)?;
    options.apply(&mut entity, None);
    entity["_Links"] = links;
    reply.message_response(&entity, Some(&saved))
}

/// `_Links`: absolute URLs of this message and of the resource, keeping the tenant prefix.
fn links(origin: &Origin, tenant: Option<Tenant>, id: i32) -> Result<Value, ApiError> {
    let archive = format!("{}/api/v1/TicketMessage/", super::base_url(origin, tenant)?);
    Ok(json!({ "Self": format!("{archive}{id}/"), "Archive": archive }))
}
