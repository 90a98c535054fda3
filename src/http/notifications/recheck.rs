//! Whether an open stream's caller may still read it: the request's own headers are
//! authenticated again, and the associate's row is read again, so a revoked ticket or token,
//! an ended session, a changed password, a disabled associate or a changed role ends the stream.

use axum::http::HeaderMap;

use crate::auth::Principal;
use crate::http::AppState;

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
    /// the same role. Anything that cannot be checked (a store error) counts as not holding:
    /// the client reconnects and is answered by the ordinary sign-in.
    pub async fn holds(&self) -> bool {
        // No client address: a re-check is not a sign-in attempt, so it neither waits on nor
        // feeds the per-address failure limit.
        match self.state.authenticator.authenticate(&self.headers, None).await {
            Ok(again) if again.associate_id == self.caller.associate_id => {}
            Ok(_) => return self.ends("the credentials now name another associate"),
            Err(err) => return self.ends(&err.message),
        }
        // The Basic verification cache may have answered above; the row itself is not cached.
        match self.state.store.credentials_by_id(self.caller.associate_id).await {
            Ok(Some(row)) if row.deleted => self.ends("the associate is disabled"),
            Ok(Some(row)) if row.role != self.caller.access.role => self.ends("the associate's role changed"),
            Ok(Some(_)) => true,
            Ok(None) => self.ends("the associate no longer exists"),
            Err(err) => self.ends(&err.to_string()),
        }
    }

    fn ends(&self, why: &str) -> bool {
        tracing::info!(
            associate = self.caller.associate_id,
            why,
            "notification stream closed: credentials no longer hold"
        );
        false
    }
}
