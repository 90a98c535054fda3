-- Attachment content. An uploaded attachment exists before a message claims it, so a row's
-- message may be unset; SQLite cannot relax NOT NULL in place, hence the rebuild.
CREATE TABLE attachments_next (
    id                 INTEGER PRIMARY KEY AUTOINCREMENT,
    message_id         INTEGER NULL REFERENCES ticket_messages (id) ON DELETE CASCADE,
    position           INTEGER NOT NULL,
    name               TEXT    NOT NULL,
    content_type       TEXT    NOT NULL,
    att_size           INTEGER NOT NULL,
    inline_image       BOOLEAN NOT NULL,
    content_id         TEXT    NOT NULL,
    auth_key           TEXT    NOT NULL,
    -- The bytes, when they were uploaded to ticketd; NULL for information-only rows.
    content            BLOB    NULL,
    created_by         INTEGER NULL,
    created_at         BIGINT  NOT NULL DEFAULT 0
);
INSERT INTO attachments_next (id, message_id, position, name, content_type, att_size, inline_image, content_id, auth_key)
    SELECT id, message_id, position, name, content_type, att_size, inline_image, content_id, auth_key FROM attachments;
DROP TABLE attachments;
ALTER TABLE attachments_next RENAME TO attachments;
CREATE INDEX attachments_by_message ON attachments (message_id, position);
