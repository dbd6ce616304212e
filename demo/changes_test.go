package demo_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/funnelscope/funnelscope/app/funnel"
	"github.com/funnelscope/funnelscope/demo"
	"github.com/funnelscope/funnelscope/demo/journeys"
)

// demoModeHistory is the history `funnelscope demo` fills itself with.
func demoModeHistory() demo.History {
	return demo.History{Shop: "funnelscope-demo.myshopify.com", Now: func() time.Time { return demoNow }, Seed: 1,
		Sessions: demo.DemoSessions, PixelDays: demo.DemoPixelDays, Changes: demo.DemoChanges()}
}

// impactSession is a cart session as the store keeps it, for an impact:
// when it started and was last active, how far it got, and the device of
// the visit it joined ("unknown" when the pixel never saw it).
type impactSession struct {
	start, last time.Time
	furthest    funnel.Stage
	device      funnel.Device
}

// impactSessions are the history's cart sessions, from its shoppers and
// the visits the pixel saw, as the app stores them.
func impactSessions(h demo.History) []impactSession {
	now := h.Now()
	// Only the cart shoppers' visits join sessions. They are drawn before
	// the visits that never add to cart, which do not change them: a
	// history without those has the same cart visits, in a tenth of the
	// time.
	h.Browsers = 1e-9
	devices := map[string]funnel.Device{}
	for _, v := range h.Visits() {
		if v.Shopper != nil {
			devices[v.Shopper.Cart] = v.Device.Kind
		}
	}
	var out []impactSession
	for _, s := range h.Shoppers() {
		is := impactSession{start: s.At[funnel.StageAddedToCart], device: funnel.DeviceUnknown}
		if d, ok := devices[s.Cart]; ok {
			is.device = d
		}
		for st := funnel.StageAddedToCart; st <= s.Stop; st++ {
			if at := s.At[st]; !at.IsZero() && !at.After(now) {
				is.furthest, is.last = st, later(is.last, at)
			}
		}
		for _, u := range s.Updates {
			if !u.At.After(now) {
				is.last = later(is.last, u.At)
			}
		}
		if !s.Recovered.IsZero() && !s.Recovered.After(now) {
			is.furthest, is.last = funnel.StageCompleted, later(is.last, s.Recovered)
		}
		out = append(out, is)
	}
	return out
}

func later(a, b time.Time) time.Time {
	if b.After(a) {
		return b
	}
	return a
}

// cartImpact judges the cart funnel's steps around a change at at, seen
// at now, as GET /api/impact does (app.impactOf): sessions started in
// each window, the before window's last active before the change, all
// devices and then each known device.
func cartImpact(sessions []impactSession, at, now time.Time) []funnel.ImpactStep {
	w := funnel.ImpactWindowFor(at, now, funnel.DefaultImpactWeeks)
	type counts = [funnel.StageCompleted + 1]int64
	before, after := map[funnel.Device]*counts{}, map[funnel.Device]*counts{}
	add := func(m map[funnel.Device]*counts, s impactSession) {
		if m[s.device] == nil {
			m[s.device] = &counts{}
		}
		m[s.device][s.furthest]++
	}
	for _, s := range sessions {
		switch {
		case !s.start.Before(w.BeforeStart) && s.start.Before(at) && s.last.Before(at):
			add(before, s)
		case !s.start.Before(at) && s.start.Before(w.AfterEnd):
			add(after, s)
		}
	}
	all := func(m map[funnel.Device]*counts) counts {
		var out counts
		for _, c := range m {
			for st, n := range c {
				out[st] += n
			}
		}
		return out
	}
	orZero := func(c *counts) counts {
		if c == nil {
			return counts{}
		}
		return *c
	}
	inputs := funnel.CartImpactInputs("", all(before), all(after))
	for _, d := range funnel.Devices() {
		if before[d] != nil || after[d] != nil {
			inputs = append(inputs, funnel.CartImpactInputs(d, orZero(before[d]), orZero(after[d]))...)
		}
	}
	return funnel.JudgeImpact(inputs, w, 0)
}

// TestDemoChangesHaveTheirVerdicts: in the demo's history, the impact of
// each change, measured as the app measures it, gives the verdict the
// change was made to have: the price change no clear change on any step,
// the shipping costs shown early an improved address → payment step, the
// new theme a worse payment → order on mobile and no clear change on
// desktop.
func TestDemoChangesHaveTheirVerdicts(t *testing.T) {
	t.Parallel()
	h := demoModeHistory()
	sessions := impactSessions(h)
	times := h.ChangeTimes()
	changes := demo.DemoChanges()
	verdicts := make([]map[string]funnel.ImpactVerdict, len(changes))
	for i, at := range times {
		verdicts[i] = map[string]funnel.ImpactVerdict{}
		var lines []string
		for _, s := range cartImpact(sessions, at, demoNow) {
			key := string(s.Device) + ":" + s.To
			verdicts[i][key] = s.Verdict
			lines = append(lines, fmt.Sprintf("%-8s %-34s %4d/%4d → %4d/%4d %s", s.Device, s.Label,
				s.BeforeReached, s.BeforeEntering, s.AfterReached, s.AfterEntering, s.Verdict))
		}
		t.Logf("%s (%s):\n%s", changes[i].Description+changes[i].Theme, at.Format(time.RFC3339), strings.Join(lines, "\n"))
	}
	payment, completed := funnel.StagePaymentReached.Key(), funnel.StageCompleted.Key()

	// The price change did nothing: no step moved.
	if len(verdicts[0]) == 0 {
		t.Fatal("the price change has no steps")
	}
	for key, v := range verdicts[0] {
		if v != funnel.ImpactNoClearChange {
			t.Errorf("price change, %s: %s, want no clear change", key, v)
		}
	}
	// Shipping costs shown early: address → payment improved, nothing worse.
	if v := verdicts[1][":"+payment]; v != funnel.ImpactImproved {
		t.Errorf("shipping costs, address → payment: %s, want improved", v)
	}
	for key, v := range verdicts[1] {
		if v == funnel.ImpactWorse || (v == funnel.ImpactImproved && key != ":"+payment) {
			t.Errorf("shipping costs, %s: %s", key, v)
		}
	}
	// The new theme: payment → order worse on mobile, not on desktop.
	if v := verdicts[2][string(funnel.DeviceMobile)+":"+completed]; v != funnel.ImpactWorse {
		t.Errorf("new theme, mobile payment → order: %s, want worse", v)
	}
	if v := verdicts[2][string(funnel.DeviceDesktop)+":"+completed]; v != funnel.ImpactNoClearChange {
		t.Errorf("new theme, desktop payment → order: %s, want no clear change", v)
	}
	for key, v := range verdicts[2] {
		if v == funnel.ImpactImproved {
			t.Errorf("new theme, %s: improved", key)
		}
	}
}

