-- Store changes (GET/POST /api/changes): dated events that may have moved
-- the funnel, a theme published, a price changed, a discount, or a note the
-- merchant writes ("moved the reviews above the fold"). kind is one of
-- funnel.ChangeKinds, source 'webhook' or 'merchant'; description is plain
-- text of at most funnel.MaxChangeDescription characters. at is when the
-- change happened; created_at when it was recorded. A change recorded from
-- a webhook carries a dedupe_key naming what it records (the theme and its
-- publication time), unique per shop, so that a redelivery adds nothing; a
-- merchant's has none (NULLs never collide).
-- +goose Up
CREATE TABLE store_changes (
    id          INTEGER PRIMARY KEY,
    shop_id     BIGINT NOT NULL REFERENCES shops (id) ON DELETE CASCADE,
    at          DATETIME NOT NULL,
    kind        TEXT NOT NULL,
    description TEXT NOT NULL,
    source      TEXT NOT NULL,
    dedupe_key  TEXT,
    created_at  DATETIME NOT NULL
);
CREATE INDEX store_changes_shop_at ON store_changes (shop_id, at);
CREATE UNIQUE INDEX store_changes_shop_dedupe ON store_changes (shop_id, dedupe_key);

-- +goose Down
DROP TABLE store_changes;
