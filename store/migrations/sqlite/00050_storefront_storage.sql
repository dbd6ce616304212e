-- PostgreSQL's 00050 sets the storage of visits (fillfactor) and of the
-- storefront inbox's events (lz4); SQLite has neither setting. The
-- migration is here so that both dialects keep one numbering.
-- +goose Up
SELECT 1;

-- +goose Down
SELECT 1;
