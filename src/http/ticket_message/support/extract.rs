//! The resource's own extractors: the `{id}` of a message route, the `notify` flag, and the base
//! of the absolute links an answer carries.

use axum::extract::{FromRequestParts, Path};
use axum::http::request::Parts;

use crate::error::{ApiError, ErrorKind};
use crate::http::origin::Origin;
use crate::http::path::Tenant;

/// The `{id}` of a message route. Anything that is not a positive int32 names no message: 404.
pub struct MessageId(pub i32);

impl<S: Send + Sync> FromRequestParts<S> for MessageId {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let Path(raw) = Path::<String>::from_request_parts(parts, state)
            .await
            .map_err(|_| ApiError::invalid("The message id is missing from the path"))?;
        crate::http::path::positive_id(&raw).map(Self).ok_or_else(|| {
            ApiError::new(ErrorKind::NotFound, format!("TicketMessage id {} not found", raw.escape_debug()))
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

/// Where the request came in (scheme, host, tenant prefix), for the absolute links the vendor's
/// answers carry. Worked out only when an answer has links: a bad `Host` fails only those.
pub struct LinkBase {
    origin: Origin,
    tenant: Option<Tenant>,
}

impl LinkBase {
    /// `scheme://host[/tenant]`.
    pub fn url(&self) -> Result<String, ApiError> {
        let prefix = self.tenant.as_ref().map(|t| format!("/{}", t.0)).unwrap_or_default();
        Ok(format!("{}{prefix}", self.origin.base_url()?))
    }
}

impl<S: Send + Sync> FromRequestParts<S> for LinkBase {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let Ok(origin) = Origin::from_request_parts(parts, state).await;
        let tenant = parts.extensions.get::<Tenant>().cloned();
        Ok(Self { origin, tenant })
    }
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
