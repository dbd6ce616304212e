-- +goose Up
CREATE TABLE deliveries (
    id           BIGSERIAL PRIMARY KEY,
    -- shop_id is NULL when the delivery names no known shop.
    shop_id      BIGINT REFERENCES shops (id) ON DELETE CASCADE,
    webhook_id   TEXT,
    event_id     TEXT NOT NULL DEFAULT '',
    topic        TEXT NOT NULL DEFAULT '',
    shop_domain  TEXT NOT NULL DEFAULT '',
    api_version  TEXT NOT NULL DEFAULT '',
    triggered_at TIMESTAMPTZ,
    received_at  TIMESTAMPTZ NOT NULL,
    -- payload keeps the raw body bytes exactly; NULL once purged.
    payload      BYTEA,
    -- ingested is true when the delivery fed a funnel session; reason says
    -- why a kept delivery could not be used ('' when it was merely kept).
    ingested     BOOLEAN NOT NULL DEFAULT FALSE,
    reason       TEXT NOT NULL DEFAULT ''
);
CREATE UNIQUE INDEX deliveries_webhook_id_key ON deliveries (webhook_id);
CREATE INDEX deliveries_shop_received ON deliveries (shop_id, received_at);
CREATE INDEX deliveries_received ON deliveries (received_at);
CREATE INDEX deliveries_shop_domain ON deliveries (shop_domain);

-- +goose Down
DROP TABLE deliveries;
