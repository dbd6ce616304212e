-- Storefront rollups: what the storefront report reads instead of folding
-- every visit of its range. storefront_rollups counts a shop's visits by
-- the bucket their first event fell in, device and landing page type: the
-- (non-bot) visits by furthest stage (visits_0 visited … visits_8
-- completed), the bot visits, the visits that viewed each page type, made
-- each micro conversion (funnel.Visit.Viewed and Micro), reached reviews
-- and added nothing, and their distinct product view and add events.
-- storefront_product_rollups counts, per bucket, product and title, the
-- visits that viewed or added the product, added it, added it and
-- completed, and the events and value of those. Each visit counts twice
-- in each table: in its UTC quarter-hour (span 900, bucket = floor(Unix
-- seconds / 900)) and in its UTC day (span 86400): a report sums the whole
-- UTC days of its range and the quarters at its edges, so every
-- shop-local day, in any zone, is exact with no rebuild (store/rollups.go).
-- POST /collect keeps both in the transaction that writes the visits: a
-- visit that changes takes its old counts out and puts its new ones in
-- (store.storefrontDeltas). An order completing a visit's checkout is
-- applied when reading (a correction over the checkout tokens of the
-- visits not completed, visit_tokens_uncompleted). Migrate fills them from the visits kept.
-- +goose Up
CREATE TABLE storefront_rollups (
    shop_id           BIGINT NOT NULL REFERENCES shops (id) ON DELETE CASCADE,
    span              INTEGER NOT NULL,
    bucket            BIGINT NOT NULL,
    device            TEXT NOT NULL,
    landing_page_type TEXT NOT NULL,
    visits_0          BIGINT NOT NULL DEFAULT 0,
    visits_1          BIGINT NOT NULL DEFAULT 0,
    visits_2          BIGINT NOT NULL DEFAULT 0,
    visits_3          BIGINT NOT NULL DEFAULT 0,
    visits_4          BIGINT NOT NULL DEFAULT 0,
    visits_5          BIGINT NOT NULL DEFAULT 0,
    visits_6          BIGINT NOT NULL DEFAULT 0,
    visits_7          BIGINT NOT NULL DEFAULT 0,
    visits_8          BIGINT NOT NULL DEFAULT 0,
    bots              BIGINT NOT NULL DEFAULT 0,
    page_home         BIGINT NOT NULL DEFAULT 0,
    page_collection   BIGINT NOT NULL DEFAULT 0,
    page_product      BIGINT NOT NULL DEFAULT 0,
    page_search       BIGINT NOT NULL DEFAULT 0,
    page_cart         BIGINT NOT NULL DEFAULT 0,
    page_page         BIGINT NOT NULL DEFAULT 0,
    page_other        BIGINT NOT NULL DEFAULT 0,
    micro_scrolled_half BIGINT NOT NULL DEFAULT 0,
    micro_navigated   BIGINT NOT NULL DEFAULT 0,
    micro_product_clicked BIGINT NOT NULL DEFAULT 0,
    micro_filtered    BIGINT NOT NULL DEFAULT 0,
    micro_gallery     BIGINT NOT NULL DEFAULT 0,
    micro_reviews_reached BIGINT NOT NULL DEFAULT 0,
    micro_variant_selected BIGINT NOT NULL DEFAULT 0,
    micro_added_to_cart BIGINT NOT NULL DEFAULT 0,
    reviews_not_added BIGINT NOT NULL DEFAULT 0,
    product_views     BIGINT NOT NULL DEFAULT 0,
    product_adds      BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (shop_id, span, bucket, device, landing_page_type)
);

CREATE TABLE storefront_product_rollups (
    shop_id     BIGINT NOT NULL REFERENCES shops (id) ON DELETE CASCADE,
    span        INTEGER NOT NULL,
    bucket      BIGINT NOT NULL,
    product_id  TEXT NOT NULL,
    title       TEXT NOT NULL,
    visits      BIGINT NOT NULL DEFAULT 0,
    adds        BIGINT NOT NULL DEFAULT 0,
    orders      BIGINT NOT NULL DEFAULT 0,
    view_events BIGINT NOT NULL DEFAULT 0,
    add_events  BIGINT NOT NULL DEFAULT 0,
    add_value   BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (shop_id, span, bucket, product_id, title)
);

-- What the orders correction needs of a visit, beside each of its tokens:
-- its furthest stage, whether a bot, the page types it viewed and the
-- micro conversions it made (bit masks in the order of funnel.PageTypes
-- and of funnel.PageMicros' conversions), and the same masks once an order
-- completed it (store.tokenFacts). Migrate fills them for the visits kept.
ALTER TABLE visit_tokens ADD COLUMN furthest_stage INTEGER NOT NULL DEFAULT 0;
ALTER TABLE visit_tokens ADD COLUMN bot BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE visit_tokens ADD COLUMN page_mask BIGINT NOT NULL DEFAULT 0;
ALTER TABLE visit_tokens ADD COLUMN micro_mask BIGINT NOT NULL DEFAULT 0;
ALTER TABLE visit_tokens ADD COLUMN done_page_mask BIGINT NOT NULL DEFAULT 0;
ALTER TABLE visit_tokens ADD COLUMN done_micro_mask BIGINT NOT NULL DEFAULT 0;

-- The checkout tokens of the visits an order could still complete, by
-- start: the orders correction's read, which visit_tokens' key (shop_id,
-- token, visit_id) cannot serve.
CREATE INDEX visit_tokens_uncompleted ON visit_tokens (shop_id, started_at) WHERE kind = 'checkout' AND furthest_stage < 8 AND NOT bot;

-- The completed sessions by checkout token: the correction's probe of each
-- of those tokens, most of which no order completed, ends in the index
-- without a visit to the table.
CREATE INDEX sessions_completed_checkout ON sessions (shop_id, checkout_token) WHERE completed_at IS NOT NULL;

-- +goose Down
DROP INDEX sessions_completed_checkout;
DROP INDEX visit_tokens_uncompleted;
ALTER TABLE visit_tokens DROP COLUMN done_micro_mask;
ALTER TABLE visit_tokens DROP COLUMN done_page_mask;
ALTER TABLE visit_tokens DROP COLUMN micro_mask;
ALTER TABLE visit_tokens DROP COLUMN page_mask;
ALTER TABLE visit_tokens DROP COLUMN bot;
ALTER TABLE visit_tokens DROP COLUMN furthest_stage;
DROP TABLE storefront_product_rollups;
DROP TABLE storefront_rollups;
