-- Notifications: who follows which ticket, webhook subscribers, and the outbox the
-- dispatcher delivers from. Outbox rows are written in the transaction of the save that
-- asked for notification, so a committed save always has them and a failed one never does.

-- The language e-mail notifications to the associate are written in (empty: English).
ALTER TABLE associates ADD COLUMN language TEXT NOT NULL DEFAULT '';
-- The last live-stream sequence number given to the associate. A save takes the next one under
-- the row's lock, so each associate's numbers follow commit order: a stream reading "after N"
-- never skips a notification that committed late.
ALTER TABLE associates ADD COLUMN stream_seq BIGINT NOT NULL DEFAULT 0;

CREATE TABLE ticket_followers (
    ticket_id          INTEGER NOT NULL REFERENCES tickets (id) ON DELETE CASCADE,
    associate_id       INTEGER NOT NULL REFERENCES associates (id),
    created_at         BIGINT  NOT NULL,
    PRIMARY KEY (ticket_id, associate_id)
);

CREATE TABLE webhooks (
    id                 INTEGER PRIMARY KEY AUTOINCREMENT,
    url                TEXT    NOT NULL,
    -- Comma-separated event names the subscriber wants.
    events             TEXT    NOT NULL,
    -- The signing key; kept as is because every delivery is signed with it.
    secret             TEXT    NOT NULL,
    active             BOOLEAN NOT NULL DEFAULT TRUE,
    created_at         BIGINT  NOT NULL
);

-- status: 0 pending, 1 delivered, 2 dead. channel: 0 e-mail, 1 webhook, 2 live stream.
CREATE TABLE outbox (
    id                 INTEGER PRIMARY KEY AUTOINCREMENT,
    delivery_id        TEXT    NOT NULL UNIQUE,
    channel            INTEGER NOT NULL,
    event              TEXT    NOT NULL,
    message_id         INTEGER NOT NULL,
    recipient_id       INTEGER NULL,
    webhook_id         INTEGER NULL,
    -- Live-stream rows: the recipient's sequence number, the event id clients resume from.
    stream_seq         BIGINT  NULL,
    -- The event as it was at save time (JSON); deliveries render from it.
    payload            TEXT    NOT NULL,
    status             INTEGER NOT NULL DEFAULT 0,
    attempts           INTEGER NOT NULL DEFAULT 0,
    next_attempt_at    BIGINT  NOT NULL,
    -- The worker holding the row and until when; an expired claim is free again.
    claimed_by         TEXT    NULL,
    claim_expires_at   BIGINT  NOT NULL DEFAULT 0,
    last_error         TEXT    NOT NULL DEFAULT '',
    created_at         BIGINT  NOT NULL,
    delivered_at       BIGINT  NOT NULL DEFAULT 0
);
CREATE INDEX outbox_due ON outbox (status, next_attempt_at);
CREATE INDEX outbox_stream ON outbox (recipient_id, stream_seq);
