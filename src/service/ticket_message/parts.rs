//! The operations the Agents API offers beyond the REST routes — the Important flag, removing
//! headers or attachments, notifying a ticket's people of its newest message, reading a
//! ticket's messages, a save that also connects uploads and stamps the replied-at time — each
//! built on the one save every update goes through, so the same checks, transaction, outbox
//! rows, events and version bump apply.

use serde_json::json;

use super::{Edit, TicketMessages, WriteCondition};
use crate::auth::Principal;
use crate::domain::list::{Column, Comparison, Filter, ListQuery, Literal, OrderKey};
use crate::domain::{MessageDraft, Role, SaveAlso, TicketMessage};
use crate::error::{ApiError, ErrorKind};
use crate::negotiate::BodyKind;
use crate::negotiate::edit::draft_onto;
use crate::service::reach::{pending_uploads_of, require_message, require_message_id, require_ticket_id};

/// The most messages [`TicketMessages::ticket_messages`] reads for a ticket when no ids are
/// named.
pub const TICKET_MESSAGES_LIMIT: u32 = 1000;

/// What a save writes: a new message, or an edit of a stored one under a write condition.
#[derive(Debug, Clone, Copy)]
pub enum Save<'a> {
    Create(&'a MessageDraft),
    Update { id: i32, edit: &'a Edit, condition: &'a WriteCondition },
}

impl TicketMessages {
    /// Saves (creating or updating, notifying when asked), connecting the uploaded attachments
    /// `uploads` to the saved message and, with `stamp_replied_at`, stamping its ticket's
    /// replied-at time, all in the save's one transaction. The uploads are checked before the
    /// save (each must exist and be the caller's pending upload, or already this message's), so
    /// a bad id is a 400 and nothing is saved; one that stops being connectable by the time the
    /// save runs fails the save as a whole.
    pub async fn save_connecting(
        &self,
        caller: &Principal,
        save: Save<'_>,
        notify: bool,
        uploads: &[i32],
        stamp_replied_at: bool,
    ) -> Result<TicketMessage, ApiError> {
        caller.require_write()?;
        let target = match save {
            Save::Update { id, .. } => Some(id),
            Save::Create(_) => None,
        };
        for &upload in uploads {
            self.check_upload(caller, upload, target).await?;
        }
        let also =
            SaveAlso { connect_uploads: uploads.to_vec(), uploader: pending_uploads_of(caller), stamp_replied_at };
        match save {
            Save::Create(draft) => {
                let draft = MessageDraft { also, ..draft.clone() };
                Ok(self.create(caller, &draft, notify, None).await?.message)
            }
            Save::Update { id, edit, condition } => {
                let reach = self.reach_of(caller).await?;
                let ctx = self.save_context(caller, notify);
                let edit = edit.clone();
                let draft_of =
                    move |stored: &TicketMessage| Ok(MessageDraft { also: also.clone(), ..edit.draft_onto(stored)? });
                let saved = self.save_onto_stored(&reach, id, ctx, condition, draft_of).await?;
                let saved = saved.ok_or_else(|| ApiError::message_not_found(id.into()))?;
                self.saved(ctx);
                Ok(saved)
            }
        }
    }

    /// 400 unless attachment `id` may be connected to message `target` (`None`: a new one).
    async fn check_upload(&self, caller: &Principal, id: i32, target: Option<i32>) -> Result<(), ApiError> {
        let usable = match self.store.attachment(id).await? {
            Some((_, owner)) => match owner.message_id {
                None => caller.access.role == Role::Admin || owner.uploaded_by == Some(caller.associate_id),
                Some(message) => Some(message) == target,
            },
            None => false,
        };
        if usable {
            Ok(())
        } else {
            Err(ApiError::invalid(format!(
                "Invalid value {id} in 'AttachmentIds': no pending upload of the caller has this id"
            )))
        }
    }

    /// Sets or clears message `id`'s Important flag, as a PATCH of `Important` does.
    pub async fn set_important(
        &self,
        caller: &Principal,
        id: i32,
        important: bool,
        condition: &WriteCondition,
    ) -> Result<(), ApiError> {
        let edit = Edit::Wire { kind: BodyKind::MergePatch, value: json!({ "Important": important }) };
        self.patch(caller, id, &edit, condition).await.map(|_| ())
    }

