package alerts

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/riverqueue/river"

	"github.com/funnelscope/funnelscope/app/funnel"
	"github.com/funnelscope/funnelscope/store"
)

// reasonNoChannel is recorded on an anomaly raised while the shop names
// nowhere to send alerts: it shows in the report but goes out nowhere.
const reasonNoChannel = "No e-mail address, chat webhook or Shopify Flow is set to receive alerts."

// anomalyDevices are the devices the scan tests each step on, besides all
// devices together.
func anomalyDevices() []funnel.Device {
	return []funnel.Device{funnel.DeviceMobile, funnel.DeviceTablet, funnel.DeviceDesktop}
}

// ScanAnomalies runs the step anomaly scan of one shop at now: each step
// of the cart funnel, for all devices and for each device, is compared
// over the shop-local day so far (sessions started since midnight and
// before now − the idle threshold, so that those still going are not
// counted as lost) with the same hours of the same weekday of the last
// funnel.AnomalyHistoryWeeks weeks, by funnel.DetectAnomalies at the
// shop's materiality. A step too thin for that (a small shop) is tested
// over a window widened to the k days ending with the day so far, k from
// the history alone (funnel.WindowAnomalyInputs), against the same k days
// of the weeks before. Each anomaly found is recorded once per step,
// device and day, and not again while one of its window's days has one
// (store.RaiseAnomaly), with its delivery job in the same transaction
// (none, and a reason, when the shop names no channel). Since is the
// hour the drop began for a one-day window, else the local midnight of
// its first day. It returns how many
// anomalies it recorded; a shop uninstalled or with anomalies off gets
// none.
func (s *Service) ScanAnomalies(ctx context.Context, shopID int64, now time.Time) (raised int, err error) {
	shop, err := s.cfg.Store.ShopByID(ctx, shopID)
	if errors.Is(err, store.ErrNotFound) {
		return 0, nil
	}
	if err != nil {
		return 0, err
	}
	if !shop.Installed() {
		return 0, nil
	}
	set, err := s.cfg.Store.Settings(ctx, shopID)
	if err != nil {
		return 0, err
	}
	st := set.AlertSettings()
	if !st.AnomaliesEnabled {
		return 0, nil
	}
	loc := set.Location(shop)
	y, m, d := now.In(loc).Date()
	date := time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
	start := funnel.NewDayRange(date, date, loc).Start()
	cut := now.Add(-IdleThreshold(set, s.cfg.DefaultIdle))
	if !cut.After(start) {
		return 0, nil
	}
	counts, err := s.countAnomalyWindows(ctx, shopID, date, loc, cut)
	if err != nil {
		return 0, err
	}
	inputs := counts.inputs()
	for i := range inputs {
		inputs[i].AverageOrderValue = counts.averageOrderValue(inputs[i].Days)
	}
	found := funnel.DetectAnomalies(inputs, float64(st.AnomalyMateriality)/100, 0)
	if len(found) == 0 {
		return 0, nil
	}
	var hours []store.ImpactCounts
	for _, f := range found {
		if f.Days == 1 && hours == nil {
			if hours, err = s.hourlyCounts(ctx, shopID, start, cut); err != nil {
				return 0, err
			}
		}
	}
	currency := funnel.ValueCurrency(counts.windowCurrency, funnel.ValueCurrency(counts.historyCurrency, shop.Currency))
	jobs, err := s.client()
	if err != nil {
		return 0, err
	}
	maxAttempts := s.tune().MaxAttempts
	enqueue := func(ctx context.Context, tx *sql.Tx, a store.Anomaly) error {
		_, err := jobs.InsertTx(ctx, tx, DeliverAnomalyArgs{AnomalyID: a.ID}, &river.InsertOpts{MaxAttempts: maxAttempts})
		return err
	}
	for _, f := range found {
		since := counts.dayOnset(f, date, loc)
		if f.Days == 1 {
			since = start.Add(time.Duration(funnel.DropOnset(stepHours(hours, f), f.ExpectedRate)) * time.Hour)
		}
		a := store.Anomaly{
			ShopID: shopID, Day: date.Format(time.DateOnly), WindowDays: f.Days, Step: f.To, Device: f.Device,
			DetectedAt: now, Since: since,
			ExpectedRate: f.ExpectedRate, ObservedRate: f.ObservedRate,
			Shoppers: f.Shoppers, Reached: f.Reached, Lost: f.Lost, ValueAtRisk: f.ValueAtRisk, Currency: currency,
			Status: store.AlertQueued,
		}
		if !st.HasChannel() && !s.cfg.Demo {
			a.Status, a.LastError = store.AlertSkipped, reasonNoChannel
		}
		got, created, err := s.cfg.Store.RaiseAnomaly(ctx, a, enqueue)
		if err != nil {
			return raised, err
		}
		if created {
			raised++
			s.cfg.Log.InfoContext(ctx, "step anomaly raised", "shop", shop.Domain, "anomaly", got.ID,
				"step", f.Label(), "device", string(f.Device), "days", f.Days, "expected", f.ExpectedRate, "observed", f.ObservedRate)
		}
	}
	return raised, nil
}

// hourlyCounts counts the sessions of each hour from start to cut (the
// last one cut short), for the onset of a drop.
func (s *Service) hourlyCounts(ctx context.Context, shopID int64, start, cut time.Time) ([]store.ImpactCounts, error) {
	var out []store.ImpactCounts
	for h := start; h.Before(cut); h = h.Add(time.Hour) {
		end := h.Add(time.Hour)
		if end.After(cut) {
			end = cut
		}
		c, err := s.cfg.Store.WindowCounts(ctx, shopID, h, end)
		if err != nil {
			return nil, fmt.Errorf("alerts: counting the hours of shop %d: %w", shopID, err)
		}
		out = append(out, c)
	}
	return out, nil
}

// stepHours is the anomaly's step, on its device, in each hour.
func stepHours(hours []store.ImpactCounts, a funnel.Anomaly) []funnel.StepCounts {
	out := make([]funnel.StepCounts, len(hours))
	for i, c := range hours {
		f := c.All()
		if a.Device != "" {
			f = [funnel.StageCompleted + 1]int64{}
			if d := c.Furthest[a.Device]; d != nil {
				f = *d
			}
		}
		out[i] = stepOf(a, f)
	}
	return out
}
