-- Two storage settings of the storefront's write path (BENCHMARKS.md,
-- "User agents once, storage, an honest ceiling"):
--
-- A visit's row is rewritten each time a fold adds events to it. With
-- room left on its page (fillfactor 70: an 8 KB page of visits of about
-- 1.5 KB keeps room for one or two new versions; pages written from now
-- on), the new version goes on the same page as a heap-only tuple, since
-- a growing visit keeps its indexed columns (shop, client, start), and
-- none of the three indexes is written again: nine rewrites in ten in
-- bench collect.
--
-- An inbox row (one shop's events of one /collect group commit) is
-- mostly just over the 2 KB at which PostgreSQL compresses a value, and
-- is read back once: lz4 compresses and decompresses it at a fraction of
-- the default pglz's CPU. A server built without lz4 keeps pglz.
-- +goose Up
ALTER TABLE visits SET (fillfactor = 70);
-- +goose StatementBegin
DO $$
BEGIN
    IF EXISTS (SELECT 1 FROM pg_settings WHERE name = 'default_toast_compression' AND 'lz4' = ANY (enumvals)) THEN
        ALTER TABLE storefront_inbox ALTER COLUMN events SET COMPRESSION lz4;
    END IF;
END
$$;
-- +goose StatementEnd

-- +goose Down
ALTER TABLE storefront_inbox ALTER COLUMN events SET COMPRESSION default;
ALTER TABLE visits RESET (fillfactor);
