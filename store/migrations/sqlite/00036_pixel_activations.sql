-- Where the shop's web pixel stands: the activate_pixel job (queued with
-- the install) creates or updates the app's web pixel through the Admin API
-- and records the outcome here. state is 'pending' (queued, or retrying
-- after a passing failure), 'active' (Shopify holds the pixel with the
-- shop's key) or 'failed' (Shopify refused for good: error_code is its user
-- error code or ACCESS_DENIED, error_message its words). web_pixel_id is
-- Shopify's id of the pixel once known.
-- +goose Up
CREATE TABLE pixel_activations (
    shop_id       BIGINT PRIMARY KEY REFERENCES shops (id) ON DELETE CASCADE,
    state         TEXT NOT NULL CHECK (state IN ('pending', 'active', 'failed')),
    web_pixel_id  TEXT NOT NULL DEFAULT '',
    error_code    TEXT NOT NULL DEFAULT '',
    error_message TEXT NOT NULL DEFAULT '',
    updated_at    DATETIME NOT NULL
);

-- +goose Down
DROP TABLE pixel_activations;
