-- Attachment content. An uploaded attachment exists before a message claims it, so a row's
-- message may be unset.
ALTER TABLE attachments ALTER COLUMN message_id DROP NOT NULL;
-- The bytes, when they were uploaded to ticketd; NULL for information-only rows.
ALTER TABLE attachments ADD COLUMN content BYTEA NULL;
ALTER TABLE attachments ADD COLUMN created_by INTEGER NULL;
ALTER TABLE attachments ADD COLUMN created_at BIGINT NOT NULL DEFAULT 0;
