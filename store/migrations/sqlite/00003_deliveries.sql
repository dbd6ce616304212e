-- SQLite: DATETIME columns hold UTC text ("2006-01-02 15:04:05.999999999+00:00") written
-- by the driver; the declared type makes it parse them back into time.Time.
-- +goose Up
CREATE TABLE deliveries (
    id           INTEGER PRIMARY KEY,
    -- shop_id is NULL when the delivery names no known shop.
    shop_id      BIGINT REFERENCES shops (id) ON DELETE CASCADE,
    webhook_id   TEXT,
    event_id     TEXT NOT NULL DEFAULT '',
    topic        TEXT NOT NULL DEFAULT '',
    shop_domain  TEXT NOT NULL DEFAULT '',
    api_version  TEXT NOT NULL DEFAULT '',
    triggered_at DATETIME,
    received_at  DATETIME NOT NULL,
    -- payload keeps the raw body bytes exactly; NULL once purged.
    payload      BLOB,
    -- ingested is true when the delivery fed a funnel session; reason says
    -- why a kept delivery could not be used ('' when it was merely kept).
    ingested     BOOLEAN NOT NULL DEFAULT 0,
    reason       TEXT NOT NULL DEFAULT ''
);
CREATE UNIQUE INDEX deliveries_webhook_id_key ON deliveries (webhook_id);
CREATE INDEX deliveries_shop_received ON deliveries (shop_id, received_at);
CREATE INDEX deliveries_received ON deliveries (received_at);
CREATE INDEX deliveries_shop_domain ON deliveries (shop_domain);

-- +goose Down
DROP TABLE deliveries;
