package funnel

import (
	"encoding/json"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"
)

func f(v float64) *float64 { return &v }

func TestBuildReportDesignExample(t *testing.T) {
	// The counts of the design's example report (1,200 carts, 300 orders),
	// as furthest-stage counts.
	var tl Tally
	tl.Furthest = [StageCompleted + 1]int64{7, 600, 100, 80, 40, 80, 300}
	tl.Durations[StageCheckoutStarted] = []time.Duration{30 * time.Second, 10 * time.Second, 20 * time.Second}
	tl.Durations[StageCompleted] = []time.Duration{time.Minute, 3 * time.Minute}
	tl.Durations[StageAddedToCart] = []time.Duration{time.Hour} // no previous stage: ignored
	tl.AbandonedCarts, tl.CheckoutDropoffs, tl.PaymentDropoffs = 540, 140, 70
	tl.Active = [StageCompleted + 1]int64{3, 60, 2, 0, 0, 1, 0}
	tl.ValueAtRisk, tl.CartsAtRisk, tl.RecoveredValue, tl.Currency = 3125000, 18, 1999, "USD"
	tl.OrderValue, tl.UnorderedValue = 1500000, 999

	r := BuildReport(tl)
	// Rates are the plain quotients of the counts, not rounded; the
	// sessions between two stages split into dropped off and still active.
	want := []StageReport{
		{"added_to_cart", "Added to cart", 1200, nil, f(1), 0, 0, nil},
		{"checkout_started", "Started checkout", 600, f(0.5), f(0.5), 540, 60, f(20)},
		{"contact_submitted", "Gave contact info", 500, f(500.0 / 600), f(500.0 / 1200), 98, 2, nil},
		{"address_submitted", "Gave address", 420, f(420.0 / 500), f(420.0 / 1200), 80, 0, nil},
		{"payment_reached", "Reached payment", 380, f(380.0 / 420), f(380.0 / 1200), 40, 0, nil},
		{"completed", "Completed order", 300, f(300.0 / 380), f(300.0 / 1200), 79, 1, f(120)},
	}
	if !reflect.DeepEqual(r.Stages, want) {
		got, _ := json.Marshal(r.Stages)
		exp, _ := json.Marshal(want)
		t.Errorf("stages\n got %s\nwant %s", got, exp)
	}
	if r.AbandonedCarts != 540 || r.CheckoutDropoffs != 140 || r.PaymentDropoffs != 70 ||
		r.ValueAtRisk != "31250.00" || r.CartsAtRisk != 18 || r.ValueAtRiskWindowDays != 7 ||
		r.RecoveredValue != "19.99" || r.Currency != "USD" {
		t.Errorf("totals %+v", r)
	}
	// 15000.00 over 300 orders.
	if r.AverageOrderValue != "50.00" || r.AverageOrderValueBasis != AOVFromOrders {
		t.Errorf("average order value %s (%s), want 50.00 from orders", r.AverageOrderValue, r.AverageOrderValueBasis)
	}
}

// TestAverageOrderValue checks what prices an order: order revenue over
// orders, else the carts' average value, else nothing.
func TestAverageOrderValue(t *testing.T) {
	for _, c := range []struct {
		name        string
		furthest    [StageCompleted + 1]int64
		orderValue  int64
		unordered   int64
		want, basis string
	}{
		{"orders", [StageCompleted + 1]int64{0, 10, 0, 0, 0, 0, 3}, 100_00, 999_99, "33.33", AOVFromOrders},
		{"half up", [StageCompleted + 1]int64{0, 0, 0, 0, 0, 0, 2}, 1, 0, "0.01", AOVFromOrders},
		{"no order: the carts' average", [StageCompleted + 1]int64{5, 30, 10, 0, 0, 0, 0}, 0, 1000_00, "25.00", AOVFromCarts},
		{"nothing", [StageCompleted + 1]int64{5, 0, 0, 0, 0, 0, 0}, 0, 0, "0.00", AOVNone},
	} {
		r := BuildReport(Tally{Furthest: c.furthest, OrderValue: c.orderValue, UnorderedValue: c.unordered})
		if r.AverageOrderValue != c.want || r.AverageOrderValueBasis != c.basis {
			t.Errorf("%s: %s (%s), want %s (%s)", c.name, r.AverageOrderValue, r.AverageOrderValueBasis, c.want, c.basis)
		}
	}
}

