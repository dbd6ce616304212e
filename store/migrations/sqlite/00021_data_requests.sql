-- Customer data requests (customers/data_request): what the app held about
-- the customer when Shopify asked, for the merchant to pass on. Erased by
-- customers/redact and shop/redact like the sessions they describe.
-- +goose Up
CREATE TABLE data_requests (
    id           INTEGER PRIMARY KEY,
    shop_id      BIGINT NOT NULL REFERENCES shops (id) ON DELETE CASCADE,
    request_id   BIGINT NOT NULL,
    customer_id  BIGINT NOT NULL DEFAULT 0,
    email        TEXT NOT NULL DEFAULT '',
    phone        TEXT NOT NULL DEFAULT '',
    sessions     INTEGER NOT NULL DEFAULT 0,
    report       TEXT NOT NULL CHECK (json_valid(report)),
    received_at  DATETIME NOT NULL
);
CREATE UNIQUE INDEX data_requests_shop_request ON data_requests (shop_id, request_id);
CREATE INDEX data_requests_shop_received ON data_requests (shop_id, received_at);

-- +goose Down
DROP TABLE data_requests;
