//! The `Webhook` carrier on the wire: how a stored webhook is answered (its secret never in
//! clear) and how a caller's carrier is read and checked into one.

use std::collections::BTreeMap;

use axum::http::{HeaderName, HeaderValue};
use serde::Serialize;
use serde_json::{Map, Value};

use crate::domain::outgoing::parse_email_address;
use crate::domain::webhook::{Webhook, WebhookState, parse_events};
use crate::error::ApiError;
use crate::notify::vendor_payload::reserved_header;

/// What `NotifyVia` and `NotifyWhen` may be, as the vendor's enums spell them.
const NOTIFY_VIA: [&str; 3] = ["None", "Email", "InApp"];
const NOTIFY_WHEN: [&str; 3] = ["None", "FirstFailure", "Disabling"];

/// A stored webhook as answered (`WebhookWithLinks`).
#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct WebhookOut {
    webhook_id: i32,
    name: String,
    events: Vec<String>,
    target_url: String,
    /// Never answered: a receiver's key is the registrant's to keep.
    secret: Option<String>,
    state: &'static str,
    #[serde(rename = "Type")]
    hook_type: &'static str,
    headers: BTreeMap<String, String>,
    properties: Map<String, Value>,
    registered: String,
    registered_associate: Option<AssociateRef>,
    updated: String,
    updated_associate: Option<AssociateRef>,
    errors_email: String,
    error_emails: Vec<String>,
    error_associates: Vec<Value>,
    description: String,
    notify_via: String,
    notify_when: String,
    total_calls: i64,
    total_errors: i64,
    consecutive_errors: i32,
    last_error: String,
    #[serde(rename = "_Links")]
    links: BTreeMap<&'static str, String>,
}

/// An associate named by id only.
#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
struct AssociateRef {
    associate_id: i32,
}

fn associate(id: i32) -> Option<AssociateRef> {
    (id > 0).then_some(AssociateRef { associate_id: id })
}

fn stamp(at: &crate::domain::Timestamp) -> String {
    at.format("%Y-%m-%dT%H:%M:%S").to_string()
}

impl WebhookOut {
    pub fn of(hook: &Webhook) -> Self {
        let mut links = BTreeMap::new();
        if hook.id > 0 {
            links.insert("Self", format!("api/v1/Webhook/{}", hook.id));
        }
        Self {
            webhook_id: hook.id,
            name: hook.name.clone(),
            events: hook.events.clone(),
            target_url: hook.target_url.clone(),
            secret: None,
            state: hook.state.name(),
            hook_type: "webhook",
            headers: hook.headers.clone(),
            properties: hook.properties.clone(),
            registered: stamp(&hook.registered),
            registered_associate: associate(hook.registered_by),
            updated: stamp(&hook.updated),
            updated_associate: associate(hook.updated_by),
            errors_email: hook.error_emails.first().cloned().unwrap_or_default(),
            error_emails: hook.error_emails.clone(),
            error_associates: Vec::new(),
            description: hook.description.clone(),
            notify_via: hook.notify_via.clone(),
            notify_when: hook.notify_when.clone(),
            total_calls: hook.total_calls,
            total_errors: hook.total_errors,
            consecutive_errors: hook.consecutive_errors,
            last_error: hook.last_error.clone(),
            links,
        }
    }
}

/// The result of a test call (`WebhookResult`).
#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct WebhookResult {
    pub success: bool,
    pub message: String,
}

/// A carrier's property, its name matched without regard to case; JSON `null` is absent.
pub fn field<'a>(body: &'a Map<String, Value>, name: &str) -> Option<&'a Value> {
    body.iter().find(|(key, _)| key.eq_ignore_ascii_case(name)).map(|(_, value)| value).filter(|v| !v.is_null())
}

fn text(body: &Map<String, Value>, name: &str) -> Result<Option<String>, ApiError> {
    match field(body, name) {
        None => Ok(None),
        Some(Value::String(text)) => Ok(Some(text.clone())),
        Some(other) => Err(ApiError::invalid(format!("{name} must be a string, not {other}"))),
    }
}

fn strings(body: &Map<String, Value>, name: &str) -> Result<Option<Vec<String>>, ApiError> {
    match field(body, name) {
        None => Ok(None),
        Some(Value::Array(items)) => items
            .iter()
            .map(|item| match item {
                Value::String(text) => Ok(text.clone()),
                other => Err(ApiError::invalid(format!("{name} must list strings, not {other}"))),
            })
            .collect::<Result<Vec<_>, _>>()
            .map(Some),
        Some(other) => Err(ApiError::invalid(format!("{name} must be an array of strings, not {other}"))),
    }
}

fn object(body: &Map<String, Value>, name: &str) -> Result<Option<Map<String, Value>>, ApiError> {
    match field(body, name) {
        None => Ok(None),
        Some(Value::Object(map)) => Ok(Some(map.clone())),
        Some(other) => Err(ApiError::invalid(format!("{name} must be an object, not {other}"))),
    }
}

