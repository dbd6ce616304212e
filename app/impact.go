package app

import (
	"context"
	"net/http"
	"time"

	"github.com/funnelscope/funnelscope/app/funnel"
	"github.com/funnelscope/funnelscope/store"
)

// maxOverlapping is the most other changes an impact lists as overlapping.
const maxOverlapping = 50

// impactDevices are the devices an impact splits the steps by, when the
// shop's sessions have any of them (from the visits joined to them).
func impactDevices() []funnel.Device {
	return []funnel.Device{funnel.DeviceMobile, funnel.DeviceTablet, funnel.DeviceDesktop}
}

// impactWindowJSON is the two windows of an impact: before is
// [before_start, change_at), after [change_at, after_end).
type impactWindowJSON struct {
	BeforeStart    time.Time `json:"before_start"`
	ChangeAt       time.Time `json:"change_at"`
	AfterEnd       time.Time `json:"after_end"`
	Days           float64   `json:"days"`
	FullWeek       bool      `json:"full_week"`
	DaysToFullWeek int       `json:"days_to_full_week"`
}

// impactStepJSON is one step's impact, with its monthly effect as money.
type impactStepJSON struct {
	funnel.ImpactStep
	MonthlyEffect string `json:"monthly_effect"`
	MonthlyLow    string `json:"monthly_effect_low"`
	MonthlyHigh   string `json:"monthly_effect_high"`
}

// impactJSON is the answer of GET /api/impact: the change, its windows,
// the other changes inside them, and every step's verdict (the cart
// funnel's for all devices and each known device, then the storefront's
// when the shop has visits).
type impactJSON struct {
	Change             changeJSON       `json:"change"`
	Timezone           string           `json:"timezone"`
	Window             impactWindowJSON `json:"window"`
	Overlapping        []changeJSON     `json:"overlapping"`
	Currency           string           `json:"currency"`
	AverageOrderValue  string           `json:"average_order_value"`
	Tested             int              `json:"tested"`
	FalseDiscoveryRate float64          `json:"false_discovery_rate"`
	Storefront         bool             `json:"storefront"`
	Steps              []impactStepJSON `json:"steps"`
}

// impactOf measures the impact of the shop's change id with windows of
// at most weeks weeks: a 404 when the shop has no such change.
func (a *App) impactOf(ctx context.Context, shop store.Shop, loc *time.Location, id int64, weeks int) (impactJSON, error) {
	ch, ok, err := a.store.ChangeOf(ctx, shop.ID, id)
	if err != nil {
		return impactJSON{}, err
	}
	if !ok {
		return impactJSON{}, userError(http.StatusNotFound, "This store has no change %d.", id)
	}
	w := funnel.ImpactWindowFor(ch.At, a.now(), weeks)
	before, err := a.store.ImpactCounts(ctx, shop.ID, w.BeforeStart, ch.At, ch.At)
	if err != nil {
		return impactJSON{}, err
	}
	after, err := a.store.ImpactCounts(ctx, shop.ID, ch.At, w.AfterEnd, time.Time{})
	if err != nil {
		return impactJSON{}, err
	}
	inputs := funnel.CartImpactInputs("", before.All(), after.All())
	for _, d := range impactDevices() {
		if before.Furthest[d] != nil || after.Furthest[d] != nil {
			inputs = append(inputs, funnel.CartImpactInputs(d, orZero(before.Furthest[d]), orZero(after.Furthest[d]))...)
		}
	}
	storefront, err := a.storefrontImpactInputs(ctx, shop.ID, w)
	if err != nil {
		return impactJSON{}, err
	}
	inputs = append(inputs, storefront...)

	// The order value is the report's rule (BuildReport) over both windows.
	all := before.All()
	for st, n := range after.All() {
		all[st] += n
	}
	aovText := funnel.BuildReport(funnel.Tally{Furthest: all, OrderValue: before.OrderValue + after.OrderValue}).AverageOrderValue
	aov, err := funnel.ParseMoney(aovText)
	if err != nil {
		aov = 0
	}
	currency := after.Currency
	if currency == "" {
		currency = before.Currency
	}

	out := impactJSON{
		Change: toChangeJSON(ch, loc), Timezone: loc.String(), Overlapping: []changeJSON{},
		Window: impactWindowJSON{BeforeStart: w.BeforeStart.UTC(), ChangeAt: ch.At.UTC(), AfterEnd: w.AfterEnd.UTC(),
			Days: w.Length.Hours() / 24, FullWeek: w.FullWeek, DaysToFullWeek: w.DaysToFullWeek},
		Currency: currency, AverageOrderValue: aovText, FalseDiscoveryRate: funnel.ImpactFalseDiscoveryRate,
		Storefront: len(storefront) > 0,
	}
	others, err := a.store.Changes(ctx, shop.ID, w.BeforeStart, w.AfterEnd, maxOverlapping+1)
	if err != nil {
		return impactJSON{}, err
	}
	for _, o := range others {
		if o.ID != ch.ID && len(out.Overlapping) < maxOverlapping {
			out.Overlapping = append(out.Overlapping, toChangeJSON(o, loc))
		}
	}
	for _, s := range funnel.JudgeImpact(inputs, w, aov) {
		if s.Tested {
			out.Tested++
		}
		out.Steps = append(out.Steps, impactStepJSON{ImpactStep: s, MonthlyEffect: funnel.FormatMoney(s.MonthlyEffect),
			MonthlyLow: funnel.FormatMoney(s.MonthlyLow), MonthlyHigh: funnel.FormatMoney(s.MonthlyHigh)})
	}
	return out, nil
}

