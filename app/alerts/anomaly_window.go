package alerts

import (
	"context"
	"fmt"
	"time"

	"github.com/funnelscope/funnelscope/app/funnel"
	"github.com/funnelscope/funnelscope/store"
)

// anomalyCounts are the sessions of the widest window an anomaly scan
// may test (funnel.AnomalyMaxWindowDays days ending at its cut) and of
// its history, by device ("" for all devices) and window-day
// (funnel.WindowDayTallies).
type anomalyCounts struct {
	window, history map[funnel.Device]*funnel.WindowDayTallies
	// historyValue[j] is the order value of the history's window-day j,
	// historyCurrency and windowCurrency the first currency seen.
	historyValue                    [funnel.AnomalyMaxWindowDays]int64
	historyCurrency, windowCurrency string
}

// countAnomalyWindows counts, for each window-day j (0 the shop-local day
// of date, from start up to cut; j ≥ 1 the whole day j days before), the
// sessions of that day and of the same day (the same hours for j = 0)
// 1 to funnel.AnomalyHistoryWeeks weeks earlier: one query a day and
// window, 7 + 28 in all.
func (s *Service) countAnomalyWindows(ctx context.Context, shopID int64, date time.Time, loc *time.Location, cut time.Time) (anomalyCounts, error) {
	out := anomalyCounts{
		window:  map[funnel.Device]*funnel.WindowDayTallies{},
		history: map[funnel.Device]*funnel.WindowDayTallies{},
	}
	start := funnel.NewDayRange(date, date, loc).Start()
	elapsed := cut.Sub(start)
	bounds := func(day time.Time, j int) (time.Time, time.Time) {
		r := funnel.NewDayRange(day, day, loc)
		if j == 0 {
			return r.Start(), r.Start().Add(elapsed)
		}
		return r.Start(), r.End()
	}
	for j := range funnel.AnomalyMaxWindowDays {
		day := date.AddDate(0, 0, -j)
		from, to := bounds(day, j)
		c, err := s.cfg.Store.WindowCounts(ctx, shopID, from, to)
		if err != nil {
			return anomalyCounts{}, fmt.Errorf("alerts: counting the anomaly window of shop %d: %w", shopID, err)
		}
		addTallies(out.window, j, c)
		if out.windowCurrency == "" {
			out.windowCurrency = c.Currency
		}
		for w := 1; w <= funnel.AnomalyHistoryWeeks; w++ {
			from, to := bounds(day.AddDate(0, 0, -7*w), j)
			c, err := s.cfg.Store.WindowCounts(ctx, shopID, from, to)
			if err != nil {
				return anomalyCounts{}, fmt.Errorf("alerts: counting the anomaly history of shop %d: %w", shopID, err)
			}
			addTallies(out.history, j, c)
			out.historyValue[j] += c.OrderValue
			if out.historyCurrency == "" {
				out.historyCurrency = c.Currency
			}
		}
	}
	return out, nil
}

// addTallies adds c's sessions to window-day j of sum, by device and for
// all devices ("").
func addTallies(sum map[funnel.Device]*funnel.WindowDayTallies, j int, c store.ImpactCounts) {
	add := func(dev funnel.Device, f [funnel.StageCompleted + 1]int64) {
		t := sum[dev]
		if t == nil {
			t = &funnel.WindowDayTallies{}
			sum[dev] = t
		}
		for st, n := range f {
			t[j][st] += n
		}
	}
	add("", c.All())
	for dev, f := range c.Furthest {
		if dev != "" {
			add(dev, *f)
		}
	}
}

// inputs are the steps to test: all devices, then each device with both
// sessions in the window and history.
func (c anomalyCounts) inputs() []funnel.AnomalyInput {
	var none funnel.WindowDayTallies
	all := func(m map[funnel.Device]*funnel.WindowDayTallies, dev funnel.Device) *funnel.WindowDayTallies {
		if t := m[dev]; t != nil {
			return t
		}
		return &none
	}
	out := funnel.WindowAnomalyInputs("", *all(c.history, ""), *all(c.window, ""))
	for _, dev := range anomalyDevices() {
		if c.window[dev] != nil && c.history[dev] != nil {
			out = append(out, funnel.WindowAnomalyInputs(dev, *c.history[dev], *c.window[dev])...)
		}
	}
	return out
}

// averageOrderValue is, in minor units, the history's average order value
// over the first days window-days (0 when it has no orders).
func (c anomalyCounts) averageOrderValue(days int) int64 {
	var f [funnel.StageCompleted + 1]int64
	var value int64
	if h := c.history[""]; h != nil {
		for j := range min(days, funnel.AnomalyMaxWindowDays) {
			for st, n := range h[j] {
				f[st] += n
			}
			value += c.historyValue[j]
		}
	}
	aov, err := funnel.ParseMoney(funnel.BuildReport(funnel.Tally{Furthest: f, OrderValue: value}).AverageOrderValue)
	if err != nil {
		return 0
	}
	return aov
}

// dayOnset is the local midnight of the day a drop over a window of
// several days began (funnel.DropOnset over its days, oldest first).
func (c anomalyCounts) dayOnset(a funnel.Anomaly, date time.Time, loc *time.Location) time.Time {
	days := make([]funnel.StepCounts, a.Days)
	if t := c.window[a.Device]; t != nil {
		for i := range days {
			days[i] = stepOf(a, t[a.Days-1-i])
		}
	}
	first := date.AddDate(0, 0, funnel.DropOnset(days, a.ExpectedRate)-(a.Days-1))
	return funnel.NewDayRange(first, first, loc).Start()
}

// stepOf is the anomaly's step in sessions f (of its device) by furthest
// stage.
func stepOf(a funnel.Anomaly, f [funnel.StageCompleted + 1]int64) funnel.StepCounts {
	for _, in := range funnel.CartAnomalyInputs(a.Device, f, f) {
		if in.To == a.To {
			return funnel.StepCounts{Entering: in.TodayEntering, Reached: in.TodayReached}
		}
	}
	return funnel.StepCounts{}
}
