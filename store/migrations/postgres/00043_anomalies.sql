-- Step anomalies: a step of the cart funnel (step names the stage it
-- leads to, funnel.Stage.Key; device '' = all devices) whose rate today
-- fell both clearly (statistically) and materially below what the same
-- weekday of the last weeks leads to expect (funnel.DetectAnomalies). day
-- is the shop-local date (YYYY-MM-DD): UNIQUE (shop_id, step, device, day)
-- makes at most one anomaly per step and day, so a scan that runs again
-- adds nothing. Rates are in millionths (integers on both databases);
-- shoppers reached the step's start today, reached went through it, lost
-- is how many fewer went through than expected, value_at_risk lost ×
-- the average order value in minor units of currency. status, attempts,
-- last_error, channels_done and sent_at are the alert delivery's fields
-- (store.AlertQueued ...), shared with alerts and digests.
-- settings.anomalies_enabled turns the detection on (the default) or off;
-- anomaly_materiality is the relative drop, in percent (5 to 90), from
-- which a clear drop is worth an alert.
-- +goose Up
CREATE TABLE anomalies (
    id                  BIGSERIAL PRIMARY KEY,
    shop_id             BIGINT NOT NULL REFERENCES shops (id) ON DELETE CASCADE,
    day                 TEXT NOT NULL,
    step                TEXT NOT NULL,
    device              TEXT NOT NULL DEFAULT '',
    detected_at         TIMESTAMPTZ NOT NULL,
    since               TIMESTAMPTZ NOT NULL,
    expected_rate_ppm   BIGINT NOT NULL,
    observed_rate_ppm   BIGINT NOT NULL,
    shoppers            BIGINT NOT NULL,
    reached             BIGINT NOT NULL,
    lost                BIGINT NOT NULL,
    value_at_risk_cents BIGINT NOT NULL,
    currency            TEXT NOT NULL DEFAULT '',
    status              TEXT NOT NULL DEFAULT 'queued',
    attempts            INTEGER NOT NULL DEFAULT 0,
    last_error          TEXT NOT NULL DEFAULT '',
    channels_done       TEXT NOT NULL DEFAULT '',
    sent_at             TIMESTAMPTZ
);
CREATE UNIQUE INDEX anomalies_shop_step_device_day ON anomalies (shop_id, step, device, day);
CREATE INDEX anomalies_shop_day ON anomalies (shop_id, day);
ALTER TABLE settings ADD COLUMN anomalies_enabled BOOLEAN NOT NULL DEFAULT TRUE;
ALTER TABLE settings ADD COLUMN anomaly_materiality INTEGER NOT NULL DEFAULT 20;

-- +goose Down
ALTER TABLE settings DROP COLUMN anomaly_materiality;
ALTER TABLE settings DROP COLUMN anomalies_enabled;
DROP TABLE anomalies;
