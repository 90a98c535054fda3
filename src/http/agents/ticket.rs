//! The TicketAgent adapters: each method's bound parameters onto a ticket-message operation of
//! the service layer, and its result into an [`Outcome`]. No rule lives here: a getter's
//! "not found" becomes `null`, and that is all the Agents face adds.

use serde_json::Value;

use super::CallParts;
use super::answer::Outcome;
use super::args::Args;
use super::table::Op;
use crate::auth::Principal;
use crate::domain::TicketMessage;
use crate::error::{ApiError, ErrorKind};
use crate::http::AppState;
use crate::http::ticket_message::support::Preconditions;
use crate::http::ticket_message::support::embed::{EmbedImages, embed_images};
use crate::negotiate::BodyKind;
use crate::negotiate::wire::decode_message;
use crate::service::ticket_message::Save;
use crate::service::{Edit, MailRequest};

/// Runs `op` with the bound `args` for `caller`.
pub async fn call(
    op: Op,
    state: &AppState,
    caller: &Principal,
    call: &CallParts,
    args: &Args,
) -> Result<Outcome, ApiError> {
    match op {
        Op::CreateDefault
        | Op::GetEntity
        | Op::GetSummary
        | Op::GetWithOptions
        | Op::GetWithEmbeddedData
        | Op::GetEntities => read(op, state, caller, call, args).await,
        Op::Save => {
            Ok(Outcome::Entity(save(state, caller, call, args.entity("ticketMessageEntity"), false, &[], false).await?))
        }
        Op::SaveWithNotify => {
            let notify = args.flag("Notify");
            Ok(Outcome::Entity(save(state, caller, call, args.entity("NewEntity"), notify, &[], false).await?))
        }
        Op::SaveWithOptions => {
            let (notify, uploads) = (args.flag("Notify"), args.ints("AttachmentIds"));
            let stamp = args.flag("UpdateRepliedAt");
            Ok(Outcome::Entity(save(state, caller, call, args.entity("Entity"), notify, uploads, stamp).await?))
        }
        _ => act(op, state, caller, call, args).await.map(|()| Outcome::Nothing),
    }
}

/// The methods that read.
async fn read(
    op: Op,
    state: &AppState,
    caller: &Principal,
    call: &CallParts,
    args: &Args,
) -> Result<Outcome, ApiError> {
    let messages = &state.messages;
    Ok(match op {
        Op::CreateDefault => Outcome::Entity(messages.default_message(caller).await?),
        Op::GetEntity => found(messages.get(caller, args.int32("ticketMessageEntityId")).await, false)?,
        Op::GetSummary => found(messages.get(caller, args.int32("ticketMessageId")).await, true)?,
        Op::GetWithOptions => {
            let got = messages.get(caller, args.int32("TicketMessageEntityId")).await;
            let all = args.flag("IncludeNonInlineAttachmentsInfo");
            found(got.map(|m| with_attachments(m, all)), false)?
        }
        Op::GetWithEmbeddedData => match messages.get(caller, args.int32("Id")).await {
            Ok(message) => Outcome::Entity(embedded(state, call, message, args.text("EmbedImages")).await?),
            Err(err) => found(Err(err), false)?,
        },
        Op::GetEntities => {
            Outcome::Entities(messages.ticket_messages(caller, args.int32("TicketId"), args.ints("MessageIds")).await?)
        }
        other => return Err(ApiError::internal(format!("{other:?} is not a reading method"))),
    })
}

/// The `void` methods.
async fn act(op: Op, state: &AppState, caller: &Principal, call: &CallParts, args: &Args) -> Result<(), ApiError> {
    let messages = &state.messages;
    let condition = |id: i32| Preconditions::of(&call.headers).write_condition(id);
    match op {
        Op::Delete => {
            let id = args.int32("TicketMessageEntityId");
            messages.delete(caller, id, &condition(id)).await
        }
        Op::SetImportant => {
            let id = args.int32("TicketMessageId");
            messages.set_important(caller, id, args.flag("Important"), &condition(id)).await
        }
        Op::DeleteHeaders => messages.remove_headers(caller, args.ints("HeaderIds")).await,
        Op::RemoveAttachments => {
            let id = args.int32("TicketMessageEntityId");
            messages.remove_attachments(caller, id, args.ints("AttachmentIds"), &condition(id)).await
        }
        Op::Send => {
            let mail = MailRequest {
                to: args.texts("To").to_vec(),
                cc: args.texts("Cc").to_vec(),
                bcc: args.texts("Bcc").to_vec(),
                subject: args.text("Subject").map(str::to_owned),
            };
            messages.send(caller, args.int32("TicketMessageEntityId"), &mail).await
        }
        Op::SendSms => messages.send_sms(caller, args.int32("TicketMessageEntityId"), args.texts("Sms")).await,
        Op::NotifyNew => messages.notify_newest(caller, args.int32("TicketEntityId")).await,
        other => Err(ApiError::internal(format!("{other:?} is not a void method"))),
    }
}

