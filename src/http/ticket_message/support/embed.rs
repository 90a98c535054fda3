//! `embedImages` on `GET /TicketMessage/{id}`: HTML bodies refer to their inline images as
//! `cid:<ContentId>`; `Link` rewrites those references to the image's download URL, `Inline` to
//! a `data:` URI with the stored bytes. Images whose bytes ticketd does not hold, and for
//! `Inline` bytes that are no raster image, stay as they are. The answer's size is worked out
//! before it is built: one reference may occur many times, so a short body can ask for a huge
//! answer, and one larger than [`EMBED_LIMIT_FACTOR`] times the body limit is refused (413).

use aho_corasick::{AhoCorasick, MatchKind};
use base64::Engine as _;

use crate::domain::TicketMessage;
use crate::error::{ApiError, ErrorKind};
use crate::http::AppState;
use crate::negotiate::content::{opens_inline, servable_type};

/// How many times `--body-limit` an `HtmlBody` with its images embedded may grow to.
pub const EMBED_LIMIT_FACTOR: usize = 4;

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

/// The message's HTML body with its `cid:` image references rewritten, in one pass (a
/// replacement is never searched again), or a 413 when the result would pass the limit.
pub async fn embed_images(
    state: &AppState,
    message: &TicketMessage,
    mode: EmbedImages,
    base: &str,
) -> Result<String, ApiError> {
    let html = &message.content.html_body;
    let mut ids = Vec::new();
    let mut references = Vec::new();
    for attachment in message.content.attachments.iter().filter(|a| !a.content_id.is_empty()) {
        let reference = format!("cid:{}", attachment.content_id.trim_matches(['<', '>']));
        if !references.contains(&reference) {
            references.push(reference);
            ids.push(attachment.id);
        }
    }
    if references.is_empty() {
        return Ok(html.clone());
    }
    let matcher =
        AhoCorasick::builder().match_kind(MatchKind::LeftmostLongest).build(&references).map_err(ApiError::internal)?;
    let mut counts = vec![0_u64; references.len()];
    for found in matcher.find_iter(html) {
        counts[found.pattern().as_usize()] += 1;
    }
    let limit = state.limits.body_bytes.saturating_mul(EMBED_LIMIT_FACTOR);
    let mut size = html.len() as u64;
    let mut targets: Vec<Option<String>> = vec![None; references.len()];
    for (index, &count) in counts.iter().enumerate().filter(|(_, count)| **count > 0) {
        let Some(target) = Target::find(state, mode, base, ids[index]).await? else { continue };
        let growth = target.len().saturating_sub(references[index].len() as u64).saturating_mul(count);
        size = size.saturating_add(growth);
        if size > limit as u64 {
            return Err(too_large(mode, limit));
        }
        targets[index] = Some(target.render());
    }
    let mut embedded = String::with_capacity(usize::try_from(size).unwrap_or(usize::MAX));
    let mut last = 0;
    for found in matcher.find_iter(html) {
        if let Some(target) = &targets[found.pattern().as_usize()] {
            embedded.push_str(&html[last..found.start()]);
            embedded.push_str(target);
            last = found.end();
        }
    }
    embedded.push_str(&html[last..]);
    Ok(embedded)
}

/// What one reference becomes, known in size before it is written out.
enum Target {
    Link(String),
    Inline { media_type: String, bytes: Vec<u8> },
}

impl Target {
    /// The target for attachment `id`; `None` when it stays a `cid:` reference.
    async fn find(state: &AppState, mode: EmbedImages, base: &str, id: i32) -> Result<Option<Self>, ApiError> {
        Ok(match mode {
            EmbedImages::Link => {
                state.store.attachment(id).await?.map(|_| Self::Link(format!("{base}/api/v1/Attachment/{id}/Content")))
            }
            EmbedImages::Inline => state.store.attachment_content(id).await?.and_then(|file| {
                let media_type = servable_type(&file.info.content_type);
                // A `data:` URI renders in the reader's page: only plain pictures go there.
                opens_inline(&media_type).then_some(Self::Inline { media_type, bytes: file.content })
            }),
        })
    }

    fn len(&self) -> u64 {
        match self {
            Self::Link(url) => url.len() as u64,
            Self::Inline { media_type, bytes } => {
                let encoded = base64::encoded_len(bytes.len(), true).unwrap_or(usize::MAX);
                ("data:;base64,".len() + media_type.len()) as u64 + encoded as u64
            }
        }
    }

    fn render(self) -> String {
        match self {
            Self::Link(url) => url,
            Self::Inline { media_type, bytes } => {
                format!("data:{media_type};base64,{}", base64::engine::general_purpose::STANDARD.encode(&bytes))
            }
        }
    }
}

fn too_large(mode: EmbedImages, limit: usize) -> ApiError {
    let hint = match mode {
        EmbedImages::Inline => "; embedImages=Link answers with links instead",
        EmbedImages::Link => "",
    };
    ApiError::new(
        ErrorKind::PayloadTooLarge,
        format!(
            "The HtmlBody with its images embedded would be larger than the limit of {limit} bytes \
             (embedImages answers are capped at {EMBED_LIMIT_FACTOR} times the body limit){hint}"
        ),
    )
}
