//! Whether an open stream's caller may still read it: the request's own headers are
//! authenticated again, and the associate's row is read again, so a revoked ticket or token,
//! an ended session, a changed password, a disabled associate or a changed role ends the stream.

use axum::http::HeaderMap;

use crate::auth::Principal;
use crate::error::ErrorKind;
use crate::http::AppState;
use crate::store::StoreError;

/// The outcome of a re-check.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    /// The caller may go on reading.
    Holds,
    /// The credentials no longer hold: the stream ends.
    Ends,
    /// The database cannot answer now (a restart, a failover): nothing is sent until it can.
    Unknown,
}

/// What a stream needs to check its caller again.
pub struct Recheck {
    state: AppState,
    headers: HeaderMap,
    caller: Principal,
}

impl Recheck {
    pub fn new(state: AppState, headers: HeaderMap, caller: Principal) -> Self {
        Self { state, headers, caller }
    }

    /// Whether the credentials that opened the stream still hold for the same associate with
    /// the same role. While the database cannot be reached the answer is unknown, so an outage
    /// does not end every open stream; any other failure to check counts as not holding: the
    /// client reconnects and is answered by the ordinary sign-in.
    pub async fn holds(&self) -> Verdict {
        // No client address: a re-check is not a sign-in attempt, so it neither waits on nor
        // feeds the per-address failure limit.
        match self.state.authenticator.authenticate(&self.headers, None).await {
            Ok(again) if again.associate_id == self.caller.associate_id => {}
            Ok(_) => return self.ends("the credentials now name another associate"),
            Err(err) if matches!(err.kind, ErrorKind::Timeout | ErrorKind::Unavailable(_)) => return Verdict::Unknown,
            // A 500 here is never rendered, so its cause is logged with the stream's end instead.
            Err(err) => return self.ends(err.cause().unwrap_or(&err.message)),
        }
        // The verified-credentials cache may have answered above, up to its check interval
        // behind; the row read here is current, and when it differs the cache is dropped too.
        let behind = |why| {
            self.state.authenticator.forget_verified();
            self.ends(why)
        };
        match self.state.store.credentials_by_id(self.caller.associate_id).await {
            Ok(Some(row)) if row.deleted => behind("the associate is disabled"),
            Ok(Some(row)) if row.role != self.caller.access.role => behind("the associate's role changed"),
            Ok(Some(_)) => Verdict::Holds,
            Ok(None) => self.ends("the associate no longer exists"),
            Err(StoreError::Busy | StoreError::Unavailable(_)) => Verdict::Unknown,
            Err(err) => self.ends(&err.to_string()),
        }
    }

    fn ends(&self, why: &str) -> Verdict {
        tracing::info!(
            associate = self.caller.associate_id,
            why,
            "notification stream closed: credentials no longer hold"
        );
        Verdict::Ends
    }
}
