-- visit_tokens and visit_products reference visits (id) ON DELETE CASCADE,
-- and their indexes lead with shop_id, so deleting a visit (when /collect
-- merges two of a client's visits) made the database scan both tables to
-- find the rows to cascade to. An index on visit_id alone serves that
-- lookup.
-- +goose Up
CREATE INDEX visit_tokens_visit_id ON visit_tokens (visit_id);
CREATE INDEX visit_products_visit_id ON visit_products (visit_id);

-- +goose Down
DROP INDEX visit_products_visit_id;
DROP INDEX visit_tokens_visit_id;
