-- Every save rewrites some of a message's child rows (a delete and an insert per changed row),
-- so a message saved often leaves dead row versions behind in these tables faster than
-- autovacuum's defaults (20 % of the table dead before a run, with a cost delay) clear them;
-- each later read of the message's children then walks them all. Vacuum these tables after a
-- fixed number of dead rows instead, without pausing.
ALTER TABLE message_headers SET (autovacuum_vacuum_scale_factor = 0, autovacuum_vacuum_threshold = 1000, autovacuum_vacuum_cost_delay = 0);
ALTER TABLE message_fields SET (autovacuum_vacuum_scale_factor = 0, autovacuum_vacuum_threshold = 1000, autovacuum_vacuum_cost_delay = 0);
ALTER TABLE attachments SET (autovacuum_vacuum_scale_factor = 0, autovacuum_vacuum_threshold = 1000, autovacuum_vacuum_cost_delay = 0);
ALTER TABLE ticket_messages SET (autovacuum_vacuum_scale_factor = 0, autovacuum_vacuum_threshold = 1000, autovacuum_vacuum_cost_delay = 0);
ALTER TABLE message_events SET (autovacuum_vacuum_scale_factor = 0, autovacuum_vacuum_threshold = 1000, autovacuum_vacuum_cost_delay = 0);
