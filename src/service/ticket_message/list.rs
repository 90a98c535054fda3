//! Listing: one page of a list query over the messages of the tickets the caller reaches.

use super::TicketMessages;
use crate::auth::Principal;
use crate::domain::list::{ListQuery, ListRow};
use crate::error::ApiError;

/// One page of rows, and whether more follow it.
#[derive(Debug, Clone)]
pub struct ListPage {
    pub rows: Vec<ListRow>,
    pub more: bool,
}

impl TicketMessages {
    /// The rows `query` selects (from its `skip`, at most its `top`), among the messages the
    /// caller reaches.
    pub async fn list(&self, caller: &Principal, query: &ListQuery) -> Result<ListPage, ApiError> {
        let reach = self.reach_of(caller).await?;
        // Limited in the statement itself, so `top`/`skip` count only rows the caller may see;
        // one row past the page tells whether another follows.
        let mut rows = self.store.list_messages(query, query.top.saturating_add(1), Some(&reach)).await?;
        let more = rows.len() > query.top as usize;
        rows.truncate(query.top as usize);
        Ok(ListPage { rows, more })
    }
}
