-- The orders' correction of the storefront rollups moves to write time:
-- a visit that carried the checkout token of a completed funnel session
-- counts in storefront_rollups and storefront_product_rollups as the
-- completed visit funnel.Visit.CompleteByOrder makes of it, from the
-- transaction that wrote the second of the two (the order's webhook, or
-- the /collect batch that wrote the visit). completed_by_order says the
-- rollups count the visit so, so that it is moved once and taken out as
-- counted. Migrate then moves the counts of the visits kept that an order
-- already completed (store.completeVisitsByOrders). The read-time
-- correction's facts beside each token, and their index, go.
-- +goose Up
ALTER TABLE visits ADD COLUMN completed_by_order BOOLEAN NOT NULL DEFAULT FALSE;
DROP INDEX visit_tokens_uncompleted;
ALTER TABLE visit_tokens DROP COLUMN done_micro_mask;
ALTER TABLE visit_tokens DROP COLUMN done_page_mask;
ALTER TABLE visit_tokens DROP COLUMN micro_mask;
ALTER TABLE visit_tokens DROP COLUMN page_mask;
ALTER TABLE visit_tokens DROP COLUMN bot;
ALTER TABLE visit_tokens DROP COLUMN furthest_stage;

-- +goose Down
ALTER TABLE visit_tokens ADD COLUMN furthest_stage INTEGER NOT NULL DEFAULT 0;
ALTER TABLE visit_tokens ADD COLUMN bot BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE visit_tokens ADD COLUMN page_mask BIGINT NOT NULL DEFAULT 0;
ALTER TABLE visit_tokens ADD COLUMN micro_mask BIGINT NOT NULL DEFAULT 0;
ALTER TABLE visit_tokens ADD COLUMN done_page_mask BIGINT NOT NULL DEFAULT 0;
ALTER TABLE visit_tokens ADD COLUMN done_micro_mask BIGINT NOT NULL DEFAULT 0;
CREATE INDEX visit_tokens_uncompleted ON visit_tokens (shop_id, started_at) WHERE kind = 'checkout' AND furthest_stage < 8 AND NOT bot;
ALTER TABLE visits DROP COLUMN completed_by_order;
