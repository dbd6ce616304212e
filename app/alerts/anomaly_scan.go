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
// shop's materiality. Each anomaly found is recorded once per step,
// device and day, with its delivery job in the same transaction (none,
// and a reason, when the shop names no channel). It returns how many
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
	elapsed := cut.Sub(start)
	today, err := s.cfg.Store.WindowCounts(ctx, shopID, start, cut)
	if err != nil {
		return 0, err
	}
	history := store.ImpactCounts{Furthest: map[funnel.Device]*[funnel.StageCompleted + 1]int64{}}
	for w := 1; w <= funnel.AnomalyHistoryWeeks; w++ {
		past := date.AddDate(0, 0, -7*w)
		ps := funnel.NewDayRange(past, past, loc).Start()
		c, err := s.cfg.Store.WindowCounts(ctx, shopID, ps, ps.Add(elapsed))
		if err != nil {
			return 0, err
		}
		addCounts(&history, c)
	}
	inputs := funnel.CartAnomalyInputs("", history.All(), today.All())
	for _, dev := range anomalyDevices() {
		if today.Furthest[dev] != nil && history.Furthest[dev] != nil {
			inputs = append(inputs, funnel.CartAnomalyInputs(dev, *history.Furthest[dev], *today.Furthest[dev])...)
		}
	}
	aov, err := funnel.ParseMoney(funnel.BuildReport(funnel.Tally{Furthest: history.All(), OrderValue: history.OrderValue}).AverageOrderValue)
	if err != nil {
		aov = 0
	}
	found := funnel.DetectAnomalies(inputs, float64(st.AnomalyMateriality)/100, aov)
	if len(found) == 0 {
		return 0, nil
	}
	hours, err := s.hourlyCounts(ctx, shopID, start, cut)
	if err != nil {
		return 0, err
	}
	currency := funnel.ValueCurrency(today.Currency, funnel.ValueCurrency(history.Currency, shop.Currency))
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
		onset := funnel.DropOnset(stepHours(hours, f), f.ExpectedRate)
		a := store.Anomaly{
			ShopID: shopID, Day: date.Format(time.DateOnly), Step: f.To, Device: f.Device,
			DetectedAt: now, Since: start.Add(time.Duration(onset) * time.Hour),
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
				"step", f.Label(), "device", string(f.Device), "expected", f.ExpectedRate, "observed", f.ObservedRate)
		}
	}
	return raised, nil
}

// addCounts adds c's sessions to sum.
func addCounts(sum *store.ImpactCounts, c store.ImpactCounts) {
	for dev, f := range c.Furthest {
		t := sum.Furthest[dev]
		if t == nil {
			t = &[funnel.StageCompleted + 1]int64{}
			sum.Furthest[dev] = t
		}
		for st, n := range f {
			t[st] += n
		}
	}
	sum.OrderValue += c.OrderValue
	if sum.Currency == "" {
		sum.Currency = c.Currency
	}
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
		for _, in := range funnel.CartAnomalyInputs(a.Device, f, f) {
			if in.To == a.To {
				out[i] = funnel.StepCounts{Entering: in.TodayEntering, Reached: in.TodayReached}
			}
		}
	}
	return out
}
