-- SQLite: DATETIME columns hold UTC text ("2006-01-02 15:04:05.999999999+00:00") written
-- by the driver; the declared type makes it parse them back into time.Time.
-- +goose Up
CREATE TABLE sessions (
    id                   INTEGER PRIMARY KEY,
    shop_id              BIGINT NOT NULL REFERENCES shops (id) ON DELETE CASCADE,
    session_key          TEXT NOT NULL,
    cart_token           TEXT NOT NULL DEFAULT '',
    checkout_token       TEXT NOT NULL DEFAULT '',
    started_at           DATETIME NOT NULL,
    last_activity        DATETIME NOT NULL,
    furthest_stage       INTEGER NOT NULL DEFAULT 0,
    added_to_cart_at     DATETIME,
    checkout_started_at  DATETIME,
    contact_submitted_at DATETIME,
    address_submitted_at DATETIME,
    payment_reached_at   DATETIME,
    completed_at         DATETIME,
    content_at           DATETIME,
    content_rank         INTEGER NOT NULL DEFAULT 0,
    value                BIGINT NOT NULL DEFAULT 0,
    currency             TEXT NOT NULL DEFAULT '',
    item_count           INTEGER NOT NULL DEFAULT 0,
    line_items           TEXT,
    details_at           DATETIME,
    details_rank         INTEGER NOT NULL DEFAULT 0,
    email                TEXT NOT NULL DEFAULT '',
    phone                TEXT NOT NULL DEFAULT '',
    country              TEXT NOT NULL DEFAULT '',
    landing_site         TEXT NOT NULL DEFAULT '',
    referring_site       TEXT NOT NULL DEFAULT '',
    source_name          TEXT NOT NULL DEFAULT '',
    gateway              TEXT NOT NULL DEFAULT '',
    recovery_url         TEXT NOT NULL DEFAULT '',
    returning_customer   BOOLEAN NOT NULL DEFAULT 0,
    abandoned_at         DATETIME,
    created_at           DATETIME NOT NULL,
    updated_at           DATETIME NOT NULL
);
CREATE UNIQUE INDEX sessions_shop_key ON sessions (shop_id, session_key);
CREATE INDEX sessions_shop_started ON sessions (shop_id, started_at);
CREATE INDEX sessions_shop_checkout ON sessions (shop_id, checkout_token);
CREATE INDEX sessions_shop_cart ON sessions (shop_id, cart_token);
CREATE INDEX sessions_shop_activity ON sessions (shop_id, last_activity);

-- +goose Down
DROP TABLE sessions;
