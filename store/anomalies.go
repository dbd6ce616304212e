package store

import (
	"context"
	"fmt"
	"math"
	"time"

	"gorm.io/gorm"

	"github.com/funnelscope/funnelscope/app/funnel"
)

// Anomaly is a step anomaly as stored: one step of the cart funnel on one
// device ("" for all devices) over a window of WindowDays shop-local days
// ending on Day, at most one per (shop, step, device, day). Status and the delivery fields are an
// alert's (AlertQueued, AlertSent, ...).
type Anomaly struct {
	ID     int64
	ShopID int64
	// Day is the shop-local date, YYYY-MM-DD, the last of the window's
	// WindowDays days (1 for the hours so far of Day alone; 0 reads as 1).
	Day        string
	WindowDays int
	// Step is the stage the step leads to (funnel.Stage.Key); the step
	// starts at the stage before it.
	Step   funnel.Stage
	Device funnel.Device
	// DetectedAt is when the scan raised it, Since when the drop began
	// (an hour of Day for a one-day window, else a local midnight).
	DetectedAt, Since time.Time
	// ExpectedRate and ObservedRate are from 0 to 1, kept to a millionth.
	ExpectedRate, ObservedRate float64
	// Shoppers, Reached, Lost and ValueAtRisk are the whole window's.
	Shoppers, Reached, Lost int64
	// ValueAtRisk is in minor units of Currency.
	ValueAtRisk  int64
	Currency     string
	Status       string
	Attempts     int
	LastError    string
	ChannelsDone []string
	SentAt       *time.Time
}

// FirstDay is the first day of the anomaly's window, YYYY-MM-DD: Day
// itself for a one-day window (or a Day that is no date).
func (a Anomaly) FirstDay() string {
	last, err := time.Parse(time.DateOnly, a.Day)
	if err != nil || a.WindowDays <= 1 {
		return a.Day
	}
	return last.AddDate(0, 0, 1-a.WindowDays).Format(time.DateOnly)
}

// anomalyRow is the anomalies table.
type anomalyRow struct {
	ID               int64
	ShopID           int64
	Day              string
	WindowDays       int
	Step             string
	Device           string
	DetectedAt       time.Time
	Since            time.Time
	ExpectedRatePpm  int64
	ObservedRatePpm  int64
	Shoppers         int64
	Reached          int64
	Lost             int64
	ValueAtRiskCents int64
	Currency         string
	Status           string
	Attempts         int
	LastError        string
	ChannelsDone     string
	SentAt           *time.Time
}

// TableName maps anomalyRow to its table.
func (anomalyRow) TableName() string { return "anomalies" }

func (r anomalyRow) toAnomaly() Anomaly {
	st, _ := funnel.ParseStage(r.Step)
	return Anomaly{
		ID: r.ID, ShopID: r.ShopID, Day: r.Day, WindowDays: max(r.WindowDays, 1), Step: st, Device: funnel.Device(r.Device),
		DetectedAt: r.DetectedAt.UTC(), Since: r.Since.UTC(),
		ExpectedRate: float64(r.ExpectedRatePpm) / 1e6, ObservedRate: float64(r.ObservedRatePpm) / 1e6,
		Shoppers: r.Shoppers, Reached: r.Reached, Lost: r.Lost, ValueAtRisk: r.ValueAtRiskCents, Currency: r.Currency,
		Status: r.Status, Attempts: r.Attempts, LastError: r.LastError,
		ChannelsDone: splitList(r.ChannelsDone, "\n"), SentAt: utcPtr(r.SentAt),
	}
}

// ppm is a rate in millionths, clamped to [0, 1].
func ppm(rate float64) int64 { return int64(math.Round(min(max(rate, 0), 1) * 1e6)) }

// WindowCounts counts the shop's sessions started in [start, end) by
// device and furthest stage, with the completed sessions' order value:
// the impact's counting (ImpactCounts) without its straddling rule, for
// the anomaly scan's windows.
func (s *Store) WindowCounts(ctx context.Context, shopID int64, start, end time.Time) (ImpactCounts, error) {
	return s.ImpactCounts(ctx, shopID, start, end, time.Time{})
}

