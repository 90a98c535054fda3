//! Ticket access: an associate's categories, and the category and owner of a ticket.

use crate::domain::TicketScope;
use crate::store::StoreError;
use crate::store::columns::Columns;

/// One row per category (one row with a NULL category when there are none).
pub const SELECT_ACCESS: &str = "SELECT a.restricted, c.category_name FROM associates a \
     LEFT JOIN associate_categories c ON c.associate_id = a.id WHERE a.id = $1";
/// `$1` login key, `$2` restricted.
pub const SET_RESTRICTED: &str = "UPDATE associates SET restricted = $2 WHERE login_key = $1 RETURNING id";
pub const CLEAR_CATEGORIES: &str = "DELETE FROM associate_categories WHERE associate_id = $1";
pub const ADD_CATEGORY: &str = "INSERT INTO associate_categories (associate_id, category_name) VALUES ($1, $2)";
pub const SELECT_TICKET_SCOPE: &str = "SELECT id, category_name, owned_by FROM tickets WHERE id = $1";
pub const SELECT_MESSAGE_SCOPE: &str = "SELECT t.id, t.category_name, t.owned_by FROM ticket_messages m \
     JOIN tickets t ON t.id = m.ticket_id WHERE m.id = $1";
pub const SELECT_CATEGORIES: &str = "SELECT DISTINCT category_name FROM tickets";

/// A row of [`SELECT_TICKET_SCOPE`] or [`SELECT_MESSAGE_SCOPE`].
pub fn ticket_scope(row: &impl Columns) -> Result<TicketScope, StoreError> {
    Ok(TicketScope {
        ticket_id: row.int("id")?,
        category_name: row.text("category_name")?,
        owned_by: row.int("owned_by")?,
    })
}

/// The message a header row belongs to (the Agents API names headers, not messages).
pub const SELECT_HEADER_OWNER: &str = "SELECT message_id FROM message_headers WHERE id = $1";
