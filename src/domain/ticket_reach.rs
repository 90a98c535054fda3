//! Which tickets an associate may work on — every ticket, or those of some ticket categories plus
//! the ones they own — and the one rule that decides it for a ticket. No I/O here: the store
//! supplies the stored setting and the ticket's category and owner, HTTP turns a refusal into 403.

use std::collections::BTreeSet;

use super::rights::Role;

/// An associate's stored ticket access, as `ticketd associate access` sets it.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum TicketAccess {
    /// Every ticket (the default, and what every associate had before access could be narrowed).
    #[default]
    All,
    /// Tickets whose category name is one of these, exactly as stored, plus tickets the associate
    /// owns. An empty set leaves only the owned tickets.
    Categories(BTreeSet<String>),
}

impl TicketAccess {
    /// Category names from a comma-separated list (`"Support, Sales"`): trimmed, empty items and
    /// repeats dropped.
    pub fn categories_from_list(list: &str) -> Self {
        Self::Categories(list.split(',').map(str::trim).filter(|name| !name.is_empty()).map(str::to_owned).collect())
    }
}

/// What the access rule looks at on a ticket.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TicketScope {
    pub ticket_id: i32,
    pub category_name: String,
    pub owned_by: i32,
}

/// The tickets one caller can reach: their id (for ownership) and their effective access.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TicketReach {
    associate_id: i32,
    access: TicketAccess,
}

impl TicketReach {
    /// The effective reach of an associate: administrators reach every ticket whatever their
    /// stored access says, so an administrator can never lock themselves out of a ticket.
    pub fn new(associate_id: i32, role: Role, stored: TicketAccess) -> Self {
        let access = if role == Role::Admin { TicketAccess::All } else { stored };
        Self { associate_id, access }
    }

    pub fn associate_id(&self) -> i32 {
        self.associate_id
    }

    /// The categories the caller is limited to, or `None` when they reach every ticket. The store
    /// renders this same rule into SQL for lists, so that paging counts only reachable rows.
    pub fn limited_to(&self) -> Option<&BTreeSet<String>> {
        match &self.access {
            TicketAccess::All => None,
            TicketAccess::Categories(names) => Some(names),
        }
    }

    /// Whether the caller may see and change the messages of this ticket.
    pub fn permits(&self, ticket: &TicketScope) -> bool {
        match &self.access {
            TicketAccess::All => true,
            TicketAccess::Categories(names) => {
                ticket.owned_by == self.associate_id || names.contains(&ticket.category_name)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ticket(category: &str, owner: i32) -> TicketScope {
        TicketScope { ticket_id: 7, category_name: category.into(), owned_by: owner }
    }

    #[test]
    fn restricted_agents_reach_their_categories_and_their_own_tickets_only() {
        let reach = TicketReach::new(2, Role::Agent, TicketAccess::categories_from_list("Support, Sales,,Support"));
        assert!(reach.permits(&ticket("Support", 1)));
        assert!(reach.permits(&ticket("Sales", 1)));
        assert!(reach.permits(&ticket("Invoicing", 2)), "owned tickets are always reachable");
        assert!(!reach.permits(&ticket("Invoicing", 1)));
        assert!(!reach.permits(&ticket("support", 1)), "names match exactly as stored");
        assert_eq!(reach.limited_to().map(BTreeSet::len), Some(2));
    }

    #[test]
    fn admins_and_unrestricted_associates_reach_everything() {
        let only_sales = TicketAccess::categories_from_list("Sales");
        assert!(TicketReach::new(1, Role::Admin, only_sales.clone()).permits(&ticket("Invoicing", 3)));
        assert!(TicketReach::new(2, Role::Agent, TicketAccess::All).permits(&ticket("Invoicing", 3)));
        assert!(TicketReach::new(4, Role::ReadOnly, only_sales).limited_to().is_some());
        let owned_only = TicketReach::new(2, Role::Agent, TicketAccess::categories_from_list(" , "));
        assert!(owned_only.permits(&ticket("Sales", 2)) && !owned_only.permits(&ticket("Sales", 3)));
    }
}
