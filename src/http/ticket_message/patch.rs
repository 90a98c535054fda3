//! `PATCH /api/v1/TicketMessage/{id}`: a JSON Patch (array) or JSON Merge Patch (object) —
//! chosen by the body's shape, whatever its JSON media type — applied to the stored message and
//! saved without notification. 200 with the entity plus `_Links`; 404, 403 (a ticket outside the
//! caller's reach), 409 (failed `test`), 412 (`If-Match`, `If-Unmodified-Since`).

use axum::extract::{RawQuery, State};
use axum::response::Response;
use serde_json::{Value, json};

use super::support::{GetOptions, LinkBase, MessageId, MessageReply, Preconditions};
use crate::error::{ApiError, ErrorKind};
use crate::http::AppState;
use crate::http::context::RequestContext;
use crate::negotiate::{BodyKind, EntityBody};
use crate::service::Edit;

pub async fn patch_message(
    ctx: RequestContext,
    State(state): State<AppState>,
    conditions: Preconditions,
    link_base: LinkBase,
    RawQuery(query): RawQuery,
    MessageId(id): MessageId,
    body: EntityBody,
) -> Result<Response, ApiError> {
    // A read-only caller hears so before anything about its request.
    ctx.caller.require_write()?;
    let options = GetOptions::parse(query.as_deref().unwrap_or_default())?;
    let patch = patch_of(body)?;
    // Before the save: an answer that cannot be written must not follow a write.
    let links = links(&link_base, id)?;
    let saved = state.messages.patch(&ctx.caller, id, &patch, &conditions.write_condition(id)).await?;
    let mut entity = serde_json::to_value(ctx.entity(&saved)).map_err(ApiError::internal)?;
    options.apply(&mut entity, None);
    entity["_Links"] = links;
    ctx.message_response(&entity, Some(&saved))
}

/// The patch a JSON body's shape names, whatever its JSON media type.
fn patch_of(body: EntityBody) -> Result<Edit, ApiError> {
    if !body.is_json {
        return Err(ApiError::new(
            ErrorKind::UnsupportedMediaType,
            "PATCH takes a JSON Patch array or a JSON Merge Patch object",
        ));
    }
    let kind = match body.value {
        Value::Array(_) => BodyKind::JsonPatch,
        Value::Object(_) => BodyKind::MergePatch,
        _ => return Err(ApiError::invalid("A PATCH body must be a JSON Patch array or a JSON Merge Patch object")),
    };
    Ok(Edit::Wire { kind, value: body.value })
}

/// `_Links`: absolute URLs of this message and of the resource, keeping the tenant prefix.
fn links(link_base: &LinkBase, id: i32) -> Result<Value, ApiError> {
    let archive = format!("{}/api/v1/TicketMessage/", link_base.url()?);
    Ok(json!({ "Self": format!("{archive}{id}/"), "Archive": archive }))
}
