//! The TicketAgent adapters: each method's bound parameters onto a ticket-message operation.

use super::CallParts;
use super::answer::Outcome;
use super::args::Args;
use super::table::Op;
use crate::auth::Principal;
use crate::error::{ApiError, ErrorKind};
use crate::http::AppState;

pub async fn call(
    op: Op,
    _state: &AppState,
    _caller: &Principal,
    _call: &CallParts,
    _args: &Args,
) -> Result<Outcome, ApiError> {
    Err(ApiError::new(ErrorKind::NotImplemented, format!("{op:?} is not implemented yet")))
}
