//! `/api/v1/Webhook`: webhooks registered, read, tested and removed through the API by
//! administrators, each registration first proven by a `test` event its target must accept.

pub mod wire;

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use serde::Deserialize;
use serde_json::{Map, Value};

use self::wire::{WebhookOut, WebhookResult, default_webhook, read_carrier};
use super::AppState;
use super::routes::Routes;
use crate::auth::Principal;
use crate::domain::Role;
use crate::domain::webhook::{Webhook, WebhookEvent, WebhookState, event_matches};
use crate::error::{ApiError, ErrorKind};
use crate::negotiate::ResponseFormat;
use crate::negotiate::body::{BodyKind, EntityBody};
use crate::negotiate::response::render;

pub fn routes() -> Routes {
    Routes::new()
        .route("/api/v1/Webhook", get(list_webhooks).post(create_webhook))
        .route("/api/v1/Webhook/default", get(default_carrier))
        .route("/api/v1/Webhook/Test", post(test_webhook))
        .route("/api/v1/Webhook/{id}", get(get_webhook).put(replace_webhook).delete(delete_webhook))
        .route("/api/v1/Webhook/{id}/LastError", get(last_error))
        .route("/api/v1/Webhook/{id}/{key}", post(signal_event))
}

/// A 403 unless the caller is an administrator (and, for changes, may write).
pub fn require_admin(caller: &Principal, writes: bool) -> Result<(), ApiError> {
    if caller.access.role != Role::Admin {
        return Err(ApiError::new(
            ErrorKind::Forbidden,
            format!("'{}' may not manage webhooks; that takes the administrator role", caller.login),
        ));
    }
    if writes { caller.require_write() } else { Ok(()) }
}

/// A webhook path id: a positive int32, else 404.
fn webhook_id(raw: &str) -> Result<i32, ApiError> {
    super::path::positive_id(raw).ok_or_else(|| not_found(raw))
}

pub fn not_found(id: impl std::fmt::Display) -> ApiError {
    ApiError::new(ErrorKind::NotFound, format!("There is no webhook with id {id}"))
}

/// Webhook `id` as stored, else 404.
async fn load(state: &AppState, id: i32) -> Result<Webhook, ApiError> {
    state.store.webhook(id).await?.ok_or_else(|| not_found(id))
}

/// Webhook path id `raw` read by an administrator: 403, 404 or the stored webhook.
async fn read_one(state: &AppState, caller: &Principal, raw: &str) -> Result<Webhook, ApiError> {
    require_admin(caller, false)?;
    load(state, webhook_id(raw)?).await
}

fn carrier_body(body: EntityBody) -> Result<Map<String, Value>, ApiError> {
    match (body.kind, body.value) {
        (BodyKind::Entity, Value::Object(map)) => Ok(map),
        (BodyKind::Entity, other) => Err(ApiError::invalid(format!("The body must be a Webhook object, not {other}"))),
        _ => Err(ApiError::new(ErrorKind::UnsupportedMediaType, "Webhooks are not patched; PUT the whole Webhook")),
    }
}

/// The Webhook carrier an administrator who may write sent: 403 before the body is looked at.
fn admin_carrier(caller: &Principal, body: EntityBody) -> Result<Map<String, Value>, ApiError> {
    require_admin(caller, true)?;
    carrier_body(body)
}

fn answer(format: ResponseFormat, hook: &Webhook) -> Result<Response, ApiError> {
    render(format, StatusCode::OK, "WebhookWithLinks", &WebhookOut::of(hook))
}

/// Sends the `test` event to `hook`'s target; a 400 naming the URL and what came back unless it
/// answers 2xx.
pub async fn prove_target(state: &AppState, hook: &Webhook, caller: &Principal) -> Result<(), ApiError> {
    let url = crate::notify::redact::text(&hook.target_url);
    let sender = state.notify.test_sender().map_err(ApiError::internal)?;
    match sender.send_test(hook, caller.associate_id).await {
        Ok(answer) if (200..300).contains(&answer.status) => Ok(()),
        Ok(answer) => Err(ApiError::invalid(format!(
            "TargetUrl '{url}' answered the test event with {}; nothing was saved",
            answer.text.lines().next().unwrap_or_default()
        ))),
        Err(why) => Err(ApiError::invalid(format!("TargetUrl '{url}' did not take the test event: {why}"))),
    }
}

