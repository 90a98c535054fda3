//! The `/api/v1/TicketMessage` resource: its route table, one file per endpoint action, and
//! what the actions share in `support`. The operations themselves are `service::TicketMessages`.

mod add_attachments;
mod attachment;
mod custom_field;
mod default;
mod delete;
mod foreign_key;
mod get;
mod list;
mod patch;
mod post;
mod put;
mod rfc_attachment;
mod send;
mod send_sms;
pub(crate) mod support;

use axum::routing::{get, post};

use super::routes::Routes;

/// The resource's routes, on canonical paths (see `http::path`).
pub fn routes() -> Routes {
    Routes::new()
        .route("/api/v1/TicketMessage", get(list::list_messages).post(post::post_message))
        .route("/api/v1/TicketMessage/default", get(default::default_message))
        .route("/api/v1/TicketMessage/CustomField", get(custom_field::list_custom_fields))
        .route("/api/v1/TicketMessage/CustomField/{name}", get(custom_field::get_custom_field))
        .route("/api/v1/TicketMessage/{id}/ForeignKey", get(foreign_key::foreign_keys))
        .route(
            "/api/v1/TicketMessage/{id}/Attachment",
            get(attachment::all_attachments).post(add_attachments::add_attachments),
        )
        .route("/api/v1/TicketMessage/RfcAttachment/{attachment}/{position}", get(rfc_attachment::rfc_attachment_part))
        .route("/api/v1/TicketMessage/{id}/Attachment/Noninline", get(attachment::noninline_attachments))
        .route("/api/v1/TicketMessage/{id}/Send", post(send::send_message))
        .route("/api/v1/TicketMessage/{id}/SendSms", post(send_sms::send_sms))
        .route(
            "/api/v1/TicketMessage/{id}",
            get(get::get_message).put(put::put_message).patch(patch::patch_message).delete(delete::delete_message),
        )
}