/// A getter's answer: the message, or `null` when there is none (the Agents API's rule; REST
/// answers 404). Every other error stays what it is.
fn found(got: Result<TicketMessage, ApiError>, summary: bool) -> Result<Outcome, ApiError> {
    match got {
        Ok(message) if summary => Ok(Outcome::Summary(message)),
        Ok(message) => Ok(Outcome::Entity(message)),
        Err(err) if err.kind == ErrorKind::NotFound => {
            Ok(Outcome::Null(if summary { "TicketMessage" } else { "TicketMessageEntity" }))
        }
        Err(err) => Err(err),
    }
}

/// `GetTicketMessageWithOptions`: the attachment information of inline images only, unless
/// all of it is asked for.
fn with_attachments(mut message: TicketMessage, all: bool) -> TicketMessage {
    if !all {
        message.content.attachments.retain(|a| a.inline_image);
    }
    message
}

/// `GetTicketMessageWithEmbeddedData`: the HTML body with its `cid:` references rewritten the
/// way REST's `embedImages` does; `None` (or no mode) leaves it as stored.
async fn embedded(
    state: &AppState,
    call: &CallParts,
    mut message: TicketMessage,
    mode: Option<&str>,
) -> Result<TicketMessage, ApiError> {
    let Some(mode) = mode.filter(|m| !m.eq_ignore_ascii_case("None")) else { return Ok(message) };
    let base = call.link.url()?;
    message.content.html_body = embed_images(state, &message, EmbedImages::parse(mode)?, &base).await?;
    Ok(message)
}

/// The saves: an entity with no (or a zero) `EjMessageId` creates a message, any other replaces
/// that message (404 when there is none: unlike REST's POST, the vendor's save does not create
/// under a given id). `uploads` are connected to the saved message, and with `stamp_replied_at`
/// the ticket's replied-at time is stamped, in the save's transaction.
async fn save(
    state: &AppState,
    caller: &Principal,
    call: &CallParts,
    entity: Option<&Value>,
    notify: bool,
    uploads: &[i32],
    stamp_replied_at: bool,
) -> Result<TicketMessage, ApiError> {
    let entity = entity.ok_or_else(ApiError::missing_entity)?;
    let messages = &state.messages;
    let id = requested_id(entity);
    let saved = if id > 0 {
        // Decoded only once the stored message is read and checked, as REST's PUT does.
        let edit = Edit::Wire { kind: BodyKind::Entity, value: entity.clone() };
        let condition = Preconditions::of(&call.headers).write_condition(id);
        messages
            .save_connecting(
                caller,
                Save::Update { id, edit: &edit, condition: &condition },
                notify,
                uploads,
                stamp_replied_at,
            )
            .await?
    } else {
        let draft = decode_message(entity)?;
        messages.save_connecting(caller, Save::Create(&draft), notify, uploads, stamp_replied_at).await?
    };
    Ok(saved)
}

/// The entity's `EjMessageId` when it is a positive number (a malformed one is the decoder's to
/// report, on the create path).
fn requested_id(entity: &Value) -> i32 {
    let Value::Object(members) = entity else { return 0 };
    let id = members.iter().find(|(name, _)| name.eq_ignore_ascii_case("EjMessageId")).map(|(_, v)| v);
    let whole = match id {
        Some(Value::Number(n)) => n.as_i64(),
        Some(Value::String(text)) => text.trim().parse().ok(),
        _ => None,
    };
    whole.and_then(|n| i32::try_from(n).ok()).filter(|n| *n > 0).unwrap_or(0)
}
