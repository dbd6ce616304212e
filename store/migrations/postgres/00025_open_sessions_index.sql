-- Two reads of uncompleted sessions by last_activity went through
-- (shop_id, last_activity), one heap fetch per session; measured on a shop
-- of a million sessions (bench report):
--
-- * The report reads those active now or idle within the recover window
--   (value at risk: about a week of the shop's sessions): 78,000 rows on
--   11,500 pages, 0.6 s. sessions_open_activity holds only uncompleted
--   sessions, with every column that read needs, so it is an index-only
--   scan (60 ms on the loaded test machine). The lists, whose every use of
--   last_activity is on uncompleted sessions too, use it as well.
-- * The abandonment scan, every minute, looks for sessions idle past the
--   threshold and not flagged yet, the most recently active first. Once a
--   shop's idle sessions are flagged (nearly all of them are) it walked
--   every uncompleted session of the shop to find none: 850,000 rows,
--   4.2 s per shop per minute. sessions_unflagged holds only the sessions
--   the scan is after (a few hundred, 56 kB): 0.2 ms.
-- +goose Up
CREATE INDEX sessions_open_activity ON sessions (shop_id, last_activity)
    INCLUDE (started_at, furthest_stage, value) WHERE completed_at IS NULL;
CREATE INDEX sessions_unflagged ON sessions (shop_id, last_activity)
    WHERE completed_at IS NULL AND abandoned_at IS NULL;
DROP INDEX sessions_shop_activity;

-- +goose Down
CREATE INDEX sessions_shop_activity ON sessions (shop_id, last_activity);
DROP INDEX sessions_unflagged;
DROP INDEX sessions_open_activity;
