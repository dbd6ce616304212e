package funnel

import (
	"math"
	"testing"
	"time"
)

func TestStorefrontBenchmarksTable(t *testing.T) {
	// The published add-to-cart rate per session, per device (Dynamic
	// Yield): the two per-visit steps must multiply to it.
	published := map[Device]float64{"": 0.07, DeviceMobile: 0.065, DeviceTablet: 0.075, DeviceDesktop: 0.085}
	for d, want := range published {
		view, ok1 := StorefrontBenchmarkFor(StorefrontViewedProduct, PerVisit, d)
		add, ok2 := StorefrontBenchmarkFor(StorefrontAddedToCart, PerVisit, d)
		perView, ok3 := StorefrontBenchmarkFor(StorefrontAddedToCart, PerView, d)
		if !ok1 || !ok2 || !ok3 || view.Device != d || add.Device != d || perView.Device != d {
			t.Fatalf("device %q: missing rows", d)
		}
		if got := view.Typical * add.Typical; math.Abs(got-want) > 0.005 {
			t.Errorf("device %q: steps multiply to %.4f, published %.3f", d, got, want)
		}
		if perView.Typical >= add.Typical {
			t.Errorf("device %q: per view %.2f not below per visit %.2f (a visit views more than once)", d, perView.Typical, add.Typical)
		}
	}
	for _, b := range StorefrontBenchmarks() {
		if !(0 < b.Typical && b.Typical < b.Good && b.Good <= 1) || b.Source == "" || b.Hint == "" || b.To != b.From+1 {
			t.Errorf("bad row %+v", b)
		}
	}
	// Devices without a row of their own get the all-devices row.
	if b, ok := StorefrontBenchmarkFor(StorefrontAddedToCart, PerVisit, DeviceUnknown); !ok || b.Device != "" {
		t.Errorf("unknown device: %+v", b)
	}
	if _, ok := StorefrontBenchmarkFor(StorefrontCheckoutStarted, PerVisit, ""); ok {
		t.Error("a benchmark for a step the cart funnel judges")
	}
	// Mobile converts worse than desktop at the same step.
	m, _ := StorefrontBenchmarkFor(StorefrontAddedToCart, PerVisit, DeviceMobile)
	dt, _ := StorefrontBenchmarkFor(StorefrontAddedToCart, PerVisit, DeviceDesktop)
	if m.Typical >= dt.Typical {
		t.Error("mobile benchmark not below desktop")
	}
}

// storefrontOf builds a storefront report from the visits reaching each
// stage.
func storefrontOf(reach ...int64) StorefrontReport {
	var tally StorefrontTally
	for i := range reach {
		next := int64(0)
		if i+1 < len(reach) {
			next = reach[i+1]
		}
		tally.Furthest[i] = reach[i] - next
	}
	return BuildStorefrontReport(tally)
}