// TestDemoChangesEffects: the demo's changes are where their effects
// are — the price change has none, and the other two change the step
// they name (for the theme, on mobile only) from their time on.
func TestDemoChangesEffects(t *testing.T) {
	t.Parallel()
	changes := demo.DemoChanges()
	if len(changes) != 3 || len(changes[0].Before)+len(changes[0].After) != 0 {
		t.Fatalf("want three changes, the first with no effect: %+v", changes)
	}
	if changes[2].Theme == "" || changes[2].Kind != funnel.ChangeThemePublished {
		t.Errorf("the newest change is not a published theme: %+v", changes[2])
	}
	want := []journeys.Effect{{Step: funnel.StagePaymentReached, Rate: 0.90}}
	if got := changes[1].After; len(got) != 1 || got[0] != want[0] {
		t.Errorf("shipping costs: %+v", got)
	}
	if e := changes[2].After; len(e) != 1 || e[0].Device != funnel.DeviceMobile || e[0].Step != funnel.StageCompleted || e[0].Factor >= 0.8 {
		t.Errorf("new theme: %+v", e)
	}
}

// TestScanDays: the scan days are 20:00 in the shop's zone of every day
// after the newest change, up to now; a change after 20:00 is first
// scanned the next evening; a history without changes has none.
func TestScanDays(t *testing.T) {
	t.Parallel()
	zone := time.FixedZone("UTC-5", -5*3600)
	now := time.Date(2026, 11, 24, 21, 0, 0, 0, zone) // an evening, after its 20:00
	mk := func(ago time.Duration) demo.History {
		return demo.History{Now: func() time.Time { return now }, Zone: zone, Changes: []demo.Change{
			{Ago: 10 * 24 * time.Hour, Kind: funnel.ChangePriceChanged}, {Ago: ago, Kind: funnel.ChangeThemePublished, Theme: "t"},
		}}
	}
	at := func(day int) time.Time { return time.Date(2026, 11, day, 20, 0, 0, 0, zone) }
	for _, c := range []struct {
		name string
		h    demo.History
		want []time.Time
	}{
		{"a change at noon three days ago", mk(3*24*time.Hour + 9*time.Hour), []time.Time{at(21), at(22), at(23), at(24)}},
		{"a change at 20:30 three days ago", mk(3*24*time.Hour + 30*time.Minute), []time.Time{at(22), at(23), at(24)}},
		{"a change this evening after 20:00", mk(30 * time.Minute), nil},
		{"no changes", demo.History{Now: func() time.Time { return now }}, nil},
	} {
		got := c.h.ScanDays()
		if len(got) != len(c.want) {
			t.Errorf("%s: %v, want %v", c.name, got, c.want)
			continue
		}
		for i := range got {
			if !got[i].Equal(c.want[i]) {
				t.Errorf("%s: %v, want %v", c.name, got, c.want)
				break
			}
		}
	}
}

// TestDemoCartVisitsOnTheShoppersDevice: with changes, every shopper has
// a device, and the pixel sees their visit on a browser of that kind, so
// that their session joins the device the effects were drawn for.
func TestDemoCartVisitsOnTheShoppersDevice(t *testing.T) {
	t.Parallel()
	h := demo.History{Shop: "demo.myshopify.com", Now: func() time.Time { return demoNow }, Seed: 2, Sessions: 600,
		Browsers: 1e-9, Changes: demo.DemoChanges()}
	kinds := map[funnel.Device]int{}
	for _, v := range h.Visits() {
		if v.Shopper == nil {
			t.Fatalf("visit %d of no cart shopper, with no browsers asked for", v.N)
		}
		if v.Shopper.Device == "" || v.Device.Kind != v.Shopper.Device {
			t.Fatalf("shopper %s on %q has a visit on %q", v.Shopper.Cart, v.Shopper.Device, v.Device.Kind)
		}
		kinds[v.Device.Kind]++
	}
	if len(kinds) != 3 || kinds[funnel.DeviceMobile] <= kinds[funnel.DeviceDesktop] {
		t.Errorf("cart visits by device %v, want all three, mostly mobile", kinds)
	}
}
