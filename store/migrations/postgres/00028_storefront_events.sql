-- Storefront events as POST /collect accepted them, kept for a short
-- retention (STOREFRONT_RETENTION, 7 days by default) and then purged by a
-- periodic job: visits are what reports read. The primary key (shop_id,
-- event_id) is the dedupe: a repeated event id inserts nothing. event is
-- the reduced event (funnel.StorefrontEvent as JSON): no name, e-mail,
-- phone or address of the shopper, page URLs without their query string
-- but for utm_*, filter.* and sort_by. bot marks an event whose user agent
-- is a crawler's or a headless browser's: kept for the dedupe, counted in
-- storefront_bots, left out of visits. occurred_at is the event's own
-- time, received_at its arrival (what the purge reads).
-- +goose Up
CREATE TABLE storefront_events (
    shop_id     BIGINT NOT NULL REFERENCES shops (id) ON DELETE CASCADE,
    event_id    TEXT NOT NULL,
    client_id   TEXT NOT NULL,
    name        TEXT NOT NULL,
    occurred_at TIMESTAMPTZ NOT NULL,
    bot         BOOLEAN NOT NULL DEFAULT FALSE,
    event       TEXT NOT NULL,
    received_at TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (shop_id, event_id)
);
CREATE INDEX storefront_events_received ON storefront_events (shop_id, received_at);

-- Bot events by shop and UTC quarter-hour of their time (the sessions'
-- rollup grain, so any shop-local day is a sum of whole quarters).
CREATE TABLE storefront_bots (
    shop_id BIGINT NOT NULL REFERENCES shops (id) ON DELETE CASCADE,
    quarter BIGINT NOT NULL,
    events  BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (shop_id, quarter)
);

-- +goose Down
DROP TABLE storefront_bots;
DROP TABLE storefront_events;