fn headers(body: &Map<String, Value>) -> Result<Option<BTreeMap<String, String>>, ApiError> {
    let Some(map) = object(body, "Headers")? else { return Ok(None) };
    let mut out = BTreeMap::new();
    for (name, value) in map {
        let Value::String(value) = value else {
            return Err(ApiError::invalid(format!("Headers: the value of '{name}' must be a string")));
        };
        if HeaderName::from_bytes(name.as_bytes()).is_err() || HeaderValue::from_str(&value).is_err() {
            return Err(ApiError::invalid(format!("Headers: '{name}' is not a valid HTTP header")));
        }
        if reserved_header(&name) {
            return Err(ApiError::invalid(format!("Headers: '{name}' is set by the server and may not be given")));
        }
        out.insert(name, value);
    }
    Ok(Some(out))
}

/// An enum's name or number (the vendor's clients send either).
fn enum_text(body: &Map<String, Value>, name: &str) -> Result<Option<String>, ApiError> {
    match field(body, name) {
        Some(Value::Number(number)) => Ok(Some(number.to_string())),
        _ => text(body, name),
    }
}

fn one_of(body: &Map<String, Value>, name: &str, allowed: &[&str]) -> Result<Option<String>, ApiError> {
    let Some(given) = enum_text(body, name)? else { return Ok(None) };
    let by_number = given.trim().parse::<usize>().ok().and_then(|n| allowed.get(n));
    by_number
        .or_else(|| allowed.iter().find(|choice| choice.eq_ignore_ascii_case(given.trim())))
        .map(|choice| Some((*choice).to_owned()))
        .ok_or_else(|| ApiError::invalid(format!("{name} '{given}' is not one of {}", allowed.join(", "))))
}

/// Reads a caller's carrier over `base` (the stored webhook on PUT, the defaults on POST).
/// Server-kept values (counters, `LastError`, dates) are never taken from the caller; an absent
/// or empty `Secret` on a replace keeps the stored one.
pub fn read_carrier(body: &Map<String, Value>, base: &Webhook, replacing: bool) -> Result<Webhook, ApiError> {
    let mut hook = base.clone();
    let kind = text(body, "Type")?.unwrap_or_default();
    if !kind.trim().is_empty() && !kind.trim().eq_ignore_ascii_case("webhook") {
        return Err(ApiError::invalid(format!("Type '{kind}' is not supported here; use 'webhook'")));
    }
    if let Some(name) = text(body, "Name")? {
        hook.name = name;
    }
    if let Some(url) = text(body, "TargetUrl")? {
        hook.target_url = url.trim().to_owned();
    }
    if hook.target_url.is_empty() {
        return Err(ApiError::invalid("TargetUrl is required"));
    }
    if let Some(events) = strings(body, "Events")? {
        hook.events = parse_events(&events).map_err(ApiError::invalid)?;
    } else if hook.events.is_empty() {
        return Err(ApiError::invalid(
            "Events: name at least one event (ticketmessage.created, ticket.changed, * ...)",
        ));
    }
    match text(body, "Secret")? {
        Some(secret) if !(replacing && secret.is_empty()) => hook.secret = secret,
        _ => {}
    }
    if let Some(state) = enum_text(body, "State")? {
        hook.state = WebhookState::parse(&state).ok_or_else(|| {
            ApiError::invalid(format!("State '{state}' is not one of Active, Stopped, TooManyErrors"))
        })?;
    }
    if let Some(headers) = headers(body)? {
        hook.headers = headers;
    }
    if let Some(properties) = object(body, "Properties")? {
        hook.properties = properties;
    }
    if let Some(description) = text(body, "Description")? {
        hook.description = description;
    }
    if let Some(via) = one_of(body, "NotifyVia", &NOTIFY_VIA)? {
        hook.notify_via = via;
    }
    if let Some(when) = one_of(body, "NotifyWhen", &NOTIFY_WHEN)? {
        hook.notify_when = when;
    }
    hook.error_emails = error_emails(body, &hook.error_emails)?;
    Ok(hook)
}

/// `ErrorEmails`, with the obsolete single `ErrorsEmail` added when given.
fn error_emails(body: &Map<String, Value>, stored: &[String]) -> Result<Vec<String>, ApiError> {
    let listed = strings(body, "ErrorEmails")?;
    let single = text(body, "ErrorsEmail")?.filter(|one| !one.trim().is_empty());
    if listed.is_none() && single.is_none() {
        return Ok(stored.to_vec());
    }
    let mut out = Vec::new();
    for address in listed.unwrap_or_default().into_iter().chain(single) {
        let parsed = parse_email_address(&address)
            .map_err(|why| ApiError::invalid(format!("ErrorEmails: '{address}' is not an e-mail address: {why}")))?;
        if !out.contains(&parsed) {
            out.push(parsed);
        }
    }
    Ok(out)
}

/// A new webhook's defaults.
pub fn default_webhook(associate_id: i32) -> Webhook {
    let now = chrono::Utc::now().naive_utc();
    Webhook {
        notify_via: "None".into(),
        notify_when: "None".into(),
        registered: now,
        registered_by: associate_id,
        updated: now,
        updated_by: associate_id,
        ..Webhook::default()
    }
}
