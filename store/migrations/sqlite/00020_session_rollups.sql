-- Daily rollups behind the funnel report: see the PostgreSQL migration of
-- the same number for what each column means. day is days since 1970-01-01
-- (UTC) of started_at; recovered is 1/0.
-- +goose Up
ALTER TABLE sessions ADD COLUMN sample INTEGER NOT NULL DEFAULT 0;
UPDATE sessions SET sample = id % 64;
CREATE TABLE session_rollups (
    shop_id        INTEGER NOT NULL REFERENCES shops (id) ON DELETE CASCADE,
    day            INTEGER NOT NULL,
    furthest_stage INTEGER NOT NULL,
    recovered      INTEGER NOT NULL,
    currency       TEXT NOT NULL,
    shard          INTEGER NOT NULL,
    sessions       INTEGER NOT NULL,
    value          INTEGER NOT NULL,
    PRIMARY KEY (shop_id, day, furthest_stage, recovered, currency, shard)
) WITHOUT ROWID;
INSERT INTO session_rollups (shop_id, day, furthest_stage, recovered, currency, shard, sessions, value)
SELECT shop_id, CAST(unixepoch(started_at) / 86400 AS INTEGER), furthest_stage,
       CASE WHEN completed_at IS NOT NULL AND abandoned_at IS NOT NULL THEN 1 ELSE 0 END,
       currency, sample % 8, count(*), sum(value)
FROM sessions GROUP BY 1, 2, 3, 4, 5, 6;

CREATE INDEX sessions_sample ON sessions (shop_id, started_at, added_to_cart_at, checkout_started_at,
    contact_submitted_at, address_submitted_at, payment_reached_at, completed_at) WHERE sample = 0;

-- +goose Down
DROP INDEX sessions_sample;
ALTER TABLE sessions DROP COLUMN sample;
DROP TABLE session_rollups;
