//! Who the current request acts as: the caller's associate id and the tenant segment the request
//! came through. The HTTP layer sets both for the request's task; a save's context and a delete
//! (which has no save context of its own) read them for the webhook events they queue.

use std::cell::Cell;
use std::future::Future;

use crate::domain::webhook::ContextId;

/// The acting caller and tenant; zero and none outside a request.
#[derive(Debug, Clone, Copy, Default)]
pub struct Acting {
    pub associate_id: i32,
    pub context: ContextId,
}

tokio::task_local! {
    static ACTING: Cell<Acting>;
}

/// Runs `work` (a request) under tenant `context`; the caller is noted once authenticated.
pub async fn scope<F: Future>(context: ContextId, work: F) -> F::Output {
    ACTING.scope(Cell::new(Acting { associate_id: 0, context }), work).await
}

/// Records the authenticated caller of the current request.
pub fn note_associate(associate_id: i32) {
    let _ = ACTING.try_with(|acting| acting.set(Acting { associate_id, ..acting.get() }));
}

/// The current request's caller and tenant (defaults outside a request).
pub fn current() -> Acting {
    ACTING.try_with(Cell::get).unwrap_or_default()
}
