-- PostgreSQL's 00051 drops the raw storefront events' foreign key to
-- shops (see there why nothing is lost); SQLite drops a constraint only
-- by building the table again, which this does, so that both dialects
-- hold the same rules.
-- +goose Up
CREATE TABLE storefront_events_unreferenced (
    shop_id     BIGINT NOT NULL,
    event_id    TEXT NOT NULL,
    client_id   TEXT NOT NULL,
    name        TEXT NOT NULL,
    occurred_at DATETIME NOT NULL,
    event       TEXT NOT NULL,
    received_at DATETIME NOT NULL,
    PRIMARY KEY (shop_id, event_id)
);
INSERT INTO storefront_events_unreferenced SELECT shop_id, event_id, client_id, name, occurred_at, event, received_at FROM storefront_events;
DROP TABLE storefront_events;
ALTER TABLE storefront_events_unreferenced RENAME TO storefront_events;
CREATE INDEX storefront_events_received ON storefront_events (shop_id, received_at);

-- +goose Down
CREATE TABLE storefront_events_referenced (
    shop_id     BIGINT NOT NULL REFERENCES shops (id) ON DELETE CASCADE,
    event_id    TEXT NOT NULL,
    client_id   TEXT NOT NULL,
    name        TEXT NOT NULL,
    occurred_at DATETIME NOT NULL,
    event       TEXT NOT NULL,
    received_at DATETIME NOT NULL,
    PRIMARY KEY (shop_id, event_id)
);
INSERT INTO storefront_events_referenced SELECT shop_id, event_id, client_id, name, occurred_at, event, received_at
    FROM storefront_events WHERE shop_id IN (SELECT id FROM shops);
DROP TABLE storefront_events;
ALTER TABLE storefront_events_referenced RENAME TO storefront_events;
CREATE INDEX storefront_events_received ON storefront_events (shop_id, received_at);
