-- When a ticket was last replied to: stamped (UTC, .NET ticks) by a save that asks for it, in
-- the save's transaction; 0 is "never".
ALTER TABLE tickets ADD COLUMN replied_at BIGINT NOT NULL DEFAULT 0;