func TestRankStorefrontLeaks(t *testing.T) {
	for _, c := range []struct {
		name        string
		s           StorefrontReport
		device      Device
		wantBands   map[string]Verdict
		wantOpp     map[string]int64
		wantFirstTo string
	}{
		{
			// 10,000 visits, 2,000 view a product (20% < 42%), 400 add
			// (20% ≥ 17%, typical), 100 complete. View step: 10,000 ×
			// (0.42 − 0.2) × 100/2,000 × 50.00 = 110 orders' worth.
			name:      "weak product discovery",
			s:         storefrontOf(10000, 2000, 400, 300, 250, 220, 200, 150, 100),
			wantBands: map[string]Verdict{"viewed_product": VerdictBelow, "added_to_cart": VerdictTypical},
			wantOpp:   map[string]int64{"viewed_product": 10000 * 22 * 100 * 5000 / 2000 / 100, "added_to_cart": 0},
		},
		{
			// Product pages do not convert: 4,500 of 10,000 view (45%),
			// 225 add (5% < 17%). Add step: 4,500 × 0.12 × 90/225 × 50.00.
			name:      "weak product pages",
			s:         storefrontOf(10000, 4500, 225, 150, 140, 130, 120, 100, 90),
			wantBands: map[string]Verdict{"viewed_product": VerdictTypical, "added_to_cart": VerdictBelow},
			wantOpp:   map[string]int64{"viewed_product": 0, "added_to_cart": 4500 * 12 * 90 * 5000 / 225 / 100},
		},
		{
			// No add and no order. The add step has no visit at its end, so
			// the typical checkout prices it (never a division by zero); the
			// view step's own onward conversion is 0 of 100: nothing to gain,
			// as in the cart funnel's rule.
			name:      "nothing added",
			s:         storefrontOf(1000, 100, 0, 0, 0, 0, 0, 0, 0),
			wantBands: map[string]Verdict{"viewed_product": VerdictBelow, "added_to_cart": VerdictBelow},
			wantOpp:   map[string]int64{"viewed_product": 0, "added_to_cart": toMinor(100 * 0.17 * typicalCheckout() * 5000)},
		},
		{
			name:      "no visits",
			s:         storefrontOf(0, 0, 0, 0, 0, 0, 0, 0, 0),
			wantBands: map[string]Verdict{"viewed_product": VerdictTooFew, "added_to_cart": VerdictTooFew},
			wantOpp:   map[string]int64{"viewed_product": 0, "added_to_cart": 0},
		},
	} {
		leaks := RankStorefrontLeaks(c.s, c.device, 5000, 30*24*time.Hour)
		if len(leaks) != 2 {
			t.Fatalf("%s: %d leaks", c.name, len(leaks))
		}
		for _, l := range leaks {
			if l.Band != c.wantBands[l.To] {
				t.Errorf("%s: %s band %s, want %s", c.name, l.To, l.Band, c.wantBands[l.To])
			}
			if want, ok := c.wantOpp[l.To]; ok && math.Abs(float64(l.Opportunity-want)) > 1 {
				t.Errorf("%s: %s opportunity %d, want %d", c.name, l.To, l.Opportunity, want)
			}
			if l.Entering == 0 && l.Rate != nil {
				t.Errorf("%s: a rate from no visits", c.name)
			}
		}
		if leaks[0].Band == VerdictBelow && len(leaks) > 1 && leaks[1].Band == VerdictBelow && leaks[0].Opportunity < leaks[1].Opportunity {
			t.Errorf("%s: not largest first", c.name)
		}
	}
}

// TestRankWholeFunnel: storefront and cart steps are ranked together by
// the one rule, and without a storefront the ranking is the cart
// funnel's.
func TestRankWholeFunnel(t *testing.T) {
	var tally Tally
	// 1,000 carts, 300 checkouts (30% < 65%: a large leak), then typical.
	tally.Furthest[StageAddedToCart] = 700
	tally.Furthest[StageCheckoutStarted] = 30
	tally.Furthest[StageContactSubmitted] = 30
	tally.Furthest[StageAddressSubmitted] = 30
	tally.Furthest[StagePaymentReached] = 30
	tally.Furthest[StageCompleted] = 180
	tally.OrderValue = 180 * 5000
	r := BuildReport(tally)
	elapsed := 30 * 24 * time.Hour
	if got, want := RankWholeFunnel(r, nil, "", elapsed), RankLeaks(r, elapsed); len(got) != len(want) || got[0].To != want[0].To {
		t.Fatalf("without a storefront: %+v", got)
	}
	// The storefront's product discovery leaks more than the cart step.
	s := storefrontOf(100000, 10000, 1000, 300, 270, 250, 230, 200, 180)
	all := RankWholeFunnel(r, &s, "", elapsed)
	if len(all) != len(Benchmarks())+2 {
		t.Fatalf("%d leaks", len(all))
	}
	first := FixFirst(all)
	if len(first) < 2 || first[0].To != "viewed_product" || first[1].To != "checkout_started" {
		for _, l := range all {
			t.Logf("%s→%s %s %d", l.From, l.To, l.Band, l.Opportunity)
		}
		t.Fatal("not ranked by opportunity across the whole funnel")
	}
	for i := 1; i < len(first); i++ {
		if first[i].Opportunity > first[i-1].Opportunity {
			t.Error("what to fix first is not largest first")
		}
	}
}

