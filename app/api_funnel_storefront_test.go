package app_test

import (
	"encoding/json"
	"math"
	"net/http"
	"reflect"
	"testing"
	"time"

	"github.com/funnelscope/funnelscope/app/funnel"
	"github.com/funnelscope/funnelscope/demo/journeys"
	"github.com/funnelscope/funnelscope/store"
)

// storefrontRange is the report range holding the fixtures' visits.
const storefrontRange = "from=2026-11-01&to=2026-11-30"

// desktopClient is the client of the second, desktop visit derived from
// the fixture (desktopVisit).
const desktopClient = "d7e2b4c1-0a9f-4e3b-8c6d-5f1a2b3c4d5e"

// desktopVisit is the fixture's visit up to its reviews, as another
// client would make it on a desktop browser: home page (scrolled half,
// menu link), collection (filtered, product opened), product page
// (gallery, reviews reached) and no add to cart.
func desktopVisit(t *testing.T, b fixtureBatch) []json.RawMessage {
	t.Helper()
	var out []json.RawMessage
	for _, raw := range b.Events {
		var e map[string]any
		if err := json.Unmarshal(raw, &e); err != nil {
			t.Fatal(err)
		}
		e["id"] = e["id"].(string) + "-desktop"
		e["clientId"] = desktopClient
		// DOM events (clicked, input_changed) carry no context.
		if ctx, ok := e["context"].(map[string]any); ok {
			if nav, ok := ctx["navigator"].(map[string]any); ok {
				nav["userAgent"] = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36"
			}
			if win, ok := ctx["window"].(map[string]any); ok {
				win["innerWidth"] = 1440
			}
		}
		out = append(out, must(json.Marshal(e)))
		if e["name"] == "funnelscope:reviews_reached" {
			return out
		}
	}
	t.Fatal("batch_visit.json has no funnelscope:reviews_reached")
	return nil
}

func must(b []byte, err error) json.RawMessage {
	if err != nil {
		panic(err)
	}
	return b
}

// postStorefrontVisits posts, through the real /collect, the fixture's
// whole mobile visit (home to completed order) and the desktop visit of
// desktopVisit to shop with key.
func (h *harness) postStorefrontVisits(shop, key string) {
	h.t.Helper()
	b := visitBatch(h.t)
	for _, events := range [][]json.RawMessage{b.Events, desktopVisit(h.t, b)} {
		if resp, body := h.collect(b.body(h.t, shop, key, events)); resp.StatusCode != http.StatusNoContent {
			h.t.Fatalf("POST /collect = %d %s", resp.StatusCode, body)
		}
	}
}

// deliverFixtureOrder delivers to shop, through the real webhooks, the
// cart, checkout and order of the fixture's mobile visit (its cart and
// checkout tokens), shipped to the US: the cart funnel's one session.
func (h *harness) deliverFixtureOrder(shop string) {
	h.t.Helper()
	s := journeys.Shopper{
		N: 1, Cart: "Z2NwLXVzLWVhc3QxOjAxSkREOVhRNVc0RzhZUDJNSzNWN1RBMVBI", Checkout: "8b5e2f7c1d9a4e6b3c0f5a7d2e9b4c1f",
		Email: "visit@example.com", Stop: funnel.StageCompleted, At: scenarioTimes(visitArrival.Add(-40 * time.Minute)),
		Items:  []journeys.Item{{Title: "Linen Shirt", Cents: 4800, Qty: 1}},
		Source: "web", Country: journeys.Country{Code: "US"},
	}
	for _, d := range deliveriesOf(h.t, s) {
		if resp, body := h.webhook(d.topic, shop, d.id, d.body); resp.StatusCode != http.StatusOK {
			h.t.Fatalf("%s %s: %d %s", d.topic, d.id, resp.StatusCode, body)
		}
	}
}

