-- The raw storefront events lose their foreign key to shops: checking it
-- ran a lookup of the shop for every event inserted, a sixth of the
-- insert's cost (BENCHMARKS.md, "The inbox names its raw events"). Nothing
-- is lost by it. Every raw event is inserted in one transaction with its
-- shop's storefront_inbox row, whose foreign key still checks the shop
-- (and holds it until the commit), so an event of a shop that is gone is
-- refused with its whole group; and RedactShop locks the shop's row before
-- it deletes, so an accept under way ends before the deletes or fails
-- after them, and the deletes take every raw event by shop_id.
-- +goose Up
ALTER TABLE storefront_events DROP CONSTRAINT storefront_events_shop_id_fkey;

-- +goose Down
ALTER TABLE storefront_events ADD CONSTRAINT storefront_events_shop_id_fkey
    FOREIGN KEY (shop_id) REFERENCES shops (id) ON DELETE CASCADE;
