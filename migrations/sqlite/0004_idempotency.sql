-- POST with an Idempotency-Key: the first create for a (caller, key) pair is remembered for 24 h
-- so a retry replays its answer instead of creating a second message. The row is written in the
-- create's own transaction; a concurrent retry hits the primary key and creates nothing.
CREATE TABLE idempotency_keys (
    associate_id       INTEGER NOT NULL,
    idempotency_key    TEXT    NOT NULL,
    message_id         INTEGER NOT NULL,
    created_at         BIGINT  NOT NULL,
    PRIMARY KEY (associate_id, idempotency_key)
);
