-- session_rollups by the UTC quarter-hour a session started instead of its
-- UTC day: see the PostgreSQL migration of the same number. quarter is
-- floor(Unix seconds of started_at / 900).
-- +goose Up
DROP TABLE session_rollups;
CREATE TABLE session_rollups (
    shop_id          INTEGER NOT NULL REFERENCES shops (id) ON DELETE CASCADE,
    quarter          INTEGER NOT NULL,
    currency         TEXT NOT NULL,
    shard            INTEGER NOT NULL,
    sessions_0       INTEGER NOT NULL,
    sessions_1       INTEGER NOT NULL,
    sessions_2       INTEGER NOT NULL,
    sessions_3       INTEGER NOT NULL,
    sessions_4       INTEGER NOT NULL,
    sessions_5       INTEGER NOT NULL,
    sessions_6       INTEGER NOT NULL,
    value_0          INTEGER NOT NULL,
    value_1          INTEGER NOT NULL,
    value_2          INTEGER NOT NULL,
    value_3          INTEGER NOT NULL,
    value_4          INTEGER NOT NULL,
    value_5          INTEGER NOT NULL,
    value_6          INTEGER NOT NULL,
    recovered_value  INTEGER NOT NULL,
    PRIMARY KEY (shop_id, quarter, currency, shard)
) WITHOUT ROWID;
INSERT INTO session_rollups (shop_id, quarter, currency, shard, sessions_0, sessions_1, sessions_2, sessions_3,
    sessions_4, sessions_5, sessions_6, value_0, value_1, value_2, value_3, value_4, value_5, value_6, recovered_value)
SELECT shop_id, CAST(floor(unixepoch(started_at, 'subsec') / 900.0) AS INTEGER), currency, 0,
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
SELECT shop_id, CAST(floor(unixepoch(started_at, 'subsec') / 86400.0) AS INTEGER), furthest_stage,
       CASE WHEN completed_at IS NOT NULL AND abandoned_at IS NOT NULL THEN 1 ELSE 0 END,
       currency, sample % 8, count(*), sum(value)
FROM sessions GROUP BY 1, 2, 3, 4, 5, 6;
