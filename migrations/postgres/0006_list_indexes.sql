-- Indexes for the OData list's common filters and orders (ticketId already has one).
CREATE INDEX ticket_messages_by_created_at ON ticket_messages (created_at, id);
CREATE INDEX ticket_messages_by_creator ON ticket_messages (created_by, id);
