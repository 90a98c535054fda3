-- Roles and the hashed secrets behind every non-password scheme.

-- 0 administrator, 1 agent, 2 read-only.
ALTER TABLE associates ADD COLUMN role INTEGER NOT NULL DEFAULT 1;

-- One table for SoTicket tickets (kind 0), API tokens (1), browser sessions (2) and partner
-- application tokens (3). Only a SHA-256 of each secret is kept.
CREATE TABLE auth_secrets (
    secret_hash        TEXT    PRIMARY KEY,
    kind               INTEGER NOT NULL,
    associate_id       INTEGER NULL REFERENCES associates (id),
    name               TEXT    NOT NULL DEFAULT '',
    -- 0 read and write, 1 read only (API tokens).
    scope              INTEGER NOT NULL DEFAULT 0,
    -- A session's XSRF token, compared in constant time; empty for other kinds.
    xsrf_token         TEXT    NOT NULL DEFAULT '',
    expires_at         BIGINT  NULL,
    revoked            BOOLEAN NOT NULL DEFAULT FALSE,
    created_at         BIGINT  NOT NULL
);
CREATE INDEX auth_secrets_by_kind_name ON auth_secrets (kind, name);
