-- The payment facts each visit contributes to the report's payment
-- section (funnel.PaymentSessionOf), beside its summary and written with
-- it, so that store.PaymentSessions groups sessions ⋈ visit_tokens ⋈
-- visits in SQL instead of decoding every joined visit's summary:
-- pay_submitted (payment submitted or checkout completed), the earliest
-- event that named a transaction (pay_from_ns, its time in Unix
-- nanoseconds, NULL when none, and pay_from_id, its event id) with its
-- pay_method and pay_gateway, and pay_errors, the storefront stage of each
-- payment error alert (Visit.PaymentErrorStage), as decimal stage numbers
-- joined by commas ('' when none). Migrate then fills them from the
-- summaries of the visits kept (store.fillAllVisitPaymentFacts).
-- +goose Up
ALTER TABLE visits ADD COLUMN pay_submitted BOOLEAN NOT NULL DEFAULT 0;
ALTER TABLE visits ADD COLUMN pay_from_ns BIGINT;
ALTER TABLE visits ADD COLUMN pay_from_id TEXT NOT NULL DEFAULT '';
ALTER TABLE visits ADD COLUMN pay_method TEXT NOT NULL DEFAULT '';
ALTER TABLE visits ADD COLUMN pay_gateway TEXT NOT NULL DEFAULT '';
ALTER TABLE visits ADD COLUMN pay_errors TEXT NOT NULL DEFAULT '';

-- +goose Down
ALTER TABLE visits DROP COLUMN pay_errors;
ALTER TABLE visits DROP COLUMN pay_gateway;
ALTER TABLE visits DROP COLUMN pay_method;
ALTER TABLE visits DROP COLUMN pay_from_id;
ALTER TABLE visits DROP COLUMN pay_from_ns;
ALTER TABLE visits DROP COLUMN pay_submitted;
