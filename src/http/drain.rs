//! Shutting down without cutting anyone off: once the server drains, every response carries
//! `Connection: close` (so a kept-alive client's next request goes to another instance), and
//! shutdown can wait for the requests still being answered.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use axum::Router;
use axum::extract::{Request, State};
use axum::http::{HeaderValue, header};
use axum::middleware::{self, Next};
use axum::response::Response;
use tokio::sync::{Notify, watch};

/// Whether the server is draining, and how many requests it is answering.
#[derive(Debug)]
pub struct Drain {
    draining: watch::Sender<bool>,
    in_flight: AtomicUsize,
    idle: Notify,
}

impl Default for Drain {
    fn default() -> Self {
        Self { draining: watch::channel(false).0, in_flight: AtomicUsize::new(0), idle: Notify::new() }
    }
}

impl Drain {
    /// Starts draining: readiness fails and responses close their connections from now on.
    pub fn start(&self) {
        self.draining.send_replace(true);
    }

    pub fn is_draining(&self) -> bool {
        *self.draining.borrow()
    }

    /// A receiver that turns true when draining starts.
    pub fn listener(&self) -> watch::Receiver<bool> {
        self.draining.subscribe()
    }

    /// Resolves once no request is being answered (response heads written or on their way).
    pub async fn idle(&self) {
        loop {
            let notified = self.idle.notified();
            if self.in_flight.load(Ordering::Acquire) == 0 {
                return;
            }
            notified.await;
        }
    }

    fn begin(self: &Arc<Self>) -> InFlight {
        self.in_flight.fetch_add(1, Ordering::AcqRel);
        InFlight(self.clone())
    }
}

/// One request being answered; counted down when dropped.
struct InFlight(Arc<Drain>);

impl Drop for InFlight {
    fn drop(&mut self) {
        if self.0.in_flight.fetch_sub(1, Ordering::AcqRel) == 1 {
            self.0.idle.notify_waiters();
        }
    }
}

/// Wraps the whole application (outermost, so error responses are counted and marked too).
pub fn wrap(app: Router, drain: Arc<Drain>) -> Router {
    app.layer(middleware::from_fn_with_state(drain, track))
}

async fn track(State(drain): State<Arc<Drain>>, request: Request, next: Next) -> Response {
    let _in_flight = drain.begin();
    let mut response = next.run(request).await;
    if drain.is_draining() {
        response.headers_mut().insert(header::CONNECTION, HeaderValue::from_static("close"));
    }
    response
}
