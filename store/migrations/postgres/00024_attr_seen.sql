-- Session attributes are kept field by field: each is the latest non-empty
-- value any event reported, so an order without a country no longer erases
-- the country its checkout gave. attr_seen holds, for each attribute with a
-- value, the snapshot it came from ({"country": {"at": …, "rank": …}}),
-- which replaces the single details_at/details_rank of the old rule (one
-- snapshot won every detail). Existing values are stamped with that
-- snapshot.
-- +goose Up
ALTER TABLE sessions ADD COLUMN attr_seen JSONB;
UPDATE sessions SET attr_seen = (
    SELECT jsonb_object_agg(a.k, jsonb_build_object(
        'at', to_char(details_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'), 'rank', details_rank))
    FROM (VALUES ('email', email), ('phone', phone), ('country', country), ('landing_site', landing_site),
        ('referring_site', referring_site), ('source_name', source_name), ('gateway', gateway),
        ('recovery_url', recovery_url), ('customer_type', CASE WHEN returning_known THEN 'known' ELSE '' END)) AS a (k, v)
    WHERE a.v <> '')
WHERE details_at IS NOT NULL;
ALTER TABLE sessions DROP COLUMN details_at, DROP COLUMN details_rank;

-- +goose Down
ALTER TABLE sessions ADD COLUMN details_at TIMESTAMPTZ, ADD COLUMN details_rank INTEGER NOT NULL DEFAULT 0;
UPDATE sessions SET
    details_at = (SELECT max((v ->> 'at')::timestamptz) FROM jsonb_each(attr_seen) AS e (k, v)),
    details_rank = COALESCE((SELECT max((v ->> 'rank')::integer) FROM jsonb_each(attr_seen) AS e (k, v)), 0)
WHERE attr_seen IS NOT NULL;
ALTER TABLE sessions DROP COLUMN attr_seen;
