//! Request-path normalisation before routing: an optional tenant prefix
//! (`/Cust12345/api/v1/...`), case-insensitive literal segments and trailing slashes; and
//! reading the numeric ids path segments carry.

use axum::extract::Request;
use axum::http::Uri;
use axum::http::uri::PathAndQuery;

/// The tenant segment a request arrived under, if any.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Tenant(pub String);

/// The literal segments of the API's routes, spelt as the router expects them.
const LITERALS: &[&str] = &[
    "api",
    "v1",
    "TicketMessage",
    "default",
    "Attachment",
    "Noninline",
    "RfcAttachment",
    "Content",
    "CustomField",
    "ForeignKey",
    "Send",
    "SendSms",
    "session",
    "notifications",
    "stream",
    "timezone",
    "openapi.json",
    "Webhook",
    "Test",
    "LastError",
];

/// Rewrites the request's path into the router's canonical form.
/// A path id: a positive int32, or `None` (which the routes answer with 404).
pub fn positive_id(raw: &str) -> Option<i32> {
    raw.trim().parse::<i32>().ok().filter(|id| *id > 0)
}

pub async fn normalize(mut request: Request) -> Request {
    let Some((path, tenant)) = canonical_path(request.uri().path()) else {
        return request;
    };
    let rebuilt = match request.uri().query() {
        Some(query) => format!("{path}?{query}"),
        None => path,
    };
    if let Ok(path_and_query) = rebuilt.parse::<PathAndQuery>() {
        let mut parts = request.uri().clone().into_parts();
        parts.path_and_query = Some(path_and_query);
        if let Ok(uri) = Uri::from_parts(parts) {
            *request.uri_mut() = uri;
        }
    }
    if let Some(tenant) = tenant {
        request.extensions_mut().insert(Tenant(tenant));
    }
    request
}

/// The canonical path and tenant of an API path, or `None` when the path is not under `api`.
fn canonical_path(path: &str) -> Option<(String, Option<String>)> {
    let mut segments: Vec<&str> = path.split('/').filter(|s| !s.is_empty()).collect();
    let mut tenant = None;
    if segments.len() >= 2 && !segments[0].eq_ignore_ascii_case("api") && segments[1].eq_ignore_ascii_case("api") {
        tenant = Some(segments.remove(0).to_owned());
    }
    if !segments.first().is_some_and(|s| s.eq_ignore_ascii_case("api")) {
        return None;
    }
    let mut canonical = String::with_capacity(path.len());
    for segment in segments {
        let literal = LITERALS.iter().find(|l| l.eq_ignore_ascii_case(segment)).copied();
        canonical.push('/');
        canonical.push_str(literal.or_else(|| super::agents::table::literal(segment)).unwrap_or(segment));
    }
    Some((canonical, tenant))
}

#[cfg(test)]
mod tests {
    use super::canonical_path;

    fn canon(path: &str) -> String {
        canonical_path(path).map(|(p, _)| p).unwrap_or_else(|| path.to_owned())
    }

    #[test]
    fn case_tenant_and_trailing_slash_are_normalised() {
        assert_eq!(canon("/api/v1/ticketmessage/5"), "/api/v1/TicketMessage/5");
        assert_eq!(canon("/API/V1/TICKETMESSAGE/5/"), "/api/v1/TicketMessage/5");
        assert_eq!(canon("/Cust12345/api/v1/TicketMessage/5"), "/api/v1/TicketMessage/5");
        assert_eq!(canonical_path("/Cust1/api/v1/x").unwrap().1.as_deref(), Some("Cust1"));
        assert_eq!(canon("/health"), "/health");
        assert_eq!(canon("/a/b/api/v1"), "/a/b/api/v1");
        assert_eq!(
            canon("/Cust1/API/v1/agents/TICKET/getticketmessageentity/"),
            "/api/v1/Agents/Ticket/GetTicketMessageEntity"
        );
    }
}
