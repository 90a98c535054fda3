//! The media type of uploaded attachment bytes (the declared type, checked against what the
//! bytes are), and the parts of stored RFC 822 messages.

use mail_parser::{MessageParser, MimeHeaders, PartType};

/// Types whose bytes announce themselves, so a declaration can be checked against them.
const RECOGNISABLE: &[&str] = &[
    "application/pdf",
    "application/zip",
    "image/png",
    "image/jpeg",
    "image/gif",
    "image/bmp",
    "image/tiff",
    "image/webp",
    "application/x-msdownload",
    "application/vnd.microsoft.portable-executable",
];

/// Office formats that are ZIP containers underneath.
const ZIP_CONTAINERS: &[&str] = &[
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    "application/vnd.oasis.opendocument.text",
    "application/vnd.oasis.opendocument.spreadsheet",
    "application/vnd.oasis.opendocument.presentation",
    "application/epub+zip",
];

/// Image types a browser only ever draws as pictures: the only types served `inline` or put
/// into `data:` URIs. SVG is left out on purpose (it is a document that runs scripts).
const INLINE_IMAGES: &[&str] =
    &["image/png", "image/jpeg", "image/jpg", "image/gif", "image/webp", "image/bmp", "image/x-ms-bmp", "image/avif"];

/// The one media type a `Content-Type` value names (`type/subtype`, lower case, parameters
/// dropped), or `None` when it is not exactly one well-formed media type. A list such as
/// `image/x,text/html` is refused whole: a browser may pick another member than we checked.
pub fn single_media_type(value: &str) -> Option<String> {
    let essence = value.split(';').next().unwrap_or_default().trim();
    let (kind, subtype) = essence.split_once('/')?;
    let is_token = |text: &str| !text.is_empty() && text.bytes().all(is_token_byte);
    (is_token(kind) && is_token(subtype)).then(|| essence.to_ascii_lowercase())
}

/// `tchar` of RFC 9110 (section 5.6.2).
fn is_token_byte(byte: u8) -> bool {
    byte.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&byte)
}

/// The type to send stored bytes with: the stored type when it is one well-formed media type,
/// else `application/octet-stream` (rows stored before types were checked are served safely).
pub fn servable_type(stored: &str) -> String {
    single_media_type(stored).unwrap_or_else(|| "application/octet-stream".to_owned())
}

/// Whether bytes of this (servable) type may be shown by the browser rather than downloaded.
pub fn opens_inline(media_type: &str) -> bool {
    INLINE_IMAGES.contains(&media_type)
}

/// The type to store for uploaded bytes. A declared type stands unless the bytes say otherwise:
/// a declaration the bytes contradict (say `image/png` over a PDF, or over bytes that are no
/// image at all) is refused, so a stored type never lies about its content. A declaration that
/// is not one well-formed media type is stored as `application/octet-stream`, whatever the
/// bytes look like: its sender meant something else than any one type we could pick.
pub fn settle_content_type(declared: Option<&str>, name: &str, bytes: &[u8]) -> Result<String, String> {
    let declared = match declared.map(str::trim).filter(|text| !text.is_empty()) {
        Some(text) => match single_media_type(text) {
            Some(media_type) => Some(media_type).filter(|text| text != "application/octet-stream"),
            None => return Ok("application/octet-stream".to_owned()),
        },
        None => None,
    };
    let sniffed = infer::get(bytes).map(|kind| kind.mime_type().to_owned());
    match (declared, sniffed) {
        (Some(declared), Some(sniffed)) if declared == sniffed => Ok(declared),
        (Some(declared), Some(sniffed))
            if sniffed == "application/zip" && ZIP_CONTAINERS.contains(&declared.as_str())
                || same_family(&declared, &sniffed) =>
        {
            Ok(declared)
        }
        (Some(declared), Some(sniffed)) => Err(format!("the content is {sniffed}, not {declared}")),
        (Some(declared), None) if RECOGNISABLE.contains(&declared.as_str()) => {
            Err(format!("the content is not {declared}"))
        }
        (Some(declared), None) => Ok(declared),
        (None, Some(sniffed)) => Ok(sniffed),
        (None, None) => Ok(type_of_extension(name).unwrap_or("application/octet-stream").into()),
    }
}

/// The type of a text format that carries no signature, by the file name's extension.
fn type_of_extension(name: &str) -> Option<&'static str> {
    let (_, extension) = name.rsplit_once('.')?;
    match extension.to_ascii_lowercase().as_str() {
        "eml" => Some("message/rfc822"),
        "txt" => Some("text/plain"),
        "csv" => Some("text/csv"),
        _ => None,
    }
}

/// Types that name the same format (`image/jpg` for `image/jpeg`, an Office type that the
/// sniffer reports by its own name).
fn same_family(declared: &str, sniffed: &str) -> bool {
    matches!((declared, sniffed), ("image/jpg", "image/jpeg") | ("image/x-ms-bmp", "image/bmp"))
        || (ZIP_CONTAINERS.contains(&declared) && ZIP_CONTAINERS.contains(&sniffed))
}

