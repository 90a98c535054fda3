//! Attachment bytes in flight, a piece at a time: a request body cut into stored pieces as it
//! arrives (at most [`CHUNK_BYTES`] held per upload), a stored attachment streamed back out,
//! and the clean-up of an upload its client gave up on.

use std::sync::Arc;

use axum::body::{Body, Bytes};
use futures_util::stream;
use http_body_util::BodyExt;

use crate::error::ApiError;
use crate::negotiate::body::too_large;
use crate::store::Store;
use crate::store::attachment::CHUNK_BYTES;

/// A request body read as pieces of [`CHUNK_BYTES`] (the last one shorter), refusing more
/// than `limit` bytes in all.
pub struct BodyPieces {
    body: Body,
    /// What the last frame held beyond the piece it completed.
    leftover: Bytes,
    limit: usize,
    received: usize,
    /// Whether the body is over: read to its end, past the limit, or broken.
    ended: bool,
}

impl BodyPieces {
    pub fn new(body: Body, limit: usize) -> Self {
        Self { body, leftover: Bytes::new(), limit, received: 0, ended: false }
    }

    /// The next piece; `None` once the body is over.
    pub async fn next_piece(&mut self) -> Result<Option<Vec<u8>>, ApiError> {
        let mut piece = Vec::new();
        loop {
            if !self.leftover.is_empty() {
                let take = (CHUNK_BYTES - piece.len()).min(self.leftover.len());
                if piece.is_empty() {
                    piece.reserve_exact(CHUNK_BYTES.min(self.limit));
                }
                piece.extend_from_slice(&self.leftover.split_to(take));
                if piece.len() == CHUNK_BYTES {
                    return Ok(Some(piece));
                }
            }
            if self.ended {
                return Ok((!piece.is_empty()).then_some(piece));
            }
            match self.body.frame().await {
                None => self.ended = true,
                Some(Err(err)) => {
                    self.ended = true;
                    return Err(ApiError::invalid(format!("The request body could not be read: {err}")));
                }
                Some(Ok(frame)) => {
                    // Trailers carry no bytes of the file.
                    if let Ok(data) = frame.into_data() {
                        self.received = self.received.saturating_add(data.len());
                        if self.received > self.limit {
                            self.ended = true;
                            return Err(too_large(self.limit));
                        }
                        self.leftover = data;
                    }
                }
            }
        }
    }

    /// Reads the rest of the body without keeping it, up to the limit.
    pub async fn discard_rest(&mut self) {
        self.leftover = Bytes::new();
        while !self.ended {
            match self.body.frame().await {
                Some(Ok(frame)) => {
                    let len = frame.data_ref().map_or(0, Bytes::len);
                    self.received = self.received.saturating_add(len);
                    self.ended = self.received > self.limit;
                }
                None | Some(Err(_)) => self.ended = true,
            }
        }
    }

    /// How many bytes the body has had so far.
    pub fn received(&self) -> usize {
        self.received
    }
}

/// An upload that is not finished yet: dropped before [`Self::finished`] (an error, or the
/// client hanging up, which drops the request), it deletes the row and the pieces stored so far.
pub struct Unfinished {
    store: Arc<dyn Store>,
    id: Option<i32>,
}

impl Unfinished {
    pub fn new(store: Arc<dyn Store>, id: i32) -> Self {
        Self { store, id: Some(id) }
    }

    pub fn finished(mut self) {
        self.id = None;
    }
}

impl Drop for Unfinished {
    fn drop(&mut self) {
        let Some(id) = self.id.take() else { return };
        let store = Arc::clone(&self.store);
        // Drop cannot wait; the deletion runs on its own (the pending-upload sweep removes
        // what a crash in between leaves).
        if let Ok(runtime) = tokio::runtime::Handle::try_current() {
            runtime.spawn(async move {
                if let Err(err) = store.abandon_upload(id).await {
                    tracing::warn!(attachment = id, error = %err, "could not delete an unfinished upload");
                }
            });
        }
    }
}

