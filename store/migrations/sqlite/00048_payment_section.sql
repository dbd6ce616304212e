-- The report's payment section, kept at write time, so that it reads a
-- few rows instead of the shop's sessions at payment and their visits.
--
-- payment_rollups counts the sessions at payment (reached the payment
-- step or completed) by their country and gateway columns and whether
-- they completed, each twice, as storefront_rollups counts visits: in the
-- UTC quarter-hour it started (span 900, bucket = floor(Unix seconds /
-- 900)) and in its UTC day (span 86400). The webhooks' ingest adds each
-- change in the transaction that writes it (store.paymentDeltas). A report
-- sums the whole UTC days of its range and the quarters at its edges, and
-- reads a quarter its bounds cut from the sessions.
--
-- session_payments holds what the pixel's visits know of the payment of
-- each session at payment that a visit carried the cart or checkout token
-- of: the session's funnel.PaymentSessionOf, its device and country as
-- SegmentValue, with the session's own started_at, country and gateway
-- beside it, and errors the payment error stages of its visits (decimal
-- stage numbers joined by commas, in no order; '' when none). The ingest
-- of webhooks and of /collect rewrites the rows of the sessions whose
-- side it changed (store.sessionPaymentsInsert). There is no foreign key
-- to sessions: a session merged into another is deleted with its row by
-- the ingest that merges it.
--
-- Migrate then fills both from the sessions and visits kept. The read no
-- longer groups the sessions at payment, so 00045's index of them goes:
-- one index less for every write of a session at payment.
-- +goose Up
CREATE TABLE payment_rollups (
    shop_id   BIGINT NOT NULL REFERENCES shops (id) ON DELETE CASCADE,
    span      INTEGER NOT NULL,
    bucket    BIGINT NOT NULL,
    country   TEXT NOT NULL,
    gateway   TEXT NOT NULL,
    completed BOOLEAN NOT NULL,
    sessions  BIGINT NOT NULL,
    PRIMARY KEY (shop_id, span, bucket, country, gateway, completed)
);
CREATE TABLE session_payments (
    session_id  BIGINT PRIMARY KEY,
    shop_id     BIGINT NOT NULL REFERENCES shops (id) ON DELETE CASCADE,
    started_at  DATETIME NOT NULL,
    device      TEXT NOT NULL,
    country     TEXT NOT NULL,
    gateway     TEXT NOT NULL,
    method      TEXT NOT NULL,
    completed   BOOLEAN NOT NULL,
    submitted   BOOLEAN NOT NULL,
    own_country TEXT NOT NULL,
    own_gateway TEXT NOT NULL,
    errors      TEXT NOT NULL
);
CREATE INDEX session_payments_started ON session_payments (shop_id, started_at);
DROP INDEX sessions_at_payment;

-- +goose Down
CREATE INDEX sessions_at_payment ON sessions (shop_id, started_at, cart_token, checkout_token, country, gateway, completed_at)
    WHERE payment_reached_at IS NOT NULL OR completed_at IS NOT NULL;
DROP TABLE session_payments;
DROP TABLE payment_rollups;
