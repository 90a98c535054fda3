-- A counter that moves whenever an associate's credentials change (password, disabled state,
-- role, login, or the row going), whoever changes them: the server, `ticketd associate ...`
-- from another process, or another server on the same database. Servers cache verified
-- credentials and drop the cache when they see the counter move.
CREATE TABLE credentials_version (
    id       INTEGER PRIMARY KEY CHECK (id = 1),
    version  BIGINT  NOT NULL
);
INSERT INTO credentials_version (id, version) VALUES (1, 0);

CREATE FUNCTION credentials_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE credentials_version SET version = version + 1 WHERE id = 1;
    -- Delivered at commit, to servers listening; the counter is what they rely on.
    PERFORM pg_notify('ticketd_credentials', '');
    RETURN NULL;
END;
$$;

CREATE TRIGGER associates_credentials_changed
AFTER UPDATE OF login, login_key, password_hash, deleted, role OR DELETE ON associates
FOR EACH STATEMENT EXECUTE FUNCTION credentials_changed();
