-- session_rollups by the UTC quarter-hour a session started instead of its
-- UTC day, so that the shop's days can be in its own time zone: quarter is
-- floor(Unix seconds of started_at / 900). Every time zone in use today is
-- a whole number of quarter-hours from UTC, so a shop-local day in any zone
-- is a whole number of quarters and the same rows serve the days of any
-- zone, a change of zone included, with no rebuild (store/rollups.go).
--
-- One row per shop, quarter, currency and shard (sessions.sample % 1, i.e.
-- one shard), with the sessions and their value by furthest stage in
-- columns (sessions_0 .. sessions_6, value_0 .. value_6; 0 is no stage, 6
-- completed) and the value of the recovered sessions (completed after being
-- flagged abandoned): 96 times as many quarters as days, but 14 times fewer
-- rows per quarter than one per stage, recovered flag and shard
-- (BENCHMARKS.md). The table is rebuilt from the sessions, which it only
-- sums.
-- +goose Up
DROP TABLE session_rollups;
CREATE TABLE session_rollups (
    shop_id          BIGINT NOT NULL REFERENCES shops (id) ON DELETE CASCADE,
    quarter          INTEGER NOT NULL,
    currency         TEXT NOT NULL,
    shard            INTEGER NOT NULL,
    sessions_0       BIGINT NOT NULL,
    sessions_1       BIGINT NOT NULL,
    sessions_2       BIGINT NOT NULL,
    sessions_3       BIGINT NOT NULL,
    sessions_4       BIGINT NOT NULL,
    sessions_5       BIGINT NOT NULL,
    sessions_6       BIGINT NOT NULL,
    value_0          BIGINT NOT NULL,
    value_1          BIGINT NOT NULL,
    value_2          BIGINT NOT NULL,
    value_3          BIGINT NOT NULL,
    value_4          BIGINT NOT NULL,
    value_5          BIGINT NOT NULL,
    value_6          BIGINT NOT NULL,
    recovered_value  BIGINT NOT NULL,
    PRIMARY KEY (shop_id, quarter, currency, shard)
);
INSERT INTO session_rollups (shop_id, quarter, currency, shard, sessions_0, sessions_1, sessions_2, sessions_3,
    sessions_4, sessions_5, sessions_6, value_0, value_1, value_2, value_3, value_4, value_5, value_6, recovered_value)
SELECT shop_id, floor(extract(epoch FROM started_at) / 900)::integer, currency, 0,
       SUM(CASE WHEN furthest_stage = 0 THEN 1 ELSE 0 END),
       SUM(CASE WHEN furthest_stage = 1 THEN 1 ELSE 0 END),
       SUM(CASE WHEN furthest_stage = 2 THEN 1 ELSE 0 END),
       SUM(CASE WHEN furthest_stage = 3 THEN 1 ELSE 0 END),
       SUM(CASE WHEN furthest_stage = 4 THEN 1 ELSE 0 END),
       SUM(CASE WHEN furthest_stage = 5 THEN 1 ELSE 0 END),
       SUM(CASE WHEN furthest_stage = 6 THEN 1 ELSE 0 END),
       SUM(CASE WHEN furthest_stage = 0 THEN value ELSE 0 END),
       SUM(CASE WHEN furthest_stage = 1 THEN value ELSE 0 END),
       SUM(CASE WHEN furthest_stage = 2 THEN value ELSE 0 END),
       SUM(CASE WHEN furthest_stage = 3 THEN value ELSE 0 END),
       SUM(CASE WHEN furthest_stage = 4 THEN value ELSE 0 END),
       SUM(CASE WHEN furthest_stage = 5 THEN value ELSE 0 END),
       SUM(CASE WHEN furthest_stage = 6 THEN value ELSE 0 END),
       SUM(CASE WHEN completed_at IS NOT NULL AND abandoned_at IS NOT NULL THEN value ELSE 0 END)
FROM sessions GROUP BY 1, 2, 3, 4;

-- +goose Down
DROP TABLE session_rollups;
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
