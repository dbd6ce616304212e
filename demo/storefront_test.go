package demo_test

import (
	"bytes"
	"testing"
	"time"

	"github.com/funnelscope/funnelscope/app"
	"github.com/funnelscope/funnelscope/app/funnel"
	"github.com/funnelscope/funnelscope/demo"
	"github.com/funnelscope/funnelscope/demo/journeys"
	"github.com/funnelscope/funnelscope/shopify"
)

// storefrontStats is what the tests read of a storefront history: per
// device its visits and those that add to cart, and the shares and rates
// of the whole.
type storefrontStats struct {
	visits, events                       int
	byDevice, addsByDevice               map[funnel.Device]int
	homeLandings, productViewers, adders int
	productViews, productAdds            int
	homeViewers                          int
	micro                                map[string]int
}

func statsOf(t *testing.T, shop string, visits []journeys.Visit) storefrontStats {
	t.Helper()
	st := storefrontStats{byDevice: map[funnel.Device]int{}, addsByDevice: map[funnel.Device]int{}, micro: map[string]int{}}
	for _, v := range visits {
		st.visits++
		st.events += len(v.Events)
		var fv funnel.Visit
		// The visit's events are read in one batch, as the collector reads
		// them: one parse a visit, not one an event.
		body := []byte(`{"shop":"` + shop + `","key":"k","events":[`)
		for i, raw := range v.Render(shop) {
			if i > 0 {
				body = append(body, ',')
			}
			body = append(body, raw...)
		}
		b, err := shopify.ParseCollectBatch(append(body, "]}"...))
		if err != nil {
			t.Fatalf("visit %d: %v", v.N, err)
		}
		if len(b.Events) != len(v.Events) {
			t.Fatalf("visit %d: %d events read of %d", v.N, len(b.Events), len(v.Events))
		}
		for _, be := range b.Events {
			e := app.StorefrontEventOf(be)
			fv = funnel.MergeVisits(fv, funnel.VisitOf(e))
			switch e.Name {
			case funnel.EventProductViewed:
				st.productViews++
			case funnel.EventProductAddedToCart:
				st.productAdds++
			}
		}
		if fv.Device != v.Device.Kind {
			t.Fatalf("visit %d: device %s, the server reads %s", v.N, v.Device.Kind, fv.Device)
		}
		st.byDevice[fv.Device]++
		if fv.Landing == funnel.PageHome {
			st.homeLandings++
		}
		if fv.Reached(funnel.StorefrontViewedProduct) {
			st.productViewers++
		}
		if fv.Reached(funnel.StorefrontAddedToCart) {
			st.adders++
			st.addsByDevice[fv.Device]++
			if v.Shopper == nil {
				t.Fatalf("visit %d adds to cart with no cart shopper", v.N)
			}
		} else if v.Shopper != nil {
			t.Fatalf("visit %d of cart shopper %s does not add to cart", v.N, v.Shopper.Cart)
		}
		for _, pm := range funnel.PageMicros() {
			for _, m := range pm.Micro {
				if fv.Micro(m) {
					st.micro[string(m)]++
				}
			}
		}
		if fv.Viewed(funnel.PageHome) {
			st.homeViewers++
		}
	}
	return st
}