/// Checks a target's form and addresses before anything is sent (400 otherwise).
pub async fn vet(state: &AppState, hook: &Webhook) -> Result<(), ApiError> {
    crate::notify::ssrf::vet_target(&hook.target_url, state.notify.webhook_policy.allow_private)
        .await
        .map_err(ApiError::invalid)
}

async fn default_carrier(caller: Principal, format: ResponseFormat) -> Result<Response, ApiError> {
    require_admin(&caller, false)?;
    answer(format, &default_webhook(caller.associate_id))
}

#[derive(Debug, Deserialize, Default)]
pub struct ListFilters {
    #[serde(alias = "NameFilter", alias = "namefilter")]
    #[serde(rename = "nameFilter")]
    pub name_filter: Option<String>,
    #[serde(alias = "EventFilter", alias = "eventfilter")]
    #[serde(rename = "eventFilter")]
    pub event_filter: Option<String>,
    #[serde(alias = "StatusFilter", alias = "statusfilter")]
    #[serde(rename = "statusFilter")]
    pub status_filter: Option<String>,
}

/// The webhooks the filters keep: a name containing `name`, an event list that takes `event`,
/// the `status` state (`Unknown` or empty: any).
pub fn filtered(hooks: Vec<Webhook>, filters: &ListFilters) -> Result<Vec<Webhook>, ApiError> {
    let status = match filters.status_filter.as_deref().map(str::trim) {
        None | Some("") => None,
        Some(text) if text.eq_ignore_ascii_case("unknown") || text == "0" => None,
        Some(text) => Some(WebhookState::parse(text).ok_or_else(|| {
            ApiError::invalid(format!("statusFilter '{text}' is not one of Active, Stopped, TooManyErrors"))
        })?),
    };
    let name = filters.name_filter.as_deref().map(str::trim).unwrap_or_default().to_lowercase();
    let event = filters.event_filter.as_deref().map(str::trim).unwrap_or_default();
    Ok(hooks
        .into_iter()
        .filter(|hook| status.is_none_or(|state| hook.state == state))
        .filter(|hook| name.is_empty() || hook.name.to_lowercase().contains(&name))
        .filter(|hook| {
            event.is_empty() || hook.events.iter().any(|p| p.eq_ignore_ascii_case(event) || event_matches(p, event))
        })
        .collect())
}

async fn list_webhooks(
    caller: Principal,
    State(state): State<AppState>,
    format: ResponseFormat,
    Query(filters): Query<ListFilters>,
) -> Result<Response, ApiError> {
    require_admin(&caller, false)?;
    let hooks = filtered(state.store.all_webhooks().await?, &filters)?;
    let out: Vec<WebhookOut> = hooks.iter().map(WebhookOut::of).collect();
    render(format, StatusCode::OK, "ArrayOfWebhookWithLinks", &out)
}

/// Stores a new webhook once its target took the `test` event; the stored webhook.
pub async fn create(state: &AppState, caller: &Principal, body: &Map<String, Value>) -> Result<Webhook, ApiError> {
    let hook = read_carrier(body, &default_webhook(caller.associate_id), false)?;
    vet(state, &hook).await?;
    prove_target(state, &hook, caller).await?;
    let id = state.store.create_webhook(&hook).await?;
    // Saves without `notify` now queue events for it: let them wake the dispatcher.
    state.notify.webhook_rows_seen();
    load(state, id).await
}

/// Replaces webhook `id`; a new target or secret must take the `test` event first.
pub async fn replace(
    state: &AppState,
    caller: &Principal,
    id: i32,
    body: &Map<String, Value>,
) -> Result<Webhook, ApiError> {
    let stored = load(state, id).await?;
    let mut hook = read_carrier(body, &stored, true)?;
    hook.updated_by = caller.associate_id;
    if hook.target_url != stored.target_url || hook.secret != stored.secret {
        vet(state, &hook).await?;
        prove_target(state, &hook, caller).await?;
    }
    state.store.update_webhook(&hook).await?;
    state.notify.webhook_rows_seen();
    if hook.state != stored.state {
        state.notify.queued();
    }
    load(state, id).await
}

