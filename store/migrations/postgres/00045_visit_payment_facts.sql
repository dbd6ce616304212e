-- The payment facts each visit contributes to the report's payment
-- section (funnel.PaymentSessionOf), copied beside each of its tokens as
-- its start and device are, and written with them, so that
-- store.PaymentSessions groups sessions ⋈ visit_tokens in SQL instead of
-- decoding every joined visit's summary: pay_submitted (payment submitted
-- or checkout completed), the earliest event that named a transaction
-- (pay_from_ns, its time in Unix nanoseconds, NULL when none, and
-- pay_from_id, its event id) with its pay_method and pay_gateway, and
-- pay_errors, the storefront stage of each payment error alert
-- (Visit.PaymentErrorStage), as decimal stage numbers joined by commas (''
-- when none). Migrate then fills them from the summaries of the visits
-- kept (store.fillAllVisitPaymentFacts). sessions_at_payment holds what
-- the payment read needs of the sessions at payment, so that it reads an
-- index, not the shop's sessions.
-- +goose Up
ALTER TABLE visit_tokens ADD COLUMN pay_submitted BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE visit_tokens ADD COLUMN pay_from_ns BIGINT;
ALTER TABLE visit_tokens ADD COLUMN pay_from_id TEXT NOT NULL DEFAULT '';
ALTER TABLE visit_tokens ADD COLUMN pay_method TEXT NOT NULL DEFAULT '';
ALTER TABLE visit_tokens ADD COLUMN pay_gateway TEXT NOT NULL DEFAULT '';
ALTER TABLE visit_tokens ADD COLUMN pay_errors TEXT NOT NULL DEFAULT '';
CREATE INDEX sessions_at_payment ON sessions (shop_id, started_at) INCLUDE (id, cart_token, checkout_token, country, gateway, completed_at)
    WHERE payment_reached_at IS NOT NULL OR completed_at IS NOT NULL;

-- +goose Down
DROP INDEX sessions_at_payment;
ALTER TABLE visit_tokens DROP COLUMN pay_errors;
ALTER TABLE visit_tokens DROP COLUMN pay_gateway;
ALTER TABLE visit_tokens DROP COLUMN pay_method;
ALTER TABLE visit_tokens DROP COLUMN pay_from_id;
ALTER TABLE visit_tokens DROP COLUMN pay_from_ns;
ALTER TABLE visit_tokens DROP COLUMN pay_submitted;
