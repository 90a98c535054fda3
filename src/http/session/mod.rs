//! `/api/v1/session`: browser sign-in and sign-out (cookie sessions guarded by an XSRF token).

mod login;
mod logout;

use axum::routing::post;

use super::routes::Routes;

pub fn routes() -> Routes {
    Routes::new().route("/api/v1/session", post(login::login).delete(logout::logout))
}
