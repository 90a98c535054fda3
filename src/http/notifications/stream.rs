//! `GET /api/v1/notifications/stream`: Server-Sent Events carrying the caller's notifications as
//! they are delivered. Each event's id is its outbox row id, so a client that reconnects with
//! `Last-Event-ID` gets everything it missed; without it the stream starts from now.

use std::convert::Infallible;
use std::time::Duration;

use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::sse::{Event, KeepAlive, Sse};
use futures_util::{Stream, StreamExt as _};
use tokio::sync::watch;

use crate::auth::Principal;
use crate::error::ApiError;
use crate::http::AppState;
use crate::store::StoreError;
use crate::store::outbox::StreamItem;

/// How often to look for notifications another instance delivered.
const POLL: Duration = Duration::from_secs(1);
const BATCH: u32 = 100;

pub async fn stream_notifications(
    caller: Principal,
    State(state): State<AppState>,
    headers: HeaderMap,
) -> Result<Sse<impl Stream<Item = Result<Event, Infallible>>>, ApiError> {
    let after = match headers.get("last-event-id") {
        Some(value) => {
            value.to_str().ok().and_then(|text| text.trim().parse::<i64>().ok()).filter(|id| *id >= 0).ok_or_else(
                || ApiError::invalid("Invalid value for header 'Last-Event-ID': expected the id of an earlier event"),
            )?
        }
        None => state.store.last_stream_id(caller.associate_id).await?,
    };
    let cursor = Cursor {
        state: state.clone(),
        recipient: caller.associate_id,
        after,
        listener: state.notify.stream_listener(),
        closing: state.notify.closing_listener(),
    };
    let events = futures_util::stream::unfold(cursor, next_batch)
        .flat_map(futures_util::stream::iter)
        .map(|item| Ok(Event::default().id(item.id.to_string()).event(item.event).data(item.payload)));
    // Comment lines keep proxies and the idle-connection timeout from closing a quiet stream.
    let keep_alive = (state.limits.idle_timeout / 2).clamp(Duration::from_millis(100), Duration::from_secs(15));
    Ok(Sse::new(events).keep_alive(KeepAlive::new().interval(keep_alive)))
}

struct Cursor {
    state: AppState,
    recipient: i32,
    after: i64,
    listener: watch::Receiver<u64>,
    /// Open streams end when the server shuts down, so that it can finish.
    closing: watch::Receiver<bool>,
}

/// Waits for the next notifications after the cursor; `None` ends the stream (the client
/// reconnects with `Last-Event-ID`). While the database cannot be reached the stream stays open
/// and keeps trying; other store errors end it.
async fn next_batch(mut cursor: Cursor) -> Option<(Vec<StreamItem>, Cursor)> {
    loop {
        if *cursor.closing.borrow() {
            return None;
        }
        match cursor.state.store.stream_after(cursor.recipient, cursor.after, BATCH).await {
            Ok(items) if !items.is_empty() => {
                cursor.after = items.last().map_or(cursor.after, |item| item.id);
                return Some((items, cursor));
            }
            Ok(_) => {}
            // The database is restarting or failing over: keep the stream and read again at
            // the next poll, from the same cursor, so nothing is skipped.
            Err(err @ (StoreError::Busy | StoreError::Unavailable(_))) => {
                tracing::debug!(error = %err, "notification stream: the database is unavailable, waiting");
            }
            Err(err) => {
                tracing::warn!(error = %err, "notification stream: cannot read notifications");
                return None;
            }
        }
        tokio::select! {
            changed = cursor.listener.changed() => {
                if changed.is_err() {
                    return None;
                }
            }
            () = tokio::time::sleep(POLL) => {}
            _ = cursor.closing.changed() => {}
        }
    }
}
