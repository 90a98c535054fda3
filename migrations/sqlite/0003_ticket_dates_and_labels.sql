-- Ticket dates that are not stamps (converted by SO-TimeZone) and label-like names (translated
-- by the request's language). Dates are .NET ticks in the base zone; 0 is "no date".
ALTER TABLE tickets ADD COLUMN deadline BIGINT NOT NULL DEFAULT 0;
ALTER TABLE tickets ADD COLUMN activate BIGINT NOT NULL DEFAULT 0;
ALTER TABLE tickets ADD COLUMN alert_timeout BIGINT NOT NULL DEFAULT 0;
ALTER TABLE tickets ADD COLUMN ticket_status_display TEXT NOT NULL DEFAULT '';
ALTER TABLE tickets ADD COLUMN ticket_type_name TEXT NOT NULL DEFAULT '';
