-- Storefront events as POST /collect accepted them, kept for a short
-- retention (STOREFRONT_RETENTION, 7 days by default) and then purged by a
-- periodic job: visits are what reports read. The primary key (shop_id,
-- event_id) is the dedupe: a repeated event id inserts nothing. event is
-- the reduced event (funnel.StorefrontEvent as JSON): no name, e-mail,
-- phone or address of the shopper, page URLs without their query string
-- but for utm_*, filter.* and sort_by. Events whose user agent is a
-- crawler's or a headless browser's are not kept: they go only into bot
-- visits (visits.bot), which reports count apart. occurred_at is the
-- event's own time, received_at its arrival (what the purge reads).
-- +goose Up
CREATE TABLE storefront_events (
    shop_id     BIGINT NOT NULL REFERENCES shops (id) ON DELETE CASCADE,
    event_id    TEXT NOT NULL,
    client_id   TEXT NOT NULL,
    name        TEXT NOT NULL,
    occurred_at TIMESTAMPTZ NOT NULL,
    event       TEXT NOT NULL,
    received_at TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (shop_id, event_id)
);
CREATE INDEX storefront_events_received ON storefront_events (shop_id, received_at);

-- +goose Down
DROP TABLE storefront_events;
