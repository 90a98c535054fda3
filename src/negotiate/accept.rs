//! The response format: chosen from `Accept` with q-values (ties go to the first listed), JSON
//! when nothing supported is asked for — never 406.

use std::convert::Infallible;

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{HeaderMap, Method, header};

/// A format ticketd answers in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ResponseFormat {
    #[default]
    Json,
    TextJson,
    Xml,
    TextXml,
}

impl ResponseFormat {
    /// The response `Content-Type`, always with `charset=utf-8`.
    pub fn content_type(self) -> &'static str {
        match self {
            Self::Json => "application/json; charset=utf-8",
            Self::TextJson => "text/json; charset=utf-8",
            Self::Xml => "application/xml; charset=utf-8",
            Self::TextXml => "text/xml; charset=utf-8",
        }
    }

    pub fn is_xml(self) -> bool {
        matches!(self, Self::Xml | Self::TextXml)
    }

    /// The format a request asks for.
    pub fn of_request(method: &Method, headers: &HeaderMap) -> Self {
        let accept: Vec<&str> = headers.get_all(header::ACCEPT).iter().filter_map(|v| v.to_str().ok()).collect();
        let accept = accept.join(",");
        // The vendor's older guide lets a GET pick XML through its Content-Type when `Accept`
        // asks for nothing in particular.
        let wants_anything = accept.split(',').all(|a| matches!(essence(a).as_str(), "" | "*/*"));
        if *method == Method::GET && wants_anything {
            let content_type = headers.get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or_default();
            if let Some(format @ (Self::Xml | Self::TextXml)) = from_media_type(essence(content_type).as_str()) {
                return format;
            }
        }
        from_accept(&accept).unwrap_or_default()
    }
}

/// The supported format an `Accept` value prefers most, or `None` when it names none.
pub fn from_accept(accept: &str) -> Option<ResponseFormat> {
    let mut best: Option<(f32, ResponseFormat)> = None;
    for range in accept.split(',') {
        let mut parts = range.split(';');
        let media = parts.next().unwrap_or_default().trim().to_ascii_lowercase();
        let quality = parts
            .filter_map(|p| p.split_once('='))
            .find(|(k, _)| k.trim().eq_ignore_ascii_case("q"))
            .map_or(Some(1.0), |(_, v)| v.trim().parse::<f32>().ok().filter(|q| (0.0..=1.0).contains(q)));
        let (Some(quality), Some(format)) = (quality, from_media_type(&media)) else {
            continue;
        };
        if quality > 0.0 && best.is_none_or(|(q, _)| quality > q) {
            best = Some((quality, format));
        }
    }
    best.map(|(_, format)| format)
}

fn from_media_type(media: &str) -> Option<ResponseFormat> {
    match media {
        "application/json"
        | "application/json-patch+json"
        | "application/merge-patch+json"
        | "*/*"
        | "application/*" => Some(ResponseFormat::Json),
        "text/json" => Some(ResponseFormat::TextJson),
        "application/xml" => Some(ResponseFormat::Xml),
        "text/xml" => Some(ResponseFormat::TextXml),
        _ => None,
    }
}

/// The lower-cased media type of a `Content-Type` or `Accept` entry, without parameters.
pub fn essence(media: &str) -> String {
    media.split(';').next().unwrap_or_default().trim().to_ascii_lowercase()
}

impl<S: Send + Sync> FromRequestParts<S> for ResponseFormat {
    type Rejection = Infallible;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        Ok(Self::of_request(&parts.method, &parts.headers))
    }
}

tokio::task_local! {
    static REQUEST_FORMAT: ResponseFormat;
}

/// Runs `work` with `format` as the format errors are rendered in.
pub async fn with_error_format<F: Future>(format: ResponseFormat, work: F) -> F::Output {
    REQUEST_FORMAT.scope(format, work).await
}

/// The format errors of the current request are rendered in (JSON outside a request).
pub fn error_format() -> ResponseFormat {
    REQUEST_FORMAT.try_with(|f| *f).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accept_picks_the_highest_quality_then_the_first_listed() {
        use ResponseFormat::*;
        let cases = [
            ("application/json", Some(Json)),
            ("application/json; charset=utf-8", Some(Json)),
            ("TEXT/JSON", Some(TextJson)),
            ("application/xml", Some(Xml)),
            ("text/xml", Some(TextXml)),
            ("application/xml;q=0.9, application/json", Some(Json)),
            ("application/xml, application/json", Some(Xml)),
            ("text/xml;q=0.5, application/json;q=0.5", Some(TextXml)),
            ("application/merge-patch+json", Some(Json)),
            ("application/xml;q=0, text/json", Some(TextJson)),
            ("*/*", Some(Json)),
            ("text/csv", None),
            ("aplication/json", None),
            ("application/xml;q=abc", None),
            ("", None),
        ];
        for (accept, expected) in cases {
            assert_eq!(from_accept(accept), expected, "{accept}");
        }
    }

    #[test]
    fn a_get_without_accept_may_choose_xml_by_content_type() {
        let mut headers = HeaderMap::new();
        headers.insert(header::CONTENT_TYPE, "text/xml".parse().unwrap());
        assert_eq!(ResponseFormat::of_request(&Method::GET, &headers), ResponseFormat::TextXml);
        assert_eq!(ResponseFormat::of_request(&Method::PUT, &headers), ResponseFormat::Json);
        headers.insert(header::ACCEPT, "application/json".parse().unwrap());
        assert_eq!(ResponseFormat::of_request(&Method::GET, &headers), ResponseFormat::Json);
    }
}
