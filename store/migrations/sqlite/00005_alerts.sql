-- SQLite: DATETIME columns hold UTC text ("2006-01-02 15:04:05.999999999+00:00") written
-- by the driver; the declared type makes it parse them back into time.Time.
-- +goose Up
CREATE TABLE alerts (
    id          INTEGER PRIMARY KEY,
    shop_id     BIGINT NOT NULL REFERENCES shops (id) ON DELETE CASCADE,
    session_key TEXT NOT NULL,
    kind        TEXT NOT NULL,
    status      TEXT NOT NULL DEFAULT 'pending',
    attempts    INTEGER NOT NULL DEFAULT 0,
    last_error  TEXT NOT NULL DEFAULT '',
    created_at  DATETIME NOT NULL,
    sent_at     DATETIME
);
CREATE UNIQUE INDEX alerts_shop_session_kind ON alerts (shop_id, session_key, kind);
CREATE INDEX alerts_shop_status ON alerts (shop_id, status);

-- +goose Down
DROP TABLE alerts;
