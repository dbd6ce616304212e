-- The storefront events POST /collect accepted and the visits have not
-- folded yet. A /collect group commit stores its raw events (the dedupe)
-- and, in the same transaction, one row per shop here holding the events
-- it found new and its bots' events (funnel.StorefrontEvent values as a
-- JSON array); it answers 204 then. The fold (store.FoldStorefront, the
-- app's storefront folder) takes rows, folds their events into visits,
-- rollups and payments and deletes them in one transaction, so that an
-- accepted event is folded exactly once and never lost. attempts counts
-- the folds of the row alone that failed, last_error the last one's
-- error; a row that failed store.FoldAttempts times is kept for an
-- operator and no longer taken.
-- +goose Up
CREATE TABLE storefront_inbox (
    id          INTEGER PRIMARY KEY,
    shop_id     BIGINT NOT NULL REFERENCES shops (id) ON DELETE CASCADE,
    received_at DATETIME NOT NULL,
    events      TEXT NOT NULL,
    attempts    INTEGER NOT NULL DEFAULT 0,
    last_error  TEXT NOT NULL DEFAULT ''
);
CREATE INDEX storefront_inbox_shop ON storefront_inbox (shop_id);

-- +goose Down
DROP TABLE storefront_inbox;