func TestProductTable(t *testing.T) {
	rows := ProductTable([]ProductTally{
		{ProductID: "ok", Title: "Typical", Views: 2000, Adds: 360, Orders: 90, AddEvents: 400, AddValue: 400 * 3000},
		{ProductID: "weak", Title: "Weak", Views: 1000, Adds: 30, Orders: 10, AddEvents: 30, AddValue: 30 * 4000},
		{ProductID: "weaker", Title: "Weaker but cheap", Views: 1000, Adds: 20, Orders: 5, AddEvents: 20, AddValue: 20 * 500},
		{ProductID: "few", Title: "Few views", Views: 10, Adds: 0},
		{ProductID: "none", Title: "No views"},
	}, "", 0.3, 5000)
	order := []string{"weak", "weaker", "few", "ok", "none"}
	for i, id := range order {
		if rows[i].ProductID != id {
			t.Fatalf("order %v, want %v", ids(rows), order)
		}
	}
	weak := rows[0]
	// 1,000 × (0.17 − 0.03) × 0.3 × 40.00 = 1,680.00.
	if weak.Band != VerdictBelow || weak.Opportunity != 168000 || weak.Value != "1700.00" && weak.Value != "1680.00" {
		t.Errorf("weak %+v", weak)
	}
	if rows[2].Band != VerdictTooFew || rows[2].Opportunity != 0 || rows[4].AddRate != nil || rows[4].Value != "0.00" {
		t.Errorf("few/none %+v %+v", rows[2], rows[4])
	}
	// No add yet anywhere: the typical checkout rate prices it.
	if r := ProductTable([]ProductTally{{ProductID: "x", Views: 1000}}, "", -1, 5000)[0]; r.Opportunity <= 0 {
		t.Errorf("no add, no opportunity: %+v", r)
	}
}

func ids(rows []ProductRow) []string {
	out := make([]string, len(rows))
	for i, r := range rows {
		out[i] = r.ProductID
	}
	return out
}

func TestProductTalliesFromVisits(t *testing.T) {
	product := func(id string) func(*StorefrontEvent) {
		return func(e *StorefrontEvent) { e.ProductID, e.ProductTitle, e.Value, e.Quantity = id, "T"+id, 1000, 1 }
	}
	visits := Fold(nil, []StorefrontEvent{
		ev("1", 0, EventProductViewed, "/products/a", product("a")),
		ev("2", 1, EventProductViewed, "/products/a", product("a")),
		ev("3", 2, EventProductAddedToCart, "/products/a", product("a")),
		ev("4", 3, EventProductAddedToCart, "/collections/x", product("b")), // a quick add: counts as a view
		ev("5", 4, EventCheckoutCompleted, "/checkouts/cn/x"),
		ev("6", 100, EventProductViewed, "/products/a", product("a")), // a second visit
	})
	ts := ProductTallies{}
	for _, v := range visits {
		ts.Add(v)
	}
	rows := ts.Rows()
	want := []ProductTally{
		{ProductID: "a", Title: "Ta", Views: 2, Adds: 1, Orders: 1, ViewEvents: 3, AddEvents: 1, AddValue: 1000},
		{ProductID: "b", Title: "Tb", Views: 1, Adds: 1, Orders: 1, ViewEvents: 0, AddEvents: 1, AddValue: 1000},
	}
	if len(rows) != 2 || rows[0] != want[0] || rows[1] != want[1] {
		t.Errorf("tallies %+v, want %+v", rows, want)
	}
}
