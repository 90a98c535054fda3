-- ticketd schema (SQLite). Dates are BIGINT .NET ticks (100 ns since 0001-01-01, UTC) so that
-- both backends store and sort them the same way; enums are stored as their vendor ordinal.

CREATE TABLE persons (
    id                 INTEGER PRIMARY KEY AUTOINCREMENT,
    firstname          TEXT    NOT NULL DEFAULT '',
    middle_name        TEXT    NOT NULL DEFAULT '',
    lastname           TEXT    NOT NULL DEFAULT '',
    title              TEXT    NOT NULL DEFAULT '',
    email              TEXT    NOT NULL DEFAULT '',
    direct_phone       TEXT    NOT NULL DEFAULT '',
    contact_id         INTEGER NOT NULL DEFAULT 0,
    contact_name       TEXT    NOT NULL DEFAULT ''
);

CREATE TABLE associates (
    id                 INTEGER PRIMARY KEY AUTOINCREMENT,
    login              TEXT    NOT NULL,
    -- Logins match without regard to case, as the vendor's do.
    login_key          TEXT    NOT NULL UNIQUE,
    -- PHC string (argon2id); never the password itself.
    password_hash      TEXT    NOT NULL,
    full_name          TEXT    NOT NULL DEFAULT '',
    email              TEXT    NOT NULL DEFAULT '',
    person_id          INTEGER NULL REFERENCES persons (id),
    user_type          INTEGER NOT NULL DEFAULT 1,
    deleted            BOOLEAN NOT NULL DEFAULT FALSE
);

CREATE TABLE tickets (
    id                    INTEGER PRIMARY KEY AUTOINCREMENT,
    title                 TEXT    NOT NULL DEFAULT '',
    created_at            BIGINT  NOT NULL,
    last_changed          BIGINT  NOT NULL,
    created_by            INTEGER NOT NULL REFERENCES associates (id),
    owned_by              INTEGER NOT NULL REFERENCES associates (id),
    person_id             INTEGER NULL REFERENCES persons (id),
    category_name         TEXT    NOT NULL DEFAULT '',
    priority_name         TEXT    NOT NULL DEFAULT '',
    slevel                INTEGER NOT NULL DEFAULT 0,
    base_status           INTEGER NOT NULL DEFAULT 1,
    language              TEXT    NOT NULL DEFAULT ''
);

CREATE TABLE ticket_messages (
    id                    INTEGER PRIMARY KEY AUTOINCREMENT,
    ticket_id             INTEGER NOT NULL REFERENCES tickets (id),
    created_at            BIGINT  NOT NULL,
    created_by            INTEGER NOT NULL REFERENCES associates (id),
    author                TEXT    NOT NULL,
    slevel                INTEGER NOT NULL,
    message_type          INTEGER NOT NULL,
    message_id            TEXT    NOT NULL,
    time_spent            INTEGER NOT NULL,
    body                  TEXT    NOT NULL,
    html_body             TEXT    NOT NULL,
    email_header          TEXT    NOT NULL,
    debug_info            TEXT    NOT NULL,
    mail_sorter           TEXT    NOT NULL,
    category              INTEGER NOT NULL,
    person_id             INTEGER NULL REFERENCES persons (id),
    search_title          TEXT    NOT NULL,
    important             BOOLEAN NOT NULL,
    language              TEXT    NOT NULL,
    sentiment             INTEGER NOT NULL,
    sentiment_confidence  INTEGER NOT NULL,
    badge                 INTEGER NOT NULL,
    -- Incremented by every save; the basis of entity tags.
    version               BIGINT  NOT NULL DEFAULT 1,
    updated_at            BIGINT  NOT NULL
);
CREATE INDEX ticket_messages_by_ticket ON ticket_messages (ticket_id);

CREATE TABLE message_headers (
    id                 INTEGER PRIMARY KEY AUTOINCREMENT,
    message_id         INTEGER NOT NULL REFERENCES ticket_messages (id) ON DELETE CASCADE,
    position           INTEGER NOT NULL,
    name               TEXT    NOT NULL,
    value              TEXT    NOT NULL,
    std_item           INTEGER NOT NULL,
    std_item_col       INTEGER NOT NULL
);
CREATE INDEX message_headers_by_message ON message_headers (message_id, position);

CREATE TABLE attachments (
    id                 INTEGER PRIMARY KEY AUTOINCREMENT,
    message_id         INTEGER NOT NULL REFERENCES ticket_messages (id) ON DELETE CASCADE,
    position           INTEGER NOT NULL,
    name               TEXT    NOT NULL,
    content_type       TEXT    NOT NULL,
    att_size           INTEGER NOT NULL,
    inline_image       BOOLEAN NOT NULL,
    content_id         TEXT    NOT NULL,
    auth_key           TEXT    NOT NULL
);
CREATE INDEX attachments_by_message ON attachments (message_id, position);

-- ExtraFields (kind 0) and CustomFields (kind 1) of a message.
CREATE TABLE message_fields (
    message_id         INTEGER NOT NULL REFERENCES ticket_messages (id) ON DELETE CASCADE,
    kind               INTEGER NOT NULL,
    field_key          TEXT    NOT NULL,
    field_value        TEXT    NOT NULL,
    PRIMARY KEY (message_id, kind, field_key)
);

-- One row per save, written in the save's transaction: the record of what changed and whether
-- the caller asked for notification.
CREATE TABLE message_events (
    id                 INTEGER PRIMARY KEY AUTOINCREMENT,
    message_id         INTEGER NOT NULL REFERENCES ticket_messages (id) ON DELETE CASCADE,
    event              TEXT    NOT NULL,
    notify             BOOLEAN NOT NULL,
    associate_id       INTEGER NOT NULL,
    created_at         BIGINT  NOT NULL
);
CREATE INDEX message_events_by_message ON message_events (message_id, id);
