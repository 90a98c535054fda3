//! `GET /api/v1/notifications/stream`: Server-Sent Events carrying the caller's notifications as
//! they are delivered. Each event's id is its outbox row id, so a client that reconnects with
//! `Last-Event-ID` gets everything it missed; without it the stream starts from now.
//!
//! An open stream checks its caller again before every batch it sends and at least every
//! `Limits::stream_recheck` while quiet, and ends when the credentials no longer hold. Each
//! associate may hold `Limits::max_streams_per_associate` streams at once.

use std::convert::Infallible;
use std::time::Duration;

use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::sse::{Event, KeepAlive, Sse};
use futures_util::{Stream, StreamExt as _};
use tokio::sync::watch;
use tokio::time::Instant;

use super::recheck::{Recheck, Verdict};
use super::slots::StreamSlot;
use crate::auth::Principal;
use crate::error::{ApiError, ErrorKind};
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
    let resume_after = last_event_id(&headers)?;
    // Comment lines keep proxies and the idle-connection timeout from closing a quiet stream.
    let keep_alive = (state.limits.idle_timeout / 2).clamp(Duration::from_millis(100), Duration::from_secs(15));
    let slot = take_slot(&state, &caller, keep_alive)?;
    let after = match resume_after {
        Some(id) => id,
        None => state.store.last_stream_id(caller.associate_id).await?,
    };
    let cursor = Cursor {
        state: state.clone(),
        recipient: caller.associate_id,
        after,
        listener: state.notify.stream_listener(),
        closing: state.notify.closing_listener(),
        next_check: Instant::now() + state.limits.stream_recheck,
        recheck: Recheck::new(state.clone(), headers, caller),
        _slot: slot,
    };
    let events = futures_util::stream::unfold(cursor, next_batch)
        .flat_map(futures_util::stream::iter)
        .map(|item| Ok(Event::default().id(item.id.to_string()).event(item.event).data(item.payload)));
    Ok(Sse::new(events).keep_alive(KeepAlive::new().interval(keep_alive)))
}

/// The `Last-Event-ID` to resume after, if the client sent one.
fn last_event_id(headers: &HeaderMap) -> Result<Option<i64>, ApiError> {
    let Some(value) = headers.get("last-event-id") else { return Ok(None) };
    let id = value.to_str().ok().and_then(|text| text.trim().parse::<i64>().ok()).filter(|id| *id >= 0);
    id.map(Some).ok_or_else(|| {
        ApiError::invalid("Invalid value for header 'Last-Event-ID': expected the id of an earlier event")
    })
}

/// A slot for one more stream of the caller, or 429. A stream the client dropped gives its
/// slot back at the latest when the next keep-alive finds the connection gone, hence the
/// `Retry-After`.
fn take_slot(state: &AppState, caller: &Principal, keep_alive: Duration) -> Result<StreamSlot, ApiError> {
    let max = state.limits.max_streams_per_associate;
    state.stream_slots.take(caller.associate_id, max).ok_or_else(|| {
        let retry_after = (keep_alive.as_secs() + u64::from(keep_alive.subsec_nanos() > 0)).max(1);
        ApiError::new(
            ErrorKind::TooManyRequests(retry_after),
            format!(
                "'{}' has {max} notification streams open already, the most allowed; close one first",
                caller.login
            ),
        )
    })
}

struct Cursor {
    state: AppState,
    recipient: i32,
    after: i64,
    listener: watch::Receiver<u64>,
    /// Open streams end when the server shuts down, so that it can finish.
    closing: watch::Receiver<bool>,
    /// When a quiet stream next checks its caller.
    next_check: Instant,
    recheck: Recheck,
    /// Held while the stream lives; dropped with it, however it ends.
    _slot: StreamSlot,
}

/// Waits for the next notifications after the cursor; `None` ends the stream (the client
/// reconnects with `Last-Event-ID`). While the database cannot be reached the stream stays open
/// and keeps trying; other store errors end it.
async fn next_batch(mut cursor: Cursor) -> Option<(Vec<StreamItem>, Cursor)> {
    loop {
        if *cursor.closing.borrow() {
            return None;
        }
        let items = match cursor.state.store.stream_after(cursor.recipient, cursor.after, BATCH).await {
            Ok(items) => items,
            // The database is restarting or failing over: keep the stream and read again after
            // a poll, from the same cursor, so nothing is skipped. Nothing is sent meanwhile, so
            // the re-check can wait for the database too.
            Err(err @ (StoreError::Busy | StoreError::Unavailable(_))) => {
                tracing::debug!(error = %err, "notification stream: the database is unavailable, waiting");
                tokio::time::sleep(POLL).await;
                continue;
            }
            Err(err) => {
                tracing::warn!(error = %err, "notification stream: cannot read notifications");
                return None;
            }
        };
        // Checked before any body goes out, so nothing saved after a revocation reaches the
        // revoked credentials, and on a schedule, so a quiet stream ends too.
        if !items.is_empty() || Instant::now() >= cursor.next_check {
            match cursor.recheck.holds().await {
                Verdict::Holds => cursor.next_check = Instant::now() + cursor.state.limits.stream_recheck,
                Verdict::Ends => return None,
                // Nothing goes out unchecked: wait for the database, then read and check again.
                Verdict::Unknown => {
                    tokio::time::sleep(POLL).await;
                    continue;
                }
            }
        }
        if let Some(last) = items.last() {
            cursor.after = last.id;
            return Some((items, cursor));
        }
        tokio::select! {
            changed = cursor.listener.changed() => {
                if changed.is_err() {
                    return None;
                }
            }
            () = tokio::time::sleep(POLL) => {}
            () = tokio::time::sleep_until(cursor.next_check) => {}
            _ = cursor.closing.changed() => {}
        }
    }
}
