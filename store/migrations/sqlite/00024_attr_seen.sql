-- Session attributes are kept field by field: each is the latest non-empty
-- value any event reported, so an order without a country no longer erases
-- the country its checkout gave. attr_seen holds, for each attribute with a
-- value, the snapshot it came from ({"country": {"at": …, "rank": …}}),
-- which replaces the single details_at/details_rank of the old rule (one
-- snapshot won every detail). Existing values are stamped with that
-- snapshot; "at" keeps SQLite's own text of details_at, which the store
-- reads as well as RFC 3339.
-- +goose Up
ALTER TABLE sessions ADD COLUMN attr_seen TEXT;
UPDATE sessions SET attr_seen = (
    SELECT json_group_object(a.k, json_object('at', details_at, 'rank', details_rank))
    FROM (SELECT 'email' AS k, email AS v UNION ALL SELECT 'phone', phone UNION ALL SELECT 'country', country
        UNION ALL SELECT 'landing_site', landing_site UNION ALL SELECT 'referring_site', referring_site
        UNION ALL SELECT 'source_name', source_name UNION ALL SELECT 'gateway', gateway
        UNION ALL SELECT 'recovery_url', recovery_url
        UNION ALL SELECT 'customer_type', CASE WHEN returning_known THEN 'known' ELSE '' END) AS a
    WHERE a.v <> '')
WHERE details_at IS NOT NULL;
UPDATE sessions SET attr_seen = NULL WHERE attr_seen = '{}';
ALTER TABLE sessions DROP COLUMN details_at;
ALTER TABLE sessions DROP COLUMN details_rank;

-- +goose Down
ALTER TABLE sessions ADD COLUMN details_at DATETIME;
ALTER TABLE sessions ADD COLUMN details_rank INTEGER NOT NULL DEFAULT 0;
UPDATE sessions SET
    details_at = (SELECT max(json_extract(e.value, '$.at')) FROM json_each(attr_seen) AS e),
    details_rank = COALESCE((SELECT max(json_extract(e.value, '$.rank')) FROM json_each(attr_seen) AS e), 0)
WHERE attr_seen IS NOT NULL;
ALTER TABLE sessions DROP COLUMN attr_seen;