func TestStorefrontIsDeterministicAndPlausible(t *testing.T) {
	t.Parallel()
	h := demo.History{Shop: "demo.myshopify.com", Now: func() time.Time { return demoNow }, Seed: 3, Sessions: 200, Days: 90}
	a, b := h.Visits(), h.Visits()
	if len(a) != len(b) {
		t.Fatalf("two runs differ: %d vs %d visits", len(a), len(b))
	}
	for i := range a {
		ra, rb := a[i].Render(h.Shop), b[i].Render(h.Shop)
		if len(ra) != len(rb) {
			t.Fatalf("visit %d differs between runs", i)
		}
		for j := range ra {
			if !bytes.Equal(ra[j], rb[j]) {
				t.Fatalf("visit %d event %d differs between runs", i, j)
			}
		}
	}
	st := statsOf(t, h.Shop, a)
	share := func(n, of int) float64 { return float64(n) / float64(max(of, 1)) }
	t.Logf("%d visits, %d events; devices %v, adds %v; home landings %.2f; product viewers %.2f; adds per visit %.3f, per viewer %.3f, per view %.3f; micro %v",
		st.visits, st.events, st.byDevice, st.addsByDevice, share(st.homeLandings, st.visits), share(st.productViewers, st.visits),
		share(st.adders, st.visits), share(st.adders, st.productViewers), share(st.productAdds, st.productViews), st.micro)
	checks := []struct {
		name   string
		got    float64
		lo, hi float64
	}{
		{"mobile share of visits", share(st.byDevice[funnel.DeviceMobile], st.visits), 0.62, 0.72},
		{"tablet share of visits", share(st.byDevice[funnel.DeviceTablet], st.visits), 0.02, 0.07},
		{"home landings", share(st.homeLandings, st.visits), 0.5, 0.65},
		{"visits that add to cart", share(st.adders, st.visits), 0.04, 0.09},
		{"product viewers who add", share(st.adders, st.productViewers), 0.07, 0.13},
		{"product views followed by an add", share(st.adders, st.productViews), 0.04, 0.10},
		{"home viewers who scroll half", share(st.micro["scrolled_half"], st.homeViewers), 0.25, 0.55},
	}
	for _, c := range checks {
		if c.got < c.lo || c.got > c.hi {
			t.Errorf("%s %.3f, want %.2f–%.2f", c.name, c.got, c.lo, c.hi)
		}
	}
	mobile := share(st.addsByDevice[funnel.DeviceMobile], st.byDevice[funnel.DeviceMobile])
	desktop := share(st.addsByDevice[funnel.DeviceDesktop], st.byDevice[funnel.DeviceDesktop])
	if mobile >= desktop*0.8 {
		t.Errorf("mobile adds to cart in %.3f of visits, desktop in %.3f: mobile should convert clearly worse", mobile, desktop)
	}
	for _, pm := range funnel.PageMicros() {
		for _, m := range pm.Micro {
			if st.micro[string(m)] == 0 {
				t.Errorf("no visit made micro conversion %s", m)
			}
		}
	}
	// Batches stay within the pixel's limits and carry every event once.
	batches, err := h.Batches("key")
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	var last time.Time
	for i, bt := range batches {
		if len(bt.Body) > 64<<10 || bt.Events > shopify.MaxCollectEvents {
			t.Fatalf("batch %d: %d bytes, %d events", i, len(bt.Body), bt.Events)
		}
		if bt.At.Before(last) || bt.At.After(demoNow) {
			t.Fatalf("batch %d sent at %s, after %s", i, bt.At, last)
		}
		last = bt.At
		parsed, err := shopify.ParseCollectBatch(bt.Body)
		if err != nil {
			t.Fatalf("batch %d: %v", i, err)
		}
		for _, e := range parsed.Events {
			if e.Timestamp.After(bt.At) || bt.At.Sub(e.Timestamp) > 24*time.Hour {
				t.Fatalf("batch %d sent at %s holds an event of %s", i, bt.At, e.Timestamp)
			}
		}
		n += len(parsed.Events)
	}
	if n != st.events {
		t.Errorf("batches carry %d events, the visits %d", n, st.events)
	}
}

// TestPixelDaysKeepsTheLastDays checks that a pixel turned on PixelDays
// ago leaves out exactly the visits that started before then.
func TestPixelDaysKeepsTheLastDays(t *testing.T) {
	t.Parallel()
	h := demo.History{Shop: "demo.myshopify.com", Now: func() time.Time { return demoNow }, Seed: 3, Sessions: 400, Days: 90}
	all := h.Visits()
	h.PixelDays = 20
	since := demoNow.AddDate(0, 0, -20)
	var want int
	for _, v := range all {
		if !v.Events[0].At.Before(since) {
			want++
		}
	}
	got := h.Visits()
	if len(got) != want || want == 0 || want == len(all) {
		t.Fatalf("PixelDays 20 kept %d of %d visits, want %d (and some but not all)", len(got), len(all), want)
	}
	for _, v := range got {
		if v.Events[0].At.Before(since) {
			t.Fatalf("visit %s starts %s, before the pixel was on (%s)", v.ClientID, v.Events[0].At, since)
		}
	}
}
