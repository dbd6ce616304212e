-- +goose Up
CREATE TABLE settings (
    shop_id               BIGINT PRIMARY KEY REFERENCES shops (id) ON DELETE CASCADE,
    abandon_after_seconds BIGINT NOT NULL DEFAULT 0,
    alerts_enabled        BOOLEAN NOT NULL DEFAULT FALSE,
    min_value             BIGINT NOT NULL DEFAULT 0,
    kinds                 TEXT NOT NULL DEFAULT '',
    emails                TEXT NOT NULL DEFAULT '',
    chat_webhook_url      TEXT NOT NULL DEFAULT '',
    immediate_min_value   BIGINT NOT NULL DEFAULT 0,
    digest                TEXT NOT NULL DEFAULT '',
    timezone              TEXT NOT NULL DEFAULT '',
    created_at            TIMESTAMPTZ NOT NULL,
    updated_at            TIMESTAMPTZ NOT NULL
);

-- +goose Down
DROP TABLE settings;