// TestPercent checks the one rounding of a rate of counts: once, from the
// counts, half up.
func TestPercent(t *testing.T) {
	for _, c := range []struct {
		n, d int64
		want string
	}{
		{298, 1310, "22.7%"}, // 22.748…%: rounding 0.2275 again would say 22.8%
		{1, 16, "6.3%"},      // exactly 6.25%: half up (a float would make it 6.2%)
		{1, 2000, "0.1%"},    // exactly 0.05%
		{1, 3, "33.3%"},
		{2, 3, "66.7%"},
		{0, 5, "0.0%"},
		{5, 5, "100.0%"},
		{0, 0, "—"},
		{3, 0, "—"},
		{-1, 5, "—"},
		{1e16, 3e16, "33.3%"},
	} {
		if got := Percent(c.n, c.d); got != c.want {
			t.Errorf("Percent(%d, %d) = %q, want %q", c.n, c.d, got, c.want)
		}
	}
	// The JSON's rate is the unrounded quotient, so a client rounding it
	// once gets the same as Percent.
	r := BuildReport(Tally{Furthest: [StageCompleted + 1]int64{0, 1012, 0, 0, 0, 0, 298}})
	if got := *r.Stages[5].RateFromStart; got != 298.0/1310 {
		t.Errorf("rate_from_start = %v, want 298/1310 unrounded", got)
	}
}

func TestBuildReportZeroes(t *testing.T) {
	t.Run("no sessions", func(t *testing.T) {
		r := BuildReport(Tally{})
		if len(r.Stages) != 6 {
			t.Fatalf("%d stages", len(r.Stages))
		}
		for _, s := range r.Stages {
			if s.Sessions != 0 || s.RateFromPrevious != nil || s.RateFromStart != nil || s.DropoffFromPrevious != 0 || s.MedianSecondsFromPrevious != nil {
				t.Errorf("%s: %+v", s.Key, s)
			}
		}
		if r.ValueAtRisk != "0.00" || r.RecoveredValue != "0.00" {
			t.Errorf("money %q %q", r.ValueAtRisk, r.RecoveredValue)
		}
		b, err := json.Marshal(r)
		if err != nil || !strings.Contains(string(b), `"rate_from_previous":null`) || !strings.Contains(string(b), `"rate_from_start":null`) {
			t.Errorf("json %s, %v", b, err)
		}
	})
	t.Run("carts but no checkouts or completions", func(t *testing.T) {
		var tl Tally
		tl.Furthest[StageAddedToCart] = 3
		r := BuildReport(tl)
		if s := r.Stages[0]; s.Sessions != 3 || *s.RateFromStart != 1 || s.RateFromPrevious != nil {
			t.Errorf("first %+v", s)
		}
		if s := r.Stages[1]; s.Sessions != 0 || *s.RateFromPrevious != 0 || *s.RateFromStart != 0 || s.DropoffFromPrevious != 3 {
			t.Errorf("second %+v", s)
		}
		for _, s := range r.Stages[2:] {
			if s.RateFromPrevious != nil || s.RateFromStart == nil || *s.RateFromStart != 0 || s.DropoffFromPrevious != 0 {
				t.Errorf("%s: %+v", s.Key, s)
			}
		}
		if _, err := json.Marshal(r); err != nil {
			t.Error(err)
		}
	})
	t.Run("orders only", func(t *testing.T) {
		var tl Tally
		tl.Furthest[StageCompleted] = 2
		tl.Furthest[StageNone] = 9
		for _, s := range BuildReport(tl).Stages {
			if s.Sessions != 2 || *s.RateFromStart != 1 || (s.Key != "added_to_cart" && *s.RateFromPrevious != 1) {
				t.Errorf("%s: %+v", s.Key, s)
			}
		}
	})
}

