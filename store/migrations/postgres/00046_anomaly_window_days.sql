-- window_days is how many shop-local days the anomaly's window spans,
-- ending on its day: 1 for a shop with traffic enough in the hours so far
-- of one day, up to 7 for a small shop, whose window widens until the
-- history leads to expect enough shoppers in it (funnel.AnomalyWindowDays).
-- shoppers, reached, lost and value_at_risk_cents are the whole window's;
-- since is then the local midnight of the first day of the drop.
-- +goose Up
ALTER TABLE anomalies ADD COLUMN window_days INTEGER NOT NULL DEFAULT 1;

-- +goose Down
ALTER TABLE anomalies DROP COLUMN window_days;
