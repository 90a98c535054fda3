//! The `/api/v1/TicketMessage` resource: one file per endpoint action, plus the extractors and
//! helpers they share.

mod add_attachments;
mod attachment;
mod conditional;
mod custom_field;
mod default;
mod delete;
mod embed;
mod foreign_key;
mod get;
mod list;
mod patch;
mod post;
mod put;
mod rfc_attachment;
mod select;
mod send;
mod send_sms;

use axum::extract::{FromRequestParts, Path};
use axum::http::request::Parts;
use axum::response::Response;
use axum::routing::{get, post};

use super::routes::Routes;
use crate::domain::{Access, TicketMessage};
use crate::error::ApiError;
use crate::locale::Locale;
use crate::negotiate::wire::TicketMessageEntity;
use crate::negotiate::{ResponseFormat, entity_response};

/// The resource's routes, on canonical paths (see `http::path`).
pub fn routes() -> Routes {
    Routes::new()
        .route("/api/v1/TicketMessage", get(list::list_messages).post(post::post_message))
        .route("/api/v1/TicketMessage/default", get(default::default_message))
        .route("/api/v1/TicketMessage/CustomField", get(custom_field::list_custom_fields))
        .route("/api/v1/TicketMessage/CustomField/{name}", get(custom_field::get_custom_field))
        .route("/api/v1/TicketMessage/{id}/ForeignKey", get(foreign_key::foreign_keys))
        .route(
            "/api/v1/TicketMessage/{id}/Attachment",
            get(attachment::all_attachments).post(add_attachments::add_attachments),
        )
        .route("/api/v1/TicketMessage/RfcAttachment/{attachment}/{position}", get(rfc_attachment::rfc_attachment_part))
        .route("/api/v1/TicketMessage/{id}/Attachment/Noninline", get(attachment::noninline_attachments))
        .route("/api/v1/TicketMessage/{id}/Send", post(send::send_message))
        .route("/api/v1/TicketMessage/{id}/SendSms", post(send_sms::send_sms))
        .route(
            "/api/v1/TicketMessage/{id}",
            get(get::get_message).put(put::put_message).patch(patch::patch_message).delete(delete::delete_message),
        )
}

/// The `{id}` of a message route. Anything that is not a positive int32 names no message: 404.
pub struct MessageId(pub i32);

impl<S: Send + Sync> FromRequestParts<S> for MessageId {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let Path(raw) = Path::<String>::from_request_parts(parts, state)
            .await
            .map_err(|_| ApiError::invalid("The message id is missing from the path"))?;
        crate::http::path::positive_id(&raw).map(Self).ok_or_else(|| {
            ApiError::new(
                crate::error::ErrorKind::NotFound,
                format!("TicketMessage id {} not found", raw.escape_debug()),
            )
        })
    }
}

/// The `notify` query parameter: `true`/`false` in any case or `1`/`0`; absent or empty is false.
pub struct Notify(pub bool);

impl<S: Send + Sync> FromRequestParts<S> for Notify {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        parse_notify(parts.uri.query().unwrap_or_default()).map(Notify)
    }
}

fn parse_notify(query: &str) -> Result<bool, ApiError> {
    let pairs: Vec<(String, String)> = serde_urlencoded::from_str(query)
        .map_err(|err| ApiError::invalid(format!("The query string is malformed: {err}")))?;
    let mut flag: Option<bool> = None;
    for (_, value) in pairs.iter().filter(|(key, _)| key.eq_ignore_ascii_case("notify")) {
        let parsed = match value.trim().to_ascii_lowercase().as_str() {
            "true" | "1" => true,
            "false" | "0" | "" => false,
            _ => {
                return Err(ApiError::invalid(format!(
                    "Invalid value '{}' for query parameter 'notify': expected true, false, 1 or 0",
                    value.escape_debug()
                )));
            }
        };
        if flag.is_some_and(|seen| seen != parsed) {
            return Err(ApiError::invalid("Query parameter 'notify' is given more than once with different values"));
        }
        flag = Some(parsed);
    }
    Ok(flag.unwrap_or(false))
}

/// How a caller wants its answer: format, locale and the rights to show.
pub struct Reply {
    pub format: ResponseFormat,
    pub locale: Locale,
    pub access: Access,
}

impl Reply {
    pub fn new(format: ResponseFormat, locale: Locale, caller: &crate::auth::Principal) -> Self {
        Self { format, locale, access: caller.access }
    }

    /// A 200 `TicketMessageEntity` answer with the locale's headers (`Content-Language`,
    /// `Warning`) and, for a stored message, its `ETag` and `Last-Modified`.
    fn message_response(
        &self,
        body: &impl serde::Serialize,
        stored: Option<&TicketMessage>,
    ) -> Result<Response, ApiError> {
        let mut response = entity_response(self.format, "TicketMessageEntity", body)?;
        self.locale.annotate(response.headers_mut());
        if let Some(message) = stored {
            conditional::annotate(response.headers_mut(), message);
        }
        Ok(response)
    }

    /// The stored message as `GET /TicketMessage/{id}` answers with it.
    fn stored_message(&self, message: &TicketMessage) -> Result<Response, ApiError> {
        self.message_response(&TicketMessageEntity::for_caller(message, self.access, &self.locale), Some(message))
    }
}

/// `scheme://host[/tenant]` of the request, for the absolute links the vendor's answers carry.
fn base_url(
    origin: &crate::http::origin::Origin,
    tenant: Option<crate::http::path::Tenant>,
) -> Result<String, ApiError> {
    let prefix = tenant.map(|t| format!("/{}", t.0)).unwrap_or_default();
    Ok(format!("{}{prefix}", origin.base_url()?))
}

#[cfg(test)]
mod tests {
    use super::parse_notify;

    #[test]
    fn notify_accepts_the_documented_spellings() {
        for (query, expected) in [
            ("", false),
            ("notify=True", true),
            ("NOTIFY=false", false),
            ("notify=1", true),
            ("notify=0", false),
            ("notify=", false),
            ("x=1&notify=TRUE&notify=1", true),
        ] {
            assert_eq!(parse_notify(query).unwrap(), expected, "{query}");
        }
    }

    #[test]
    fn notify_rejects_anything_else() {
        for query in ["notify=maybe", "notify=yes", "notify=2", "notify=true&notify=false"] {
            let err = parse_notify(query).unwrap_err();
            assert!(err.message.contains("notify"), "{query}: {}", err.message);
        }
    }
}
