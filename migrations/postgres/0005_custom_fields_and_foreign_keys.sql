-- Custom field definitions of ticket messages (managed with `ticketd customfield`), and foreign
-- keys that outside systems attach to a message (`ticketd foreignkey`).
CREATE TABLE custom_field_definitions (
    field_name             TEXT    PRIMARY KEY,
    field_type             INTEGER NOT NULL,
    display_name           TEXT    NOT NULL DEFAULT '',
    description            TEXT    NOT NULL DEFAULT '',
    short_label            TEXT    NOT NULL DEFAULT '',
    hide_label             BOOLEAN NOT NULL DEFAULT FALSE,
    hide_field             BOOLEAN NOT NULL DEFAULT FALSE,
    is_indexed             BOOLEAN NOT NULL DEFAULT FALSE,
    is_mandatory           BOOLEAN NOT NULL DEFAULT FALSE,
    is_read_only           BOOLEAN NOT NULL DEFAULT FALSE,
    is_external            BOOLEAN NOT NULL DEFAULT FALSE,
    is_display_field       BOOLEAN NOT NULL DEFAULT FALSE,
    rank                   INTEGER NOT NULL DEFAULT 0,
    template_variable_name TEXT    NULL
);

CREATE TABLE message_foreign_keys (
    message_id         INTEGER NOT NULL REFERENCES ticket_messages (id) ON DELETE CASCADE,
    fk_key             TEXT    NOT NULL,
    fk_value           TEXT    NOT NULL,
    PRIMARY KEY (message_id, fk_key)
);
