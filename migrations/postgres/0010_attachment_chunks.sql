-- Uploaded attachment bytes, in pieces of at most 256 KiB, so an upload is written and a
-- download read a piece at a time instead of as one value held in memory whole.
-- `attachments.content` stays as a marker: NULL for information-only rows (and for an upload
-- whose bytes are still arriving, which no reader shows), empty once the upload is complete.
CREATE TABLE attachment_chunks (
    attachment_id      INTEGER NOT NULL REFERENCES attachments (id) ON DELETE CASCADE,
    seq                INTEGER NOT NULL,
    data               BYTEA   NOT NULL,
    PRIMARY KEY (attachment_id, seq)
);
-- Attachments are mostly compressed already (images, PDFs, Office files): storing pieces
-- uncompressed spares the attempt to compress them again.
ALTER TABLE attachment_chunks ALTER COLUMN data SET STORAGE EXTERNAL;
INSERT INTO attachment_chunks (attachment_id, seq, data)
    SELECT attachments.id, pieces.seq, substr(attachments.content, pieces.seq * 262144 + 1, 262144)
    FROM attachments
    CROSS JOIN LATERAL generate_series(0, (length(attachments.content) - 1) / 262144) AS pieces (seq)
    WHERE length(attachments.content) > 0;
UPDATE attachments SET content = ''::bytea WHERE length(content) > 0;