func TestMedian(t *testing.T) {
	tests := []struct {
		in   []time.Duration
		want *float64
	}{
		{nil, nil},
		{[]time.Duration{}, nil},
		{[]time.Duration{1500 * time.Millisecond}, f(1.5)},
		{[]time.Duration{3 * time.Second, time.Second, 2 * time.Second}, f(2)},
		{[]time.Duration{4 * time.Second, time.Second, 3 * time.Second, 2 * time.Second}, f(2.5)},
		{[]time.Duration{0, 0}, f(0)},
		{[]time.Duration{1<<63 - 1, 1<<63 - 1}, f(time.Duration(1<<63 - 1).Seconds())},
	}
	for _, tt := range tests {
		in := slices.Clone(tt.in)
		got := Median(in)
		if !reflect.DeepEqual(got, tt.want) {
			t.Errorf("Median(%v) = %v, want %v", tt.in, deref(got), deref(tt.want))
		}
		if !slices.Equal(in, tt.in) {
			t.Errorf("Median reordered its argument: %v", in)
		}
	}
}

func deref(p *float64) any {
	if p == nil {
		return nil
	}
	return *p
}

func TestTallyAdd(t *testing.T) {
	const idle = time.Hour
	now := t0.Add(24 * time.Hour)
	fresh := now.Add(-time.Minute)
	sessions := []Session{
		// abandoned cart
		{LastActivity: t0, AddedToCartAt: ptr(t0), Value: 1000, Currency: "USD"},
		// checkout drop-off, 90s from cart to checkout
		{LastActivity: t1, AddedToCartAt: ptr(t0), CheckoutStartedAt: ptr(t0.Add(90 * time.Second)), ContactSubmittedAt: ptr(t1), Value: 2000, Currency: "USD"},
		// payment drop-off with a gap at address: no contact→address or address→payment duration
		{LastActivity: t1, CheckoutStartedAt: ptr(t0), ContactSubmittedAt: ptr(t0), PaymentReachedAt: ptr(t1), Value: 4000, Currency: "USD"},
		// still active at payment
		{LastActivity: fresh, PaymentReachedAt: ptr(fresh), Value: 8000, Currency: "USD"},
		// a cart abandoned 7 days before now (idle for the threshold plus
		// RecoverWindow): an abandoned cart, no longer at risk
		{LastActivity: now.Add(-idle - RecoverWindow), AddedToCartAt: ptr(now.Add(-9 * 24 * time.Hour)), Value: 64000, Currency: "USD"},
		// a microsecond later: still at risk
		{LastActivity: now.Add(-idle - RecoverWindow + time.Microsecond), AddedToCartAt: ptr(now.Add(-9 * 24 * time.Hour)), Value: 128000, Currency: "USD"},
		// completed, backfilled, never flagged
		{LastActivity: t2, CompletedAt: ptr(t2), Value: 16000, Currency: "USD"},
		// recovered; times out of step count as a zero gap
		{LastActivity: t2, AddedToCartAt: ptr(t2), CheckoutStartedAt: ptr(t1), CompletedAt: ptr(t2), AbandonedAt: ptr(t1), Value: 32000, Currency: "EUR"},
		// empty cart
		{LastActivity: t0},
	}
	var tl Tally
	for _, s := range sessions {
		tl.Add(s, now, idle)
	}
	want := Tally{
		Furthest:         [StageCompleted + 1]int64{1, 3, 0, 1, 0, 2, 2},
		Active:           [StageCompleted + 1]int64{0, 0, 0, 0, 0, 1, 0},
		AbandonedCarts:   3,
		CheckoutDropoffs: 1,
		PaymentDropoffs:  1,
		CartsAtRisk:      4,
		ValueAtRisk:      1000 + 2000 + 4000 + 128000,
		UnorderedValue:   1000 + 2000 + 4000 + 8000 + 64000 + 128000,
		RecoveredValue:   32000,
		OrderValue:       16000 + 32000,
		Currency:         "EUR",
	}
	want.Durations[StageCheckoutStarted] = []time.Duration{90 * time.Second, 0}
	want.Durations[StageContactSubmitted] = []time.Duration{t1.Sub(t0.Add(90 * time.Second)), 0}
	if !reflect.DeepEqual(tl, want) {
		t.Errorf("tally\n got %+v\nwant %+v", tl, want)
	}

	// Folding in another order gives the same report.
	var rev Tally
	for _, s := range slices.Backward(sessions) {
		rev.Add(s, now, idle)
	}
	if !reflect.DeepEqual(BuildReport(rev), BuildReport(tl)) {
		t.Error("report depends on fold order")
	}
}
