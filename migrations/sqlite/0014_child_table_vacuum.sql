-- PostgreSQL's migration of this number tunes autovacuum for the message tables; SQLite
-- reuses freed pages on its own and has nothing to tune. Kept so both schemas have the same
-- migration versions.
SELECT 1;
