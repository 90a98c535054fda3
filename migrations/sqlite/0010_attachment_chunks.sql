-- Uploaded attachment bytes, in pieces of at most 256 KiB, so an upload is written and a
-- download read a piece at a time instead of as one value held in memory whole.
-- `attachments.content` stays as a marker: NULL for information-only rows (and for an upload
-- whose bytes are still arriving, which no reader shows), empty once the upload is complete.
CREATE TABLE attachment_chunks (
    attachment_id      INTEGER NOT NULL REFERENCES attachments (id) ON DELETE CASCADE,
    seq                INTEGER NOT NULL,
    data               BLOB    NOT NULL,
    PRIMARY KEY (attachment_id, seq)
);
WITH RECURSIVE pieces (id, seq) AS (
    SELECT id, 0 FROM attachments WHERE length(content) > 0
    UNION ALL
    SELECT pieces.id, pieces.seq + 1 FROM pieces JOIN attachments ON attachments.id = pieces.id
        WHERE (pieces.seq + 1) * 262144 < length(attachments.content)
)
INSERT INTO attachment_chunks (attachment_id, seq, data)
    SELECT pieces.id, pieces.seq, substr(attachments.content, pieces.seq * 262144 + 1, 262144)
    FROM pieces JOIN attachments ON attachments.id = pieces.id;
UPDATE attachments SET content = x'' WHERE length(content) > 0;
