-- The report reads the uncompleted sessions active now or idle within the
-- recover window by last_activity: an index of the uncompleted sessions
-- holding every column that read needs (SQLite has no INCLUDE: they are
-- trailing key columns) replaces (shop_id, last_activity), as on
-- PostgreSQL.
-- +goose Up
CREATE INDEX sessions_open_activity ON sessions (shop_id, last_activity, started_at, furthest_stage, value)
    WHERE completed_at IS NULL;
DROP INDEX sessions_shop_activity;

-- +goose Down
CREATE INDEX sessions_shop_activity ON sessions (shop_id, last_activity);
DROP INDEX sessions_open_activity;
