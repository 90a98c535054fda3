//! Request-body text decoding: UTF-8 (the default), US-ASCII and ISO-8859-1; any other
//! declared charset is refused rather than mangled.

use crate::error::{ApiError, ErrorKind};

/// A character set ticketd can decode.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Charset {
    Utf8,
    Latin1,
}

impl Charset {
    /// The charset a label names (`utf-8`, `ISO-8859-1`, …); 415 for one ticketd does not read.
    pub fn from_label(label: &str) -> Result<Self, ApiError> {
        let label = label.trim().trim_matches('"');
        match label.to_ascii_lowercase().as_str() {
            "utf-8" | "utf8" | "us-ascii" | "ascii" => Ok(Self::Utf8),
            "iso-8859-1" | "iso8859-1" | "latin1" | "latin-1" | "l1" => Ok(Self::Latin1),
            _ => Err(ApiError::new(
                ErrorKind::UnsupportedMediaType,
                format!("The charset '{}' is not supported; send UTF-8 (or ISO-8859-1)", label.escape_debug()),
            )),
        }
    }

    /// The `charset` parameter of a `Content-Type`, if any.
    pub fn of_content_type(content_type: &str) -> Result<Option<Self>, ApiError> {
        content_type
            .split(';')
            .skip(1)
            .filter_map(|p| p.split_once('='))
            .find(|(k, _)| k.trim().eq_ignore_ascii_case("charset"))
            .map(|(_, v)| Self::from_label(v))
            .transpose()
    }

    /// Decodes the bytes; invalid UTF-8 is a 400.
    pub fn decode(self, bytes: &[u8]) -> Result<String, ApiError> {
        match self {
            Self::Utf8 => String::from_utf8(bytes.to_vec())
                .map_err(|err| ApiError::invalid(format!("The request body is not valid UTF-8: {err}"))),
            Self::Latin1 => Ok(bytes.iter().map(|&b| char::from(b)).collect()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_and_decoding() {
        assert_eq!(Charset::of_content_type("text/xml; charset=\"UTF-8\"").unwrap(), Some(Charset::Utf8));
        assert_eq!(Charset::of_content_type("text/xml").unwrap(), None);
        assert_eq!(Charset::Latin1.decode(b"Bl\xe5b\xe6r").unwrap(), "Blåbær");
        assert!(Charset::Utf8.decode(b"Bl\xe5").is_err());
        let err = Charset::of_content_type("application/xml; charset=shift_jis").unwrap_err();
        assert_eq!(err.kind, ErrorKind::UnsupportedMediaType);
        assert!(err.message.contains("shift_jis"));
    }
}
