-- SQLite: DATETIME columns hold UTC text ("2006-01-02 15:04:05.999999999+00:00") written
-- by the driver; the declared type makes it parse them back into time.Time.
-- +goose Up
CREATE TABLE settings (
    shop_id               INTEGER PRIMARY KEY REFERENCES shops (id) ON DELETE CASCADE,
    abandon_after_seconds BIGINT NOT NULL DEFAULT 0,
    alerts_enabled        BOOLEAN NOT NULL DEFAULT 0,
    min_value             BIGINT NOT NULL DEFAULT 0,
    kinds                 TEXT NOT NULL DEFAULT '',
    emails                TEXT NOT NULL DEFAULT '',
    chat_webhook_url      TEXT NOT NULL DEFAULT '',
    immediate_min_value   BIGINT NOT NULL DEFAULT 0,
    digest                TEXT NOT NULL DEFAULT '',
    timezone              TEXT NOT NULL DEFAULT '',
    created_at            DATETIME NOT NULL,
    updated_at            DATETIME NOT NULL
);

-- +goose Down
DROP TABLE settings;
