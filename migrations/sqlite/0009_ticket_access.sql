-- Ticket access: an associate either reaches every ticket (the default, as before) or, when
-- restricted, only tickets of the categories listed for them plus the tickets they own.
-- Administrators reach every ticket whatever is stored here.
ALTER TABLE associates ADD COLUMN restricted BOOLEAN NOT NULL DEFAULT FALSE;

-- Category names as tickets store them (`tickets.category_name`), matched exactly.
CREATE TABLE associate_categories (
    associate_id       INTEGER NOT NULL REFERENCES associates (id) ON DELETE CASCADE,
    category_name      TEXT    NOT NULL,
    PRIMARY KEY (associate_id, category_name)
);

-- The list of a restricted caller selects the tickets of their categories and their own.
CREATE INDEX tickets_by_category ON tickets (category_name);
CREATE INDEX tickets_by_owner ON tickets (owned_by);