/// A stored attachment's bytes as a response body, read one piece at a time as the client takes
/// them. A read error (or the attachment deleted meanwhile) ends the response short of its
/// `Content-Length`, so the client sees a broken download rather than a shorter file.
pub fn stored_body(store: Arc<dyn Store>, id: i32) -> Body {
    let pieces = stream::try_unfold(Some(0), move |next: Option<i32>| {
        let store = Arc::clone(&store);
        async move {
            let Some(next) = next else { return Ok(None) };
            let piece = store.attachment_chunk(id, next).await?;
            Ok::<_, crate::store::StoreError>(piece.map(|(seq, data)| (Bytes::from(data), seq.checked_add(1))))
        }
    });
    Body::from_stream(pieces)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A body that arrives in frames of the given sizes, numbered bytes throughout.
    fn body_in_frames(sizes: &[usize]) -> (Body, Vec<u8>) {
        let whole: Vec<u8> = (0..sizes.iter().sum::<usize>()).map(|i| (i % 251) as u8).collect();
        let mut offset = 0;
        let frames: Vec<Result<Bytes, std::io::Error>> = sizes
            .iter()
            .map(|&size| {
                offset += size;
                Ok(Bytes::copy_from_slice(&whole[offset - size..offset]))
            })
            .collect();
        (Body::from_stream(stream::iter(frames)), whole)
    }

    async fn all_pieces(body: Body, limit: usize) -> Result<Vec<Vec<u8>>, ApiError> {
        let mut pieces = BodyPieces::new(body, limit);
        let mut all = Vec::new();
        while let Some(piece) = pieces.next_piece().await? {
            all.push(piece);
        }
        Ok(all)
    }

    #[tokio::test]
    async fn frames_of_any_size_become_whole_pieces_and_one_shorter_last() {
        let (body, whole) = body_in_frames(&[10, CHUNK_BYTES * 2 + 5, 1, CHUNK_BYTES - 16, 7]);
        let pieces = all_pieces(body, usize::MAX).await.expect("read");
        let sizes: Vec<usize> = pieces.iter().map(Vec::len).collect();
        assert_eq!(sizes, [CHUNK_BYTES, CHUNK_BYTES, CHUNK_BYTES, 7]);
        assert_eq!(pieces.concat(), whole);
    }

    #[tokio::test]
    async fn an_exact_multiple_ends_without_an_empty_piece_and_an_empty_body_has_none() {
        let (body, _) = body_in_frames(&[CHUNK_BYTES, CHUNK_BYTES]);
        assert_eq!(all_pieces(body, usize::MAX).await.expect("read").len(), 2);
        assert!(all_pieces(Body::empty(), 10).await.expect("read").is_empty());
    }

    #[tokio::test]
    async fn a_byte_past_the_limit_is_refused() {
        let (body, _) = body_in_frames(&[100, 1]);
        let err = all_pieces(body, 100).await.expect_err("over the limit");
        assert!(err.to_string().contains("limit of 100 bytes"), "{err}");
        let (body, _) = body_in_frames(&[60, 40]);
        assert_eq!(all_pieces(body, 100).await.expect("at the limit").concat().len(), 100);
    }

    #[tokio::test]
    async fn the_rest_is_read_and_dropped_up_to_the_limit() {
        let (body, _) = body_in_frames(&[CHUNK_BYTES + 3, 1000, 1000]);
        let mut pieces = BodyPieces::new(body, usize::MAX);
        assert_eq!(pieces.next_piece().await.expect("read").map(|piece| piece.len()), Some(CHUNK_BYTES));
        pieces.discard_rest().await;
        assert_eq!(pieces.received(), CHUNK_BYTES + 2003);
        assert_eq!(pieces.next_piece().await.expect("over"), None);

        let (body, _) = body_in_frames(&[10, 10, 10, 10]);
        let mut pieces = BodyPieces::new(body, 15);
        pieces.discard_rest().await;
        assert_eq!(pieces.received(), 20, "stops at the first frame past the limit");
    }
}
