-- A session's timeline (GET /api/sessions/{key}): one row per event that
-- touched the session, in the session's own order of time: every webhook
-- (source 'webhook', name the topic: checkouts/update), and, once the pixel
-- is connected, every storefront event (source 'storefront', name the
-- event's: product_added_to_cart). occurred_at is the payload's time, never
-- the arrival's; stage the furthest stage the event shows on its own; value,
-- currency and item_count the cart as it saw it. No contact details: the
-- session holds those.
--
-- The ingest transaction writes the rows with the session they change and
-- keeps at most 200 per session (funnel.TimelineCap): past that, the
-- earliest 100 and the latest 100 by time, with sessions.timeline_events
-- counting every event ever recorded, so the page can say how many were
-- left out between. A session merged into another (a checkout seen before
-- its cart) hands its rows to the one it joined. Sessions recorded before
-- this migration start with an empty timeline.
-- +goose Up
CREATE TABLE session_events (
    id          INTEGER PRIMARY KEY,
    shop_id     BIGINT NOT NULL REFERENCES shops (id) ON DELETE CASCADE,
    session_id  BIGINT NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
    source      TEXT NOT NULL,
    name        TEXT NOT NULL,
    occurred_at DATETIME NOT NULL,
    stage       INTEGER NOT NULL DEFAULT 0,
    value       BIGINT NOT NULL DEFAULT 0,
    currency    TEXT NOT NULL DEFAULT '',
    item_count  INTEGER NOT NULL DEFAULT 0,
    created_at  DATETIME NOT NULL
);
CREATE INDEX session_events_session ON session_events (session_id, occurred_at, id);
ALTER TABLE sessions ADD COLUMN timeline_events INTEGER NOT NULL DEFAULT 0;

-- +goose Down
ALTER TABLE sessions DROP COLUMN timeline_events;
DROP TABLE session_events;