// sfStage is one stage of the storefront block as the JSON has it.
type sfStage struct {
	Key              string
	Label            string
	Sessions         int64
	RateFromPrevious *float64 `json:"rate_from_previous"`
	RateFromStart    *float64 `json:"rate_from_start"`
}

// sfBlock is the storefront block as the JSON has it.
type sfBlock struct {
	Visits int64
	Stages []sfStage
	Pages  []struct {
		Type   string
		Visits int64
		Micro  []struct {
			Key    string
			Visits int64
		}
	}
	ReviewsReachedNotAdded int64  `json:"reviews_reached_not_added"`
	ProductViews           int64  `json:"product_views"`
	ProductAdds            int64  `json:"product_adds"`
	BotVisits              int64  `json:"bot_visits"`
	FirstVisitDay          string `json:"first_visit_day"`
	Devices                []struct {
		Key, Label string
		Devices    []struct {
			Device, Label    string
			Sessions         int64
			RateFromPrevious *float64 `json:"rate_from_previous"`
			RateFromStart    *float64 `json:"rate_from_start"`
		}
	}
	Products []struct {
		ProductID   string `json:"product_id"`
		Title       string
		Views       int64
		Adds        int64
		Orders      int64
		AddRate     *float64 `json:"add_to_cart_rate"`
		Band        string
		Opportunity string
	}
}

// sfReport is what these tests read from /api/funnel.
type sfReport struct {
	Storefront        *sfBlock
	StorefrontUnknown string `json:"storefront_unknown"`
	Segments          []struct {
		Value             string
		Storefront        *sfBlock
		StorefrontUnknown string `json:"storefront_unknown"`
	}
}

func (h *harness) storefrontReport(shop, query string) sfReport {
	h.t.Helper()
	resp, body := h.api(http.MethodGet, "/api/funnel?"+query, shop, nil)
	if resp.StatusCode != http.StatusOK {
		h.t.Fatalf("/api/funnel?%s: %d %s", query, resp.StatusCode, body)
	}
	var r sfReport
	if err := json.Unmarshal(body, &r); err != nil {
		h.t.Fatal(err)
	}
	return r
}

// sameRate fails unless got is n/d, or null when d is 0.
func sameRate(t *testing.T, what string, got *float64, n, d int64) {
	t.Helper()
	switch {
	case d == 0 && got != nil:
		t.Errorf("%s = %v, want null", what, *got)
	case d != 0 && (got == nil || math.Abs(*got-float64(n)/float64(d)) > 1e-12):
		t.Errorf("%s = %v, want %d/%d", what, got, n, d)
	}
}

