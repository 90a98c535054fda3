//! The answer to an edit built from what its write had in hand (the message it read under the
//! lock, the draft it saved, the time it stamped and the ids its inserts returned) rather than
//! read again. Where the save changed what the read cannot vouch for (another ticket, creator
//! or person, uploads connected, the ticket's replied-at time), there is no answer in hand and
//! the caller reads the message.

use crate::domain::{MessageContent, MessageDraft, TicketMessage};
use crate::store::save::{ChildIds, Updated};
use crate::store::{from_ticks, to_ticks};

/// The message as `updated` saved `draft` over `stored`, when everything in it is in hand.
pub fn saved_message(stored: TicketMessage, draft: MessageDraft, updated: Updated) -> Option<TicketMessage> {
    if !relations_kept(&stored, &draft) || draft.also != Default::default() {
        return None;
    }
    Some(TicketMessage {
        content: content_as_saved(draft.content, updated.ids)?,
        version: stored.version + 1,
        updated_at: from_ticks(updated.now),
        ..stored
    })
}

/// The content a save wrote as a read would find it: its time to the stored precision, and
/// its headers and attachment information with the ids they were saved under (`ids`, in list
/// order; `None` when those do not cover the lists).
pub fn content_as_saved(mut content: MessageContent, ids: ChildIds) -> Option<MessageContent> {
    content.created_at = from_ticks(to_ticks(&content.created_at));
    if ids.headers.len() != content.headers.len() || ids.attachments.len() != content.attachments.len() {
        return None;
    }
    for (header, id) in content.headers.iter_mut().zip(ids.headers) {
        header.id = id;
    }
    for (attachment, id) in content.attachments.iter_mut().zip(ids.attachments) {
        attachment.id = id;
    }
    Some(content)
}

/// Whether the save left the message's ticket, creator and person as the read found them.
fn relations_kept(stored: &TicketMessage, draft: &MessageDraft) -> bool {
    let refs = &draft.refs;
    let ticket = stored.ticket.as_ref().map(|ticket| ticket.ticket_id);
    let creator = stored.created_by.as_ref().map(|associate| associate.associate_id);
    let person = stored.person.as_ref().map(|person| person.person_id);
    refs.ticket_id.is_none_or(|id| Some(id) == ticket)
        && refs.created_by.is_none_or(|id| Some(id) == creator)
        && refs.person_id == person
}
