-- +goose Up
CREATE TABLE sessions (
    id                   BIGSERIAL PRIMARY KEY,
    shop_id              BIGINT NOT NULL REFERENCES shops (id) ON DELETE CASCADE,
    session_key          TEXT NOT NULL,
    cart_token           TEXT NOT NULL DEFAULT '',
    checkout_token       TEXT NOT NULL DEFAULT '',
    started_at           TIMESTAMPTZ NOT NULL,
    last_activity        TIMESTAMPTZ NOT NULL,
    furthest_stage       INTEGER NOT NULL DEFAULT 0,
    added_to_cart_at     TIMESTAMPTZ,
    checkout_started_at  TIMESTAMPTZ,
    contact_submitted_at TIMESTAMPTZ,
    address_submitted_at TIMESTAMPTZ,
    payment_reached_at   TIMESTAMPTZ,
    completed_at         TIMESTAMPTZ,
    content_at           TIMESTAMPTZ,
    content_rank         INTEGER NOT NULL DEFAULT 0,
    value                BIGINT NOT NULL DEFAULT 0,
    currency             TEXT NOT NULL DEFAULT '',
    item_count           INTEGER NOT NULL DEFAULT 0,
    line_items           JSONB,
    details_at           TIMESTAMPTZ,
    details_rank         INTEGER NOT NULL DEFAULT 0,
    email                TEXT NOT NULL DEFAULT '',
    phone                TEXT NOT NULL DEFAULT '',
    country              TEXT NOT NULL DEFAULT '',
    landing_site         TEXT NOT NULL DEFAULT '',
    referring_site       TEXT NOT NULL DEFAULT '',
    source_name          TEXT NOT NULL DEFAULT '',
    gateway              TEXT NOT NULL DEFAULT '',
    recovery_url         TEXT NOT NULL DEFAULT '',
    returning_customer   BOOLEAN NOT NULL DEFAULT FALSE,
    abandoned_at         TIMESTAMPTZ,
    created_at           TIMESTAMPTZ NOT NULL,
    updated_at           TIMESTAMPTZ NOT NULL
);
CREATE UNIQUE INDEX sessions_shop_key ON sessions (shop_id, session_key);
CREATE INDEX sessions_shop_started ON sessions (shop_id, started_at);
CREATE INDEX sessions_shop_checkout ON sessions (shop_id, checkout_token);
CREATE INDEX sessions_shop_cart ON sessions (shop_id, cart_token);
CREATE INDEX sessions_shop_activity ON sessions (shop_id, last_activity);

-- +goose Down
DROP TABLE sessions;
