-- Webhooks registered through the API: the vendor's `Webhook` carrier and the state the
-- dispatcher keeps on each. `active` stays the flag deliveries are chosen by; every write of
-- `state` sets it too (active exactly when state is 1).
-- state: 1 Active, 2 Stopped, 3 TooManyErrors.
ALTER TABLE webhooks ADD COLUMN name TEXT NOT NULL DEFAULT '';
ALTER TABLE webhooks ADD COLUMN state INTEGER NOT NULL DEFAULT 1;
ALTER TABLE webhooks ADD COLUMN hook_type TEXT NOT NULL DEFAULT 'webhook';
-- JSON objects: extra request headers, and values merged into each payload.
ALTER TABLE webhooks ADD COLUMN headers TEXT NOT NULL DEFAULT '{}';
ALTER TABLE webhooks ADD COLUMN properties TEXT NOT NULL DEFAULT '{}';
-- JSON array of addresses mailed when the webhook stops for too many errors.
ALTER TABLE webhooks ADD COLUMN error_emails TEXT NOT NULL DEFAULT '[]';
ALTER TABLE webhooks ADD COLUMN description TEXT NOT NULL DEFAULT '';
ALTER TABLE webhooks ADD COLUMN notify_via TEXT NOT NULL DEFAULT 'None';
ALTER TABLE webhooks ADD COLUMN notify_when TEXT NOT NULL DEFAULT 'None';
-- 0: added from the command line.
ALTER TABLE webhooks ADD COLUMN registered_by INTEGER NOT NULL DEFAULT 0;
ALTER TABLE webhooks ADD COLUMN updated_at BIGINT NOT NULL DEFAULT 0;
ALTER TABLE webhooks ADD COLUMN updated_by INTEGER NOT NULL DEFAULT 0;
ALTER TABLE webhooks ADD COLUMN total_calls BIGINT NOT NULL DEFAULT 0;
ALTER TABLE webhooks ADD COLUMN total_errors BIGINT NOT NULL DEFAULT 0;
ALTER TABLE webhooks ADD COLUMN consecutive_errors INTEGER NOT NULL DEFAULT 0;
ALTER TABLE webhooks ADD COLUMN last_error TEXT NOT NULL DEFAULT '';

-- Subscriptions made before webhooks had other events than a message's meant every message
-- event by `*`; they keep getting exactly those.
UPDATE webhooks SET events = 'ticketmessage.*' WHERE events = '*';