    /// Removes the header rows `header_ids` from the messages holding them (ids that name no
    /// header are ignored). Every message's ticket must be in reach before any is changed; each
    /// message is then saved on its own, without notification.
    pub async fn remove_headers(&self, caller: &Principal, header_ids: &[i32]) -> Result<(), ApiError> {
        caller.require_write()?;
        let reach = self.reach_of(caller).await?;
        let owners = self.store.header_messages(header_ids).await?;
        for &id in &owners {
            require_message_id(self.store.as_ref(), &reach, id).await?;
        }
        for id in owners {
            let ctx = self.save_context(caller, false);
            let header_ids = header_ids.to_vec();
            self.save_onto_stored(&reach, id, ctx, &WriteCondition::default(), move |stored| {
                let mut draft = unchanged(stored)?;
                draft.content.headers.retain(|header| !header_ids.contains(&header.id));
                Ok(draft)
            })
            .await?;
        }
        Ok(())
    }

    /// Disconnects the attachments `attachment_ids` from message `id` (ids it does not hold are
    /// ignored), as a save of its attachment list without them would: 404 when there is no such
    /// message, 403 out of reach, 412 when `condition` does not hold.
    pub async fn remove_attachments(
        &self,
        caller: &Principal,
        id: i32,
        attachment_ids: &[i32],
        condition: &WriteCondition,
    ) -> Result<(), ApiError> {
        caller.require_write()?;
        let reach = self.reach_of(caller).await?;
        let ctx = self.save_context(caller, false);
        let attachment_ids = attachment_ids.to_vec();
        let found = self
            .save_onto_stored(&reach, id, ctx, condition, move |stored| {
                let mut draft = unchanged(stored)?;
                draft.content.attachments.retain(|attachment| !attachment_ids.contains(&attachment.id));
                Ok(draft)
            })
            .await?;
        if found.is_some() { Ok(()) } else { Err(ApiError::message_not_found(id.into())) }
    }

    /// Notifies the people of ticket `ticket_id` of its newest message, exactly as saving that
    /// message with notify does (it is saved unchanged, with notification): 404 when the ticket
    /// has no message the caller reaches, 403 for a read-only caller or a ticket out of reach.
    pub async fn notify_newest(&self, caller: &Principal, ticket_id: i32) -> Result<(), ApiError> {
        caller.require_write()?;
        let reach = self.reach_of(caller).await?;
        require_ticket_id(self.store.as_ref(), &reach, ticket_id).await?;
        let newest = self.store.list_messages(&of_ticket(ticket_id, true), 1, Some(&reach)).await?;
        let Some(id) = newest.first().map(|row| row.id) else {
            return Err(ApiError::new(ErrorKind::NotFound, format!("Ticket id {ticket_id} has no messages")));
        };
        let ctx = self.save_context(caller, true);
        if self.save_onto_stored(&reach, id, ctx, &WriteCondition::default(), unchanged).await?.is_none() {
            return Err(ApiError::message_not_found(id.into()));
        }
        self.saved(ctx);
        Ok(())
    }

    /// The messages of ticket `ticket_id` with these ids, in id order (ids of other tickets and
    /// missing ids are left out); with no ids, the ticket's first [`TICKET_MESSAGES_LIMIT`]
    /// messages. 403 when the ticket is outside the caller's reach.
    pub async fn ticket_messages(
        &self,
        caller: &Principal,
        ticket_id: i32,
        ids: &[i32],
    ) -> Result<Vec<TicketMessage>, ApiError> {
        let reach = self.reach_of(caller).await?;
        require_ticket_id(self.store.as_ref(), &reach, ticket_id).await?;
        let mut wanted: Vec<i32> = if ids.is_empty() {
            let rows =
                self.store.list_messages(&of_ticket(ticket_id, false), TICKET_MESSAGES_LIMIT, Some(&reach)).await?;
            rows.into_iter().map(|row| row.id).collect()
        } else {
            ids.to_vec()
        };
        wanted.sort_unstable();
        wanted.dedup();
        let mut found = Vec::with_capacity(wanted.len());
        for id in wanted {
            let Some(message) = self.store.message(id).await? else { continue };
            if message.ticket.as_ref().is_some_and(|t| t.ticket_id == ticket_id) {
                require_message(&reach, &message)?;
                found.push(message);
            }
        }
        Ok(found)
    }
}

/// The draft that saves `stored` as it is, read back through the wire form as a PATCH does.
fn unchanged(stored: &TicketMessage) -> Result<MessageDraft, ApiError> {
    draft_onto(stored, BodyKind::MergePatch, &json!({}))
}

/// The ids of a ticket's messages, oldest (or newest) first.
fn of_ticket(ticket_id: i32, newest_first: bool) -> ListQuery {
    ListQuery {
        select: vec![Column::EjMessageId],
        filter: Some(Filter::Compare(Column::TicketId, Comparison::Eq, Literal::Integer(ticket_id.into()))),
        order: vec![OrderKey { column: Column::EjMessageId, descending: newest_first }],
        skip: 0,
        top: TICKET_MESSAGES_LIMIT,
    }
}