async fn create_webhook(
    caller: Principal,
    State(state): State<AppState>,
    format: ResponseFormat,
    body: EntityBody,
) -> Result<Response, ApiError> {
    let hook = create(&state, &caller, &admin_carrier(&caller, body)?).await?;
    answer(format, &hook)
}

async fn get_webhook(
    caller: Principal,
    State(state): State<AppState>,
    format: ResponseFormat,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    answer(format, &read_one(&state, &caller, &id).await?)
}

async fn replace_webhook(
    caller: Principal,
    State(state): State<AppState>,
    format: ResponseFormat,
    Path(id): Path<String>,
    body: EntityBody,
) -> Result<Response, ApiError> {
    require_admin(&caller, true)?;
    let id = webhook_id(&id)?;
    let hook = replace(&state, &caller, id, &carrier_body(body)?).await?;
    answer(format, &hook)
}

async fn delete_webhook(
    caller: Principal,
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    require_admin(&caller, true)?;
    let id = webhook_id(&id)?;
    if state.store.remove_webhook(id).await? { Ok(StatusCode::NO_CONTENT.into_response()) } else { Err(not_found(id)) }
}

/// Sends the `test` event to the carrier's target now; saves nothing.
pub async fn test_call(
    state: &AppState,
    caller: &Principal,
    body: &Map<String, Value>,
) -> Result<WebhookResult, ApiError> {
    let mut base = default_webhook(caller.associate_id);
    base.events = vec!["test".into()];
    let hook = read_carrier(body, &base, false)?;
    vet(state, &hook).await?;
    let sender = state.notify.test_sender().map_err(ApiError::internal)?;
    Ok(match sender.send_test(&hook, caller.associate_id).await {
        Ok(answer) => WebhookResult { success: (200..300).contains(&answer.status), message: answer.text },
        Err(why) => WebhookResult { success: false, message: why },
    })
}

async fn test_webhook(
    caller: Principal,
    State(state): State<AppState>,
    format: ResponseFormat,
    body: EntityBody,
) -> Result<Response, ApiError> {
    let result = test_call(&state, &caller, &admin_carrier(&caller, body)?).await?;
    render(format, StatusCode::OK, "WebhookResult", &result)
}

async fn last_error(
    caller: Principal,
    State(state): State<AppState>,
    format: ResponseFormat,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    let hook = read_one(&state, &caller, &id).await?;
    render(format, StatusCode::OK, "string", &hook.last_error)
}

/// Queues event `name` about `primary_key` with `data` to every active webhook wanting it.
pub async fn signal(
    state: &AppState,
    caller: &Principal,
    name: &str,
    primary_key: i64,
    data: Value,
) -> Result<(), ApiError> {
    let name = name.trim().to_ascii_lowercase();
    let well_formed = name.contains('.') && name.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_'));
    if !well_formed {
        return Err(ApiError::invalid(format!("eventName '{name}' is not an event name like contact.created")));
    }
    let field_values = match data {
        Value::Object(map) => map,
        Value::Null => Map::new(),
        other => Map::from_iter([("data".to_owned(), other)]),
    };
    let event = WebhookEvent {
        entity: name.split('.').next().unwrap_or_default().to_owned(),
        event: name,
        primary_key,
        context_identifier: crate::store::acting::current().context.as_str().to_owned(),
        changed_by_associate_id: caller.associate_id,
        changes: Vec::new(),
        field_values,
        data: None,
    };
    if state.store.signal_webhook_event(&event, 0).await? > 0 {
        state.notify.queued();
    }
    Ok(())
}

async fn signal_event(
    caller: Principal,
    State(state): State<AppState>,
    Path((name, key)): Path<(String, String)>,
    body: Result<EntityBody, ApiError>,
) -> Result<Response, ApiError> {
    require_admin(&caller, true)?;
    let primary_key: i64 =
        key.trim().parse().map_err(|_| ApiError::invalid(format!("primaryKey '{key}' is not a whole number")))?;
    let data = match body {
        Ok(body) => body.value,
        Err(err) if err.kind == ErrorKind::MissingEntity => Value::Null,
        Err(err) => return Err(err),
    };
    signal(&state, &caller, &name, primary_key, data).await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}
