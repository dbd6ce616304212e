-- Visits (funnel.Visit): one client's run of storefront events with no
-- pause over 30 minutes, kept as the mergeable summary the domain defines
-- (summary, funnel.Visit as JSON) beside the columns reports group and
-- filter by. A visit belongs to the UTC quarter-hour of its first event
-- (quarter = floor(Unix seconds / 900)), the grain of session_rollups, so
-- that every shop-local day, in any zone and after a change of zone, is a
-- sum of whole quarters and nothing is re-bucketed. POST /collect folds a
-- batch's events into the client's visits adjacent to them (funnel.Fold)
-- and replaces those rows in the same transaction. A visit with a crawler's
-- or headless browser's event is a bot visit (bot): reports leave it out
-- and count it apart.
-- +goose Up
CREATE TABLE visits (
    id                BIGSERIAL PRIMARY KEY,
    shop_id           BIGINT NOT NULL REFERENCES shops (id) ON DELETE CASCADE,
    client_id         TEXT NOT NULL,
    started_at        TIMESTAMPTZ NOT NULL,
    ended_at          TIMESTAMPTZ NOT NULL,
    quarter           BIGINT NOT NULL,
    device            TEXT NOT NULL DEFAULT '',
    landing_page_type TEXT NOT NULL DEFAULT '',
    source            TEXT NOT NULL DEFAULT '',
    furthest_stage    INTEGER NOT NULL DEFAULT 0,
    bot               BOOLEAN NOT NULL DEFAULT FALSE,
    summary           TEXT NOT NULL,
    updated_at        TIMESTAMPTZ NOT NULL
);
CREATE INDEX visits_client ON visits (shop_id, client_id, started_at);
CREATE INDEX visits_started ON visits (shop_id, started_at);

-- The cart and checkout tokens a visit carried (kind 'cart' or
-- 'checkout'), with the visit's start, device, landing page type and
-- source copied beside them: what joins funnel sessions to visits, in
-- either order of arrival (a session takes the earliest visit that
-- carried one of its tokens).
CREATE TABLE visit_tokens (
    shop_id           BIGINT NOT NULL REFERENCES shops (id) ON DELETE CASCADE,
    token             TEXT NOT NULL,
    kind              TEXT NOT NULL,
    visit_id          BIGINT NOT NULL REFERENCES visits (id) ON DELETE CASCADE,
    started_at        TIMESTAMPTZ NOT NULL,
    device            TEXT NOT NULL DEFAULT '',
    landing_page_type TEXT NOT NULL DEFAULT '',
    source            TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (shop_id, token, visit_id)
);
CREATE INDEX visit_tokens_visit ON visit_tokens (shop_id, visit_id);

-- Per visit and product: the distinct product views and adds to cart the
-- visit counted (funnel.ProductActivity), for the product table.
CREATE TABLE visit_products (
    shop_id    BIGINT NOT NULL REFERENCES shops (id) ON DELETE CASCADE,
    visit_id   BIGINT NOT NULL REFERENCES visits (id) ON DELETE CASCADE,
    product_id TEXT NOT NULL,
    started_at TIMESTAMPTZ NOT NULL,
    device     TEXT NOT NULL DEFAULT '',
    title      TEXT NOT NULL DEFAULT '',
    views      INTEGER NOT NULL DEFAULT 0,
    adds       INTEGER NOT NULL DEFAULT 0,
    add_value  BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (shop_id, visit_id, product_id)
);
CREATE INDEX visit_products_started ON visit_products (shop_id, started_at);

-- +goose Down
DROP TABLE visit_products;
DROP TABLE visit_tokens;
DROP TABLE visits;
