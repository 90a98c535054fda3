//! `/api/v1/session`: browser sign-in and sign-out (cookie sessions guarded by an XSRF token).

mod login;
mod logout;

use axum::Router;
use axum::routing::post;

use super::state::AppState;

pub fn routes() -> Router<AppState> {
    Router::new().route("/api/v1/session", post(login::login).delete(logout::logout))
}
