-- Daily rollups behind the funnel report (store/report.go, BENCHMARKS.md).
-- session_rollups counts a shop's sessions by the UTC day they started
-- (days since 1970-01-01), furthest stage, recovered (completed after being
-- flagged abandoned: 1/0) and currency, with the sum of their values. The
-- ingest transaction keeps it exact by adding each change it makes to the
-- sessions (today rollupDeltas in store/rollups.go, over the quarter-hour
-- rows of migration 00023 that replace these); shard (sessions.sample % 8)
-- spreads concurrent ingests of one shop and day over several rows so that
-- they do not queue on one row lock. Statuses that
-- depend on the time of the report (active vs. idle) are not rolled up: the
-- report subtracts the few sessions active at that time, found through
-- sessions_shop_activity.
--
-- sessions.sample (0..63, a hash of the session key) marks a deterministic
-- 1/64 sample; sessions_sample covers the columns the stage-gap medians
-- need, so that a report over a large range reads 1/64 of the sessions.
-- +goose Up
ALTER TABLE sessions ADD COLUMN sample INTEGER NOT NULL DEFAULT 0;
UPDATE sessions SET sample = (id % 64)::integer;
CREATE TABLE session_rollups (
    shop_id        BIGINT NOT NULL REFERENCES shops (id) ON DELETE CASCADE,
    day            INTEGER NOT NULL,
    furthest_stage INTEGER NOT NULL,
    recovered      INTEGER NOT NULL,
    currency       TEXT NOT NULL,
    shard          INTEGER NOT NULL,
    sessions       BIGINT NOT NULL,
    value          BIGINT NOT NULL,
    PRIMARY KEY (shop_id, day, furthest_stage, recovered, currency, shard)
);
INSERT INTO session_rollups (shop_id, day, furthest_stage, recovered, currency, shard, sessions, value)
SELECT shop_id, floor(extract(epoch FROM started_at) / 86400)::integer, furthest_stage,
       CASE WHEN completed_at IS NOT NULL AND abandoned_at IS NOT NULL THEN 1 ELSE 0 END,
       currency, sample % 8, count(*), sum(value)
FROM sessions GROUP BY 1, 2, 3, 4, 5, 6;

CREATE INDEX sessions_sample ON sessions (shop_id, started_at, added_to_cart_at, checkout_started_at,
    contact_submitted_at, address_submitted_at, payment_reached_at, completed_at) WHERE sample = 0;

-- +goose Down
DROP INDEX sessions_sample;
ALTER TABLE sessions DROP COLUMN sample;
DROP TABLE session_rollups;
