-- The report's read of the uncompleted sessions active now or idle within
-- the recover window, and the abandonment scan's of the sessions not
-- flagged yet, each get an index of only the sessions they read, as on
-- PostgreSQL (see its 00025 for the figures). SQLite has no INCLUDE: the
-- report's columns are trailing key columns.
-- +goose Up
CREATE INDEX sessions_open_activity ON sessions (shop_id, last_activity, started_at, furthest_stage, value)
    WHERE completed_at IS NULL;
CREATE INDEX sessions_unflagged ON sessions (shop_id, last_activity)
    WHERE completed_at IS NULL AND abandoned_at IS NULL;
DROP INDEX sessions_shop_activity;

-- +goose Down
CREATE INDEX sessions_shop_activity ON sessions (shop_id, last_activity);
DROP INDEX sessions_unflagged;
DROP INDEX sessions_open_activity;
