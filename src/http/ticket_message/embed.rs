//! `embedImages` on `GET /TicketMessage/{id}`: HTML bodies refer to their inline images as
//! `cid:<ContentId>`; `Link` rewrites those references to the image's download URL, `Inline` to
//! a `data:` URI with the stored bytes. Images whose bytes ticketd does not hold, and for `Inline`
//! bytes that are no raster image, stay as they are.

use base64::Engine as _;

use crate::domain::TicketMessage;
use crate::error::ApiError;
use crate::http::AppState;
use crate::negotiate::content::{opens_inline, servable_type};

/// How `embedImages` asks for inline images.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EmbedImages {
    Link,
    Inline,
}

impl EmbedImages {
    pub fn parse(value: &str) -> Result<Self, ApiError> {
        match value.trim().to_ascii_lowercase().as_str() {
            "link" => Ok(Self::Link),
            "inline" => Ok(Self::Inline),
            _ => Err(ApiError::invalid(format!(
                "Invalid value '{}' for 'embedImages': use Link or Inline",
                value.escape_debug()
            ))),
        }
    }
}

/// The message's HTML body with its `cid:` image references rewritten.
pub async fn embed_images(
    state: &AppState,
    message: &TicketMessage,
    mode: EmbedImages,
    base: &str,
) -> Result<String, ApiError> {
    let mut html = message.content.html_body.clone();
    for attachment in message.content.attachments.iter().filter(|a| !a.content_id.is_empty()) {
        let reference = format!("cid:{}", attachment.content_id.trim_matches(['<', '>']));
        if !html.contains(&reference) {
            continue;
        }
        let target = match mode {
            EmbedImages::Link => match state.store.attachment(attachment.id).await? {
                Some(_) => format!("{base}/api/v1/Attachment/{}/Content", attachment.id),
                None => continue,
            },
            EmbedImages::Inline => match state.store.attachment_content(attachment.id).await? {
                // A `data:` URI renders in the reader's page: only plain pictures go there.
                Some(file) if opens_inline(&servable_type(&file.info.content_type)) => format!(
                    "data:{};base64,{}",
                    servable_type(&file.info.content_type),
                    base64::engine::general_purpose::STANDARD.encode(&file.content)
                ),
                _ => continue,
            },
        };
        html = html.replace(&reference, &target);
    }
    Ok(html)
}
