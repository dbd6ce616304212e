-- Whether a session's payloads said if the customer had ordered before:
-- newer API versions leave customer.orders_count out, and then the
-- new-vs-returning split must say "unknown" rather than "new".
-- +goose Up
ALTER TABLE sessions ADD COLUMN returning_known BOOLEAN NOT NULL DEFAULT 0;

-- +goose Down
ALTER TABLE sessions DROP COLUMN returning_known;