// RaiseAnomaly records a (ShopID, Day, Step, Device must be set; Status
// AlertQueued, or AlertSkipped with LastError saying why nothing is sent)
// unless the shop already has one for that step and device on a day of
// a's window (the WindowDays days ending on Day: at most one per step and
// day, and a drop seen by a window of several days alerts once, not on
// each of its days), and for a queued one calls enqueue in the same
// transaction, so that its delivery job commits or rolls back with it.
// created is false, and the existing anomaly is left alone, when there
// was one already.
func (s *Store) RaiseAnomaly(ctx context.Context, a Anomaly, enqueue InTx[Anomaly]) (Anomaly, bool, error) {
	if !a.Step.Valid() || a.Day == "" {
		return Anomaly{}, false, fmt.Errorf("store: raising anomaly of shop %d: no step or day", a.ShopID)
	}
	if _, err := time.Parse(time.DateOnly, a.Day); err != nil {
		return Anomaly{}, false, fmt.Errorf("store: raising anomaly of shop %d: day %q: %w", a.ShopID, a.Day, err)
	}
	a.WindowDays = max(a.WindowDays, 1)
	first := a.FirstDay()
	if a.Status == "" {
		a.Status = AlertQueued
	}
	a.DetectedAt, a.Since = utc(a.DetectedAt), utc(a.Since)
	created := false
	err := s.db(ctx).Transaction(func(tx *gorm.DB) error {
		var earlier []int64
		err := tx.Raw(`SELECT id FROM anomalies WHERE shop_id = ? AND step = ? AND device = ? AND day >= ? AND day <= ? LIMIT 1`,
			a.ShopID, a.Step.Key(), string(a.Device), first, a.Day).Scan(&earlier).Error
		if err != nil || len(earlier) > 0 {
			return err
		}
		var ids []int64
		err = tx.Raw(`INSERT INTO anomalies (shop_id, day, window_days, step, device, detected_at, since, expected_rate_ppm,
				observed_rate_ppm, shoppers, reached, lost, value_at_risk_cents, currency, status, last_error)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
			ON CONFLICT (shop_id, step, device, day) DO NOTHING
			RETURNING id`,
			a.ShopID, a.Day, a.WindowDays, a.Step.Key(), string(a.Device), a.DetectedAt, a.Since, ppm(a.ExpectedRate),
			ppm(a.ObservedRate), a.Shoppers, a.Reached, a.Lost, a.ValueAtRisk, a.Currency, a.Status, a.LastError).
			Scan(&ids).Error
		if err != nil || len(ids) == 0 {
			return err
		}
		a.ID, created = ids[0], true
		if a.Status != AlertQueued {
			return nil
		}
		return enqueue.run(ctx, tx, a)
	})
	if err != nil {
		return Anomaly{}, false, fmt.Errorf("store: raising anomaly of shop %d: %w", a.ShopID, err)
	}
	return a, created, nil
}

// AnomalyByID returns the anomaly with that id; ErrNotFound when there is
// none (its shop may have been redacted).
func (s *Store) AnomalyByID(ctx context.Context, id int64) (Anomaly, error) {
	var rows []anomalyRow
	if err := s.db(ctx).Where("id = ?", id).Limit(1).Find(&rows).Error; err != nil {
		return Anomaly{}, fmt.Errorf("store: loading anomaly %d: %w", id, err)
	}
	if len(rows) == 0 {
		return Anomaly{}, fmt.Errorf("store: anomaly %d: %w", id, ErrNotFound)
	}
	return rows[0].toAnomaly(), nil
}

// Anomalies returns the shop's anomalies of the shop-local days from
// firstDay to lastDay (YYYY-MM-DD, both included), the latest day first,
// then the most money at risk; at most limit (0 means DefaultListLimit,
// capped at MaxListLimit).
func (s *Store) Anomalies(ctx context.Context, shopID int64, firstDay, lastDay string, limit int) ([]Anomaly, error) {
	if limit <= 0 {
		limit = DefaultListLimit
	}
	var rows []anomalyRow
	err := s.db(ctx).Where("shop_id = ? AND day >= ? AND day <= ?", shopID, firstDay, lastDay).
		Order("day DESC, value_at_risk_cents DESC, id").Limit(min(limit, MaxListLimit)).Find(&rows).Error
	if err != nil {
		return nil, fmt.Errorf("store: listing anomalies of shop %d: %w", shopID, err)
	}
	out := make([]Anomaly, len(rows))
	for i, r := range rows {
		out[i] = r.toAnomaly()
	}
	return out, nil
}

// FinishAnomaly moves a queued anomaly to status (sent, failed or
// skipped) with msg as its last error, as FinishAlert does for alerts.
func (s *Store) FinishAnomaly(ctx context.Context, id int64, status, msg string) (finished bool, err error) {
	var sentAt *time.Time
	if status == AlertSent {
		now := s.nowUTC()
		sentAt = &now
	}
	res := s.db(ctx).Exec(`UPDATE anomalies SET status = ?, last_error = ?, sent_at = ? WHERE id = ? AND status = ?`,
		status, msg, sentAt, id, AlertQueued)
	if res.Error != nil {
		return false, fmt.Errorf("store: finishing anomaly %d: %w", id, res.Error)
	}
	return res.RowsAffected == 1, nil
}
