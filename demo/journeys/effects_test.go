package journeys_test

import (
	"math"
	"reflect"
	"testing"
	"time"

	"github.com/funnelscope/funnelscope/app/funnel"
	"github.com/funnelscope/funnelscope/demo/journeys"
)

// TestRatesAt: the rates in force at a time and on a device are the
// base rates with every effect dated no later, for that device or for
// all, applied in time order (a new rate replaces, a factor scales).
func TestRatesAt(t *testing.T) {
	t.Parallel()
	base := [5]float64{0.5, 0.8, 0.8, 0.78, 0.7}
	day := func(d int) time.Time { return t0.AddDate(0, 0, d) }
	m := journeys.Mix{Rates: base, Effects: []journeys.Effect{
		// Listed out of time order on purpose.
		{At: day(20), Step: funnel.StageCompleted, Device: funnel.DeviceMobile, Factor: 0.5},
		{At: day(10), Step: funnel.StagePaymentReached, Rate: 0.9},
		{At: day(30), Step: funnel.StagePaymentReached, Factor: 0.5},
		{At: day(5), Step: funnel.StageAddedToCart, Rate: 0.1}, // no rate leads to the cart: ignored
	}}
	with := func(changes map[int]float64) [5]float64 {
		r := base
		for i, v := range changes {
			r[i] = v
		}
		return r
	}
	for _, c := range []struct {
		name   string
		at     time.Time
		device funnel.Device
		want   [5]float64
	}{
		{"before every effect", day(0), funnel.DeviceMobile, base},
		{"an unknown device before every effect", day(0), "", base},
		{"the new rate from its moment", day(10), funnel.DeviceDesktop, with(map[int]float64{3: 0.9})},
		{"the mobile effect leaves desktop alone", day(25), funnel.DeviceDesktop, with(map[int]float64{3: 0.9})},
		{"the mobile effect leaves an unknown device alone", day(25), "", with(map[int]float64{3: 0.9})},
		{"the mobile effect on mobile", day(25), funnel.DeviceMobile, with(map[int]float64{3: 0.9, 4: 0.35})},
		{"a factor scales the rate then in force", day(31), funnel.DeviceMobile, with(map[int]float64{3: 0.45, 4: 0.35})},
	} {
		got := m.RatesAt(c.at, c.device)
		for i := range got {
			if math.Abs(got[i]-c.want[i]) > 1e-12 {
				t.Errorf("%s: rates %v, want %v", c.name, got, c.want)
				break
			}
		}
	}
	if got := (journeys.Mix{Rates: base}).RatesAt(day(40), funnel.DeviceMobile); got != base {
		t.Errorf("without effects: %v, want %v", got, base)
	}
}

// TestCrowdDevicesAndEffects: a Mix's devices are drawn by weight, leave
// every other draw of its shoppers as it was, and an effect changes the
// rate of its device's shoppers after its time only.
func TestCrowdDevicesAndEffects(t *testing.T) {
	t.Parallel()
	plain := mix(7)
	plain.Span, plain.Recent, plain.Recover = 60*24*time.Hour, 0, 0
	withDevices := plain
	withDevices.Devices = []journeys.WeightedDevice{{Device: funnel.DeviceMobile, Weight: 3}, {Device: funnel.DeviceDesktop, Weight: 1}}
	const n = 20_000
	a, b := plain.Crowd(), withDevices.Crowd()
	count := map[funnel.Device]int{}
	for range n {
		sa, sb := a.Next(), b.Next()
		if sa.Device != "" {
			t.Fatalf("a mix without devices gave device %q", sa.Device)
		}
		count[sb.Device]++
		sb.Device = ""
		if !reflect.DeepEqual(sa, sb) {
			t.Fatalf("devices changed another draw:\n%+v\n%+v", sa, sb)
		}
	}
	if share := float64(count[funnel.DeviceMobile]) / n; math.Abs(share-0.75) > 0.01 {
		t.Errorf("mobile share %.3f, want 0.75", share)
	}

	hurt := withDevices
	change := t0.Add(-30 * 24 * time.Hour)
	hurt.Effects = []journeys.Effect{{At: change, Step: funnel.StageCompleted, Device: funnel.DeviceMobile, Factor: 0.5}}
	// Payment → order of each device before and after the change.
	type key struct {
		d     funnel.Device
		after bool
	}
	reached, done := map[key]int{}, map[key]int{}
	crowd := hurt.Crowd()
	for range n {
		s := crowd.Next()
		if s.Stop < funnel.StagePaymentReached {
			continue
		}
		k := key{s.Device, !s.At[funnel.StageAddedToCart].Before(change)}
		reached[k]++
		if s.Stop == funnel.StageCompleted {
			done[k]++
		}
	}
	rate := func(k key) float64 { return float64(done[k]) / float64(reached[k]) }
	mb, ma := rate(key{funnel.DeviceMobile, false}), rate(key{funnel.DeviceMobile, true})
	db, da := rate(key{funnel.DeviceDesktop, false}), rate(key{funnel.DeviceDesktop, true})
	if math.Abs(ma/mb-0.5) > 0.08 {
		t.Errorf("mobile payment → order %.3f before, %.3f after: want it halved", mb, ma)
	}
	if math.Abs(da-db) > 0.07 {
		t.Errorf("desktop payment → order %.3f before, %.3f after: want it unchanged", db, da)
	}
}
