-- The Flow channel and the alert hold-out. flow_enabled sends every alert
-- of the shop to Shopify Flow too (flowTriggerReceive, the trigger
-- extensions under extensions/funnelscope-flow-*). holdout_percent (0 to
-- 50, 0 = off) is the share of abandoned carts deliberately not alerted,
-- chosen by a stable hash of the session key (funnel.HeldOut): their alert
-- row is recorded with status 'held_out' and no delivery job, so that the
-- report can compare the recovery of alerted and held-out carts.
-- alerts.holdout_percent is the hold-out in force when the alert was made:
-- the comparison takes only alerts made while one was (0 = none), so that
-- both groups come from the same days.
-- +goose Up
ALTER TABLE settings ADD COLUMN flow_enabled BOOLEAN NOT NULL DEFAULT 0;
ALTER TABLE settings ADD COLUMN holdout_percent INTEGER NOT NULL DEFAULT 0;
ALTER TABLE alerts ADD COLUMN holdout_percent INTEGER NOT NULL DEFAULT 0;

-- +goose Down
ALTER TABLE alerts DROP COLUMN holdout_percent;
ALTER TABLE settings DROP COLUMN holdout_percent;
ALTER TABLE settings DROP COLUMN flow_enabled;