/// One part of an RFC 822 message: its media type and decoded bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MessagePartContent {
    pub content_type: String,
    pub bytes: Vec<u8>,
}

/// Why a part could not be taken from a message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PartError {
    NotAMessage,
    NoSuchPart { parts: usize },
}

/// The `position`-th (0-based) leaf part of a message in document order: bodies, attachments
/// and nested messages, not the multipart containers that hold them.
pub fn message_part(raw: &[u8], position: usize) -> Result<MessagePartContent, PartError> {
    let message = MessageParser::default().parse(raw).filter(|m| !m.parts.is_empty()).ok_or(PartError::NotAMessage)?;
    let leaves: Vec<_> = message.parts.iter().filter(|part| !matches!(part.body, PartType::Multipart(_))).collect();
    let part = leaves.get(position).ok_or(PartError::NoSuchPart { parts: leaves.len() })?;
    let content_type = match (&part.body, part.content_type()) {
        (PartType::Message(_), _) => "message/rfc822".to_owned(),
        (_, Some(ct)) => match ct.subtype() {
            Some(subtype) => format!("{}/{subtype}", ct.ctype()),
            None => ct.ctype().to_owned(),
        },
        (PartType::Html(_), None) => "text/html".to_owned(),
        (PartType::Text(_), None) => "text/plain".to_owned(),
        _ => "application/octet-stream".to_owned(),
    };
    let bytes = match &part.body {
        PartType::Message(nested) => nested.raw_message().to_vec(),
        _ => part.contents().to_vec(),
    };
    Ok(MessagePartContent { content_type: content_type.to_ascii_lowercase(), bytes })
}

#[cfg(test)]
mod tests {
    use super::*;

    const PNG: &[u8] = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x01\0\0\0\x01\x08\x06\0\0\0\x1f\x15\xc4\x89";

    #[test]
    fn declared_types_must_agree_with_the_bytes() {
        assert_eq!(settle_content_type(Some("image/png"), "a.png", PNG).unwrap(), "image/png");
        assert_eq!(settle_content_type(None, "a", PNG).unwrap(), "image/png");
        assert_eq!(settle_content_type(Some("application/octet-stream"), "a", PNG).unwrap(), "image/png");
        assert_eq!(settle_content_type(Some("Text/Plain; charset=utf-8"), "a", b"hello").unwrap(), "text/plain");
        assert_eq!(settle_content_type(None, "a.bin", b"hello").unwrap(), "application/octet-stream");
        assert_eq!(
            settle_content_type(Some("application/octet-stream"), "m.EML", b"From: a").unwrap(),
            "message/rfc822"
        );
        assert!(settle_content_type(Some("application/pdf"), "a.pdf", PNG).unwrap_err().contains("image/png"));
        assert!(settle_content_type(Some("image/png"), "a.png", b"<html>").is_err());
        assert_eq!(
            settle_content_type(Some("image/jpg"), "a.jpg", b"\xff\xd8\xff\xe0\0\x10JFIF\0").unwrap(),
            "image/jpg"
        );
    }

    #[test]
    fn only_one_well_formed_media_type_is_stored_or_served() {
        assert_eq!(single_media_type(" Image/PNG ; q=1").as_deref(), Some("image/png"));
        for bad in ["image/x,text/html", "text/html image/png", "image/", "/png", "image", "", "a/b/c", "é/x"] {
            assert_eq!(single_media_type(bad), None, "{bad}");
        }
        assert_eq!(
            settle_content_type(Some("image/x,text/html"), "x.html", b"<html><script>").unwrap(),
            "application/octet-stream"
        );
        assert_eq!(servable_type("image/x,text/html"), "application/octet-stream");
        assert!(opens_inline("image/png") && !opens_inline("image/svg+xml") && !opens_inline("text/html"));
    }

    #[test]
    fn parts_of_a_message_are_found_by_position() {
        let raw = concat!(
            "From: a@example.com\r\nTo: b@example.com\r\nSubject: Hi\r\nMIME-Version: 1.0\r\n",
            "Content-Type: multipart/mixed; boundary=\"b1\"\r\n\r\n",
            "--b1\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nHei på deg\r\n",
            "--b1\r\nContent-Type: application/pdf\r\nContent-Disposition: attachment; filename=\"a.pdf\"\r\n",
            "Content-Transfer-Encoding: base64\r\n\r\nJVBERi0xLjQK\r\n--b1--\r\n"
        );
        let text = message_part(raw.as_bytes(), 0).unwrap();
        assert_eq!(text.content_type, "text/plain");
        assert_eq!(String::from_utf8(text.bytes).unwrap().trim(), "Hei på deg");
        let pdf = message_part(raw.as_bytes(), 1).unwrap();
        assert_eq!((pdf.content_type.as_str(), pdf.bytes.as_slice()), ("application/pdf", b"%PDF-1.4\n".as_slice()));
        assert_eq!(message_part(raw.as_bytes(), 2), Err(PartError::NoSuchPart { parts: 2 }));
        assert_eq!(message_part(b"", 0), Err(PartError::NotAMessage));
    }
}
