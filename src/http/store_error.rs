//! What a store error means to an HTTP client: the status, and a message that says whether
//! anything was saved and whether to retry. The store itself knows nothing of HTTP.

use crate::error::{ApiError, ErrorKind};
use crate::store::StoreError;

/// Seconds a client is asked to wait before retrying when the database cannot serve.
const RETRY_AFTER_SECONDS: u64 = 2;

impl From<StoreError> for ApiError {
    fn from(err: StoreError) -> Self {
        match err {
            StoreError::NotFound => ApiError::new(ErrorKind::NotFound, "Not found"),
            StoreError::UnknownReference { field, id } => {
                ApiError::invalid(format!("Invalid value for '{field}': {field} {id} does not exist"))
            }
            StoreError::Conflict(what) => ApiError::invalid(format!("{what} is already taken")),
            StoreError::Stale => ApiError::new(
                ErrorKind::PreconditionFailed,
                "The ticket message has changed since the version the request is based on; nothing was saved",
            ),
            // Every database connection stayed busy past the wait, or none could be opened (a
            // PostgreSQL restart looks like this from the pool): either way, retry shortly.
            StoreError::Busy => unavailable("The database is busy; nothing was saved. Try again shortly"),
            StoreError::Unavailable(cause) => {
                tracing::warn!(%cause, "the database is unavailable");
                unavailable("The database is unavailable; nothing was saved. Try again shortly")
            }
            StoreError::ReadOnly => {
                tracing::warn!("the database is read-only");
                unavailable("The database cannot be written to at the moment; nothing was saved. Try again later")
            }
            StoreError::CommitUnknown => {
                tracing::warn!("the database connection was lost during a commit");
                unavailable(
                    "The connection to the database was lost while saving; the save may or may not have been \
                     stored. Read the entity back before trying again",
                )
            }
            StoreError::StorageFull => {
                tracing::warn!("the database is out of space");
                ApiError::new(ErrorKind::InsufficientStorage, "The database is out of space; nothing was saved")
            }
            other => ApiError::internal(other),
        }
    }
}

fn unavailable(message: &str) -> ApiError {
    ApiError::new(ErrorKind::Unavailable(RETRY_AFTER_SECONDS), message)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn faults_the_client_can_wait_out_are_503_with_retry_after_and_others_500() {
        let busy = StoreError::from(sqlx::Error::PoolTimedOut);
        for retryable in [busy, StoreError::Unavailable("gone".into()), StoreError::ReadOnly, StoreError::CommitUnknown]
        {
            assert_eq!(ApiError::from(retryable).kind, ErrorKind::Unavailable(RETRY_AFTER_SECONDS));
        }
        assert_eq!(ApiError::from(StoreError::StorageFull).kind, ErrorKind::InsufficientStorage);
        assert_eq!(ApiError::from(StoreError::Corrupt("x".into())).kind, ErrorKind::Internal);
        assert_eq!(ApiError::from(StoreError::from(sqlx::Error::RowNotFound)).kind, ErrorKind::Internal);
    }
}