// TestAPIFunnelStorefront checks the storefront block of /api/funnel on
// both databases: null before the pixel's first event; after the mobile
// visit that orders and the desktop visit that reads the reviews and
// leaves (and the mobile visit's cart, checkout and order webhooks),
// every count and rate of the stages, pages, devices and products
// as the events imply; with segment=device the devices' visits add up to
// the whole; with segment=country every entry says why it has none.
func TestAPIFunnelStorefront(t *testing.T) {
	t.Parallel()
	forEachDialect(t, func(t *testing.T, st *store.Store) {
		h := newHarness(t, st)
		h.clock.Set(visitArrival)
		_, key := h.pixelShop(visitShop)
		if r := h.storefrontReport(visitShop, storefrontRange); r.Storefront != nil {
			t.Fatalf("storefront before any pixel event = %+v, want null", *r.Storefront)
		}
		h.postStorefrontVisits(visitShop, key)
		h.deliverFixtureOrder(visitShop)
		r := h.storefrontReport(visitShop, storefrontRange)
		sf := r.Storefront
		if sf == nil {
			t.Fatal("storefront is null after the pixel's events")
		}
		if sf.Visits != 2 || sf.BotVisits != 0 {
			t.Errorf("visits %d, bots %d; want 2 and 0", sf.Visits, sf.BotVisits)
		}
		checkStorefrontPrevious(t, h)
		// Both visits viewed a product; only the mobile one went on.
		stages := funnel.StorefrontStages()
		if len(sf.Stages) != len(stages) {
			t.Fatalf("%d stages, want %d", len(sf.Stages), len(stages))
		}
		reached := func(st funnel.StorefrontStage) int64 {
			if st <= funnel.StorefrontViewedProduct {
				return 2
			}
			return 1
		}
		for i, stage := range stages {
			got := sf.Stages[i]
			if got.Key != stage.Key() || got.Label != stage.Label() || got.Label == "" || got.Sessions != reached(stage) {
				t.Errorf("stage %d = %s %q %d, want %s %q %d", i, got.Key, got.Label, got.Sessions, stage.Key(), stage.Label(), reached(stage))
			}
			sameRate(t, "rate_from_start of "+got.Key, got.RateFromStart, reached(stage), 2)
			if i == 0 {
				if got.RateFromPrevious != nil {
					t.Errorf("rate_from_previous of the first stage = %v, want null", *got.RateFromPrevious)
				}
				continue
			}
			sameRate(t, "rate_from_previous of "+got.Key, got.RateFromPrevious, reached(stage), reached(stages[i-1]))
		}
		// Pages: both visits saw the home page, a collection and a product
		// page and made each micro conversion but the variant and the add.
		wantPages := map[string]int64{"home": 2, "collection": 2, "product": 2}
		wantMicro := map[string]int64{"scrolled_half": 2, "navigated": 2, "product_clicked": 2, "filtered": 2,
			"gallery": 2, "reviews_reached": 2, "variant_selected": 1, "added_to_cart": 1}
		var pm []string
		for _, p := range funnel.PageMicros() {
			pm = append(pm, string(p.Type))
			for _, m := range p.Micro {
				pm = append(pm, string(m))
			}
		}
		var gotPM []string
		for _, p := range sf.Pages {
			gotPM = append(gotPM, p.Type)
			if p.Visits != wantPages[p.Type] {
				t.Errorf("page %s: %d visits, want %d", p.Type, p.Visits, wantPages[p.Type])
			}
			for _, m := range p.Micro {
				gotPM = append(gotPM, m.Key)
				if m.Visits != wantMicro[m.Key] {
					t.Errorf("micro %s: %d visits, want %d", m.Key, m.Visits, wantMicro[m.Key])
				}
			}
		}
		if !reflect.DeepEqual(gotPM, pm) {
			t.Errorf("pages and micro conversions %v, want %v", gotPM, pm)
		}
		// The range begins Nov 1; the first visit on Nov 24, which the page
		// names as where the storefront's figures begin.
		if sf.FirstVisitDay != "2026-11-24" {
			t.Errorf("first_visit_day %q, want 2026-11-24", sf.FirstVisitDay)
		}
		if sf.ReviewsReachedNotAdded != 1 || sf.ProductViews != 2 || sf.ProductAdds != 1 {
			t.Errorf("reviews reached not added %d, product views %d, adds %d; want 1, 2, 1", sf.ReviewsReachedNotAdded, sf.ProductViews, sf.ProductAdds)
		}
		// Devices: mobile went all the way, desktop stopped at the product.
		perDevice := map[string]func(funnel.StorefrontStage) int64{
			"mobile": func(funnel.StorefrontStage) int64 { return 1 },
			"tablet": func(funnel.StorefrontStage) int64 { return 0 },
			"desktop": func(st funnel.StorefrontStage) int64 {
				if st <= funnel.StorefrontViewedProduct {
					return 1
				}
				return 0
			},
		}
		if len(sf.Devices) != len(stages) {
			t.Fatalf("%d device steps, want %d", len(sf.Devices), len(stages))
		}
		for i, step := range sf.Devices {
			if step.Key != stages[i].Key() || step.Label != stages[i].Label() {
				t.Errorf("device step %d = %s %q, want %s", i, step.Key, step.Label, stages[i].Key())
			}
			var devs []string
			for _, c := range step.Devices {
				devs = append(devs, c.Device)
				want := perDevice[c.Device](stages[i])
				if c.Sessions != want || c.Label != funnel.Device(c.Device).Label() {
					t.Errorf("%s at %s: %d visits, label %q; want %d", c.Device, step.Key, c.Sessions, c.Label, want)
				}
				sameRate(t, c.Device+" rate_from_start at "+step.Key, c.RateFromStart, want, perDevice[c.Device](stages[0]))
				if i > 0 {
					sameRate(t, c.Device+" rate_from_previous at "+step.Key, c.RateFromPrevious, want, perDevice[c.Device](stages[i-1]))
				}
			}
			if !reflect.DeepEqual(devs, []string{"mobile", "tablet", "desktop"}) {
				t.Errorf("devices at %s = %v, want mobile, tablet, desktop", step.Key, devs)
			}
		}
		// Products: the linen shirt, viewed in both visits, added and
		// ordered in one.
		if len(sf.Products) != 1 {
			t.Fatalf("products = %+v, want the linen shirt", sf.Products)
		}
		p := sf.Products[0]
		if p.ProductID != "8123456789012" || p.Title != "Linen Shirt" || p.Views != 2 || p.Adds != 1 || p.Orders != 1 {
			t.Errorf("product = %+v, want 8123456789012 Linen Shirt, 2 views, 1 add, 1 order", p)
		}
		sameRate(t, "add_to_cart_rate", p.AddRate, 1, 2)

		// segment=device: each device's block, adding up to the whole.
		bd := h.storefrontReport(visitShop, storefrontRange+"&segment=device")
		if bd.Storefront == nil || bd.Storefront.Visits != 2 {
			t.Fatalf("segment=device: storefront = %+v, want 2 visits", bd.Storefront)
		}
		sum := make([]int64, len(stages))
		seen := map[string]int64{}
		for _, s := range bd.Segments {
			if s.Storefront == nil {
				t.Errorf("segment=device: %s has no storefront block (%q)", s.Value, s.StorefrontUnknown)
				continue
			}
			seen[s.Value] = s.Storefront.Visits
			for i, stage := range s.Storefront.Stages {
				sum[i] += stage.Sessions
			}
		}
		if !reflect.DeepEqual(seen, map[string]int64{"mobile": 1, "desktop": 1}) {
			t.Errorf("segment=device: visits by device %v, want mobile 1, desktop 1", seen)
		}
		for i, stage := range bd.Storefront.Stages {
			if sum[i] != stage.Sessions {
				t.Errorf("segment=device: the devices' %s add up to %d, the whole has %d", stage.Key, sum[i], stage.Sessions)
			}
		}
		one := h.storefrontReport(visitShop, storefrontRange+"&segment=device&segment_value=desktop")
		if one.Storefront == nil || one.Storefront.Visits != 1 || one.Storefront.Stages[2].Sessions != 0 || one.StorefrontUnknown != "" {
			t.Errorf("segment_value=desktop: storefront %+v (%q), want the desktop visit alone", one.Storefront, one.StorefrontUnknown)
		}

		// segment=country: visits are not split by it.
		bc := h.storefrontReport(visitShop, storefrontRange+"&segment=country")
		if bc.Storefront == nil || bc.Storefront.Visits != 2 {
			t.Errorf("segment=country: storefront = %+v, want the whole's 2 visits", bc.Storefront)
		}
		if len(bc.Segments) == 0 {
			t.Errorf("segment=country: no segments")
		}
		for _, s := range bc.Segments {
			if s.Storefront != nil || s.StorefrontUnknown == "" {
				t.Errorf("segment=country: %s has storefront %+v, unknown %q; want none and why", s.Value, s.Storefront, s.StorefrontUnknown)
			}
		}
	})
}
