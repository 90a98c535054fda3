//! Object-level authorization for the attachment routes, over the application state: the checks
//! themselves live in `service::reach`, shared by every face of the server.

use super::AppState;
use crate::auth::Principal;
use crate::error::ApiError;
use crate::service::reach;
use crate::store::attachment::AttachmentOwner;

/// 403 unless the caller reaches the ticket of the message an attachment belongs to; 404 for
/// someone else's pending upload.
pub async fn require_attachment_owner(
    state: &AppState,
    caller: &Principal,
    id: i32,
    owner: AttachmentOwner,
) -> Result<(), ApiError> {
    reach::require_attachment_owner(state.store.as_ref(), caller, id, owner).await
}
