-- +goose Up
CREATE TABLE alerts (
    id          BIGSERIAL PRIMARY KEY,
    shop_id     BIGINT NOT NULL REFERENCES shops (id) ON DELETE CASCADE,
    session_key TEXT NOT NULL,
    kind        TEXT NOT NULL,
    status      TEXT NOT NULL DEFAULT 'pending',
    attempts    INTEGER NOT NULL DEFAULT 0,
    last_error  TEXT NOT NULL DEFAULT '',
    created_at  TIMESTAMPTZ NOT NULL,
    sent_at     TIMESTAMPTZ
);
CREATE UNIQUE INDEX alerts_shop_session_kind ON alerts (shop_id, session_key, kind);
CREATE INDEX alerts_shop_status ON alerts (shop_id, status);

-- +goose Down
DROP TABLE alerts;