// orZero is *f, or no sessions at all.
func orZero(f *[funnel.StageCompleted + 1]int64) [funnel.StageCompleted + 1]int64 {
	if f == nil {
		return [funnel.StageCompleted + 1]int64{}
	}
	return *f
}

// storefrontImpactInputs returns the storefront steps of the impact, for
// all devices and each device with visits, when the shop has visits in
// either window; none otherwise. The visits are tallied by
// store.StorefrontTallies, which takes shop-local days: the days of a zone
// in which the change falls at midnight, so that the windows' days are
// exactly [BeforeStart, At) and [At, AfterEnd). Unlike the cart funnel's,
// a visit that straddles the change is not left out.
func (a *App) storefrontImpactInputs(ctx context.Context, shopID int64, w funnel.ImpactWindow) ([]funnel.ImpactInput, error) {
	days := int(w.Length / (24 * time.Hour))
	if days < 1 {
		return nil, nil
	}
	at := w.At.UTC()
	midnight := time.FixedZone("change", -(at.Hour()*3600 + at.Minute()*60 + at.Second()))
	day := func(offset int) time.Time {
		y, m, d := at.In(midnight).Date()
		return time.Date(y, m, d+offset, 0, 0, 0, 0, time.UTC)
	}
	before, err := a.store.StorefrontTallies(ctx, shopID, funnel.NewDayRange(day(-days), day(-1), midnight), "")
	if err != nil {
		return nil, err
	}
	after, err := a.store.StorefrontTallies(ctx, shopID, funnel.NewDayRange(day(0), day(days-1), midnight), "")
	if err != nil {
		return nil, err
	}
	tally := func(t *funnel.StorefrontTally) funnel.StorefrontTally {
		if t == nil {
			return funnel.StorefrontTally{}
		}
		return *t
	}
	b, f := tally(before.Segments[store.AllSegment]), tally(after.Segments[store.AllSegment])
	if b.Visits()+f.Visits() == 0 {
		return nil, nil
	}
	inputs := funnel.StorefrontImpactInputs("", b, f)
	for _, d := range impactDevices() {
		if before.Devices[d] != nil || after.Devices[d] != nil {
			inputs = append(inputs, funnel.StorefrontImpactInputs(d, tally(before.Devices[d]), tally(after.Devices[d]))...)
		}
	}
	return inputs, nil
}
