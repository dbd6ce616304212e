-- A shop's pixel key: the random secret the install job writes into the web
-- pixel's settings (accountID) and POST /collect checks. key_hash is the
-- SHA-256 of the key, the only column a lookup reads (an index lookup by a
-- hash tells nothing about other keys' bytes); key_sealed is the key
-- encrypted like the shops' tokens ("v1:" AES-256-GCM, the shop's domain
-- as additional data), so that reinstalling hands the pixel the same key.
-- last_event_at is the time the newest accepted storefront batch was
-- committed: "the pixel is connected".
-- +goose Up
CREATE TABLE pixel_keys (
    shop_id       BIGINT PRIMARY KEY REFERENCES shops (id) ON DELETE CASCADE,
    key_hash      BLOB NOT NULL,
    key_sealed    TEXT NOT NULL,
    last_event_at DATETIME,
    created_at    DATETIME NOT NULL
);
CREATE UNIQUE INDEX pixel_keys_hash ON pixel_keys (key_hash);

-- +goose Down
DROP TABLE pixel_keys;
