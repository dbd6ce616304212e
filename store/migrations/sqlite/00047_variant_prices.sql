-- The last price seen of each product variant, per shop: a products/update
-- payload carries only the new prices, so a price change is told by
-- comparing with the one kept here (store.RecordPrices, in the same
-- transaction as the change it records). price_cents is in the shop's
-- currency's minor units; seen_at is the product's updated_at of the
-- payload that set it, so that an older update delivered late does not
-- bring back an old price. shop/redact deletes the rows.
-- +goose Up
CREATE TABLE variant_prices (
    shop_id     BIGINT NOT NULL REFERENCES shops (id) ON DELETE CASCADE,
    variant_id  BIGINT NOT NULL,
    product_id  BIGINT NOT NULL,
    price_cents BIGINT NOT NULL,
    seen_at     DATETIME NOT NULL,
    PRIMARY KEY (shop_id, variant_id)
);

-- +goose Down
DROP TABLE variant_prices;
