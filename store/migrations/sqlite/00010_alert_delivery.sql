-- SQLite: DATETIME columns hold UTC text written by the driver (see 00003).
-- Alert delivery: what an alert carries (mode, value), which channels it has
-- already reached (so a retry never sends twice), and the digests that
-- gather the alerts below a shop's immediate threshold.
-- +goose Up
ALTER TABLE alerts ADD COLUMN mode TEXT NOT NULL DEFAULT 'immediate';
ALTER TABLE alerts ADD COLUMN value BIGINT NOT NULL DEFAULT 0;
ALTER TABLE alerts ADD COLUMN currency TEXT NOT NULL DEFAULT '';
ALTER TABLE alerts ADD COLUMN channels_done TEXT NOT NULL DEFAULT '';
ALTER TABLE alerts ADD COLUMN digest_id BIGINT;
ALTER TABLE alerts ADD COLUMN updated_at DATETIME;
CREATE INDEX alerts_shop_created ON alerts (shop_id, created_at);
CREATE INDEX alerts_shop_digest ON alerts (shop_id, mode, digest_id);

CREATE TABLE alert_digests (
    id            INTEGER PRIMARY KEY,
    shop_id       BIGINT NOT NULL REFERENCES shops (id) ON DELETE CASCADE,
    period        TEXT NOT NULL,
    window_start  DATETIME NOT NULL,
    window_end    DATETIME NOT NULL,
    timezone      TEXT NOT NULL DEFAULT 'UTC',
    status        TEXT NOT NULL DEFAULT 'queued',
    attempts      INTEGER NOT NULL DEFAULT 0,
    last_error    TEXT NOT NULL DEFAULT '',
    channels_done TEXT NOT NULL DEFAULT '',
    created_at    DATETIME NOT NULL,
    sent_at       DATETIME
);
CREATE UNIQUE INDEX alert_digests_shop_window ON alert_digests (shop_id, period, window_start);

-- Settings rows saved before alert settings existed get the defaults
-- explicitly: from now on an empty kinds column means "no kind".
UPDATE settings SET kinds = 'abandoned_cart,checkout_dropoff,payment_dropoff' WHERE kinds = '';
UPDATE settings SET digest = 'off' WHERE digest = '';

-- +goose Down
DROP TABLE alert_digests;
DROP INDEX alerts_shop_digest;
DROP INDEX alerts_shop_created;
ALTER TABLE alerts DROP COLUMN updated_at;
ALTER TABLE alerts DROP COLUMN digest_id;
ALTER TABLE alerts DROP COLUMN channels_done;
ALTER TABLE alerts DROP COLUMN currency;
ALTER TABLE alerts DROP COLUMN value;
ALTER TABLE alerts DROP COLUMN mode;
