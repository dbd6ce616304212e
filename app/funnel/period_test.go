package funnel

import (
	"math"
	"math/rand/v2"
	"testing"
	"time"
)

const day = 24 * time.Hour

// span24 is two whole periods of 24 days, the previous one in the data.
var span24 = PeriodSpan{Days: 24, Current: 24 * day, Previous: 24 * day, HasPrevious: true}

func TestDayRangePrevious(t *testing.T) {
	ny, _ := time.LoadLocation("America/New_York")
	r := NewDayRange(time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC), time.Date(2026, 11, 24, 0, 0, 0, 0, time.UTC), ny)
	p := r.Previous()
	if got := p.Start().Format("2006-01-02") + ".." + p.Last().Format("2006-01-02"); got != "2026-10-08..2026-10-31" {
		t.Errorf("previous of 2026-11-01..24 = %s, want 2026-10-08..2026-10-31", got)
	}
	if p.Len() != 24 || !p.End().Equal(r.Start()) || p.Location() != ny {
		t.Errorf("previous = %d days ending %v in %v, want 24 days ending at %v in New York", p.Len(), p.End(), p.Location(), r.Start())
	}
}

// exactBinomialTail is the two-sided exact binomial test of k of n at p
// (the sum of the probabilities of every outcome no likelier than k), the
// test's own reference for the score test countChange uses.
func exactBinomialTail(k, n int64, p float64) float64 {
	logPMF := func(i int64) float64 {
		a, _ := math.Lgamma(float64(n + 1))
		b, _ := math.Lgamma(float64(i + 1))
		c, _ := math.Lgamma(float64(n - i + 1))
		return a - b - c + float64(i)*math.Log(p) + float64(n-i)*math.Log1p(-p)
	}
	at := logPMF(k)
	var sum float64
	for i := int64(0); i <= n; i++ {
		if l := logPMF(i); l <= at+1e-9 {
			sum += math.Exp(l)
		}
	}
	return min(sum, 1)
}

// TestCountChange checks counts against independently computed values:
// the ratio's interval against the textbook log-normal interval of a rate
// ratio (Rothman, Modern Epidemiology: exp(ln RR ± 1.96·√(1/a + 1/b))),
// which differs from the Wilson-based one by a few hundredths at these
// counts; the tail against the exact binomial test summed here.
func TestCountChange(t *testing.T) {
	half := PeriodSpan{Days: 24, Current: 12 * day, Previous: 24 * day, HasPrevious: true}
	tests := []struct {
		name      string
		cur, prev int64
		span      PeriodSpan
		enough    bool
	}{
		{"half as many again", 150, 100, span24, true},
		{"equal", 200, 200, span24, true},
		{"a small shop", 3, 1, span24, false},
		{"fewer", 80, 120, span24, true},
		{"half the period passed", 100, 100, half, true},
		{"from none", 40, 0, span24, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f := countChange(tc.cur, tc.prev, tc.span)
			if f.EnoughShoppers != tc.enough {
				t.Fatalf("enough shoppers = %v, want %v", f.EnoughShoppers, tc.enough)
			}
			share := tc.span.Current.Hours() / (tc.span.Current.Hours() + tc.span.Previous.Hours())
			if tc.prev > 0 {
				rr := float64(tc.cur) / float64(tc.prev) * tc.span.Previous.Hours() / tc.span.Current.Hours()
				if math.Abs(*f.Ratio-rr) > 1e-12 {
					t.Errorf("ratio = %v, want %v", *f.Ratio, rr)
				}
				if tc.cur > 0 && tc.enough {
					se := math.Sqrt(1/float64(tc.cur) + 1/float64(tc.prev))
					lo, hi := rr*math.Exp(-1.96*se), rr*math.Exp(1.96*se)
					if math.Abs(*f.RatioLow-lo) > 0.03*rr || f.RatioHigh == nil || math.Abs(*f.RatioHigh-hi) > 0.03*rr {
						t.Errorf("ratio interval = %v..%v, want about %v..%v", *f.RatioLow, ptrOr(f.RatioHigh), lo, hi)
					}
				}
			} else if f.Ratio != nil {
				t.Errorf("ratio from none = %v, want null", *f.Ratio)
			}
			if !tc.enough {
				return
			}
			exact := exactBinomialTail(tc.cur, tc.cur+tc.prev, share)
			// The score test's normal tail is within a few tenths of a
			// point of the exact one at these counts, and on the same
			// side of 5%.
			if math.Abs(f.tail-exact) > 0.01 || (f.tail < 0.05) != (exact < 0.05) {
				t.Errorf("tail = %.5f, exact binomial %.5f", f.tail, exact)
			}
		})
	}
}

func ptrOr(p *float64) float64 {
	if p == nil {
		return math.Inf(1)
	}
	return *p
}

// tallyOfReached makes a cart tally from the sessions reaching each stage.
func tallyOfReached(reached ...int64) Tally {
	var t Tally
	for i, n := range reached {
		next := int64(0)
		if i+1 < len(reached) {
			next = reached[i+1]
		}
		t.Furthest[StageAddedToCart+Stage(i)] = n - next
	}
	return t
}

func TestCompareCartPeriods(t *testing.T) {
	// 600 carts in each period; checkout 300 → 360: the two-proportion z
	// test (pooled 0.55, SE √(0.55·0.45·2/600) = 0.0287, z = 3.48, p ≈
	// 0.0005) calls that a difference; the later steps are the same.
	prev := tallyOfReached(600, 300, 250, 200, 180, 150)
	cur := tallyOfReached(600, 360, 250, 200, 180, 150)
	prev.AbandonedCarts, cur.AbandonedCarts = 300, 240
	prev.OrderValue, cur.OrderValue, prev.Currency = 1500000, 1500000, "USD"
	c := CompareCartPeriods(cur, prev, span24, StageAddedToCart)
	checkout := c.Stages[1].RateFromPrevious
	if c.Stages[0].RateFromPrevious != nil {
		t.Errorf("the first stage has a step comparison: %+v", c.Stages[0].RateFromPrevious)
	}
	if checkout.Verdict != PeriodChanged || checkout.Direction != PeriodUp || checkout.Text != "up 10.0 points vs the previous 24 days" {
		t.Errorf("checkout step = %s %s %q, want changed, up 10.0 points", checkout.Verdict, checkout.Direction, checkout.Text)
	}
	if *checkout.PreviousRate != 0.5 || math.Abs(*checkout.Difference-0.1) > 1e-12 || *checkout.DifferenceLow <= 0 {
		t.Errorf("checkout step rate %v, difference %v from %v, want 0.5, 0.1 from above 0", *checkout.PreviousRate, *checkout.Difference, *checkout.DifferenceLow)
	}
	// 250 of 360 against 250 of 300: fewer continue, by 14 points.
	if contact := c.Stages[2].RateFromPrevious; contact.Direction != PeriodDown {
		t.Errorf("contact step = %s %q, want down", contact.Verdict, contact.Text)
	}
	for _, k := range []string{SummaryCarts, SummaryOrders, SummaryConversion} {
		if f := c.Summary[k]; f.Verdict != PeriodNoClearChange || f.Direction != PeriodFlat || f.Text != "no clear change vs the previous 24 days" {
			t.Errorf("%s = %s %s %q, want no clear change", k, f.Verdict, f.Direction, f.Text)
		}
	}
	// 240 against 300 abandoned carts: score z = −2.59, p ≈ 0.0096,
	// below the false-discovery line for its rank.
	if f := c.Summary[SummaryAbandonedCarts]; f.Direction != PeriodDown || f.Text != "down 20% vs the previous 24 days" {
		t.Errorf("abandoned carts = %s %s %q, want down 20%%", f.Verdict, f.Direction, f.Text)
	}
	if f := c.Summary[SummaryOrderValue]; f.Direction != PeriodFlat || f.DifferenceAmount != "0.00" || f.Text != "no clear change (+$0.00 vs the previous 24 days)" {
		t.Errorf("order value = %+v", f)
	}
	if f := c.Summary[SummaryValueAtRisk]; f.Verdict != PeriodNotCompared || f.Direction != PeriodFlat {
		t.Errorf("value at risk = %+v, want not compared", f)
	}
	if f := c.Summary[SummaryRecoveredValue]; f.Verdict != PeriodNotTested || f.Direction != PeriodFlat {
		t.Errorf("recovered value = %+v, want not tested", f)
	}
}

func TestCompareCartPeriodsSmallAndUnknown(t *testing.T) {
	// 15 of 30 against 18 of 30 (z test p ≈ 0.44) has the shoppers and no
	// clear change; 10 carts are too few for any step.
	c := CompareCartPeriods(tallyOfReached(30, 18), tallyOfReached(30, 15), span24, StageAddedToCart)
	if f := c.Stages[1].RateFromPrevious; f.Verdict != PeriodNoClearChange || !f.EnoughShoppers {
		t.Errorf("15/30 vs 18/30 = %s (enough %v), want no clear change", f.Verdict, f.EnoughShoppers)
	}
	c = CompareCartPeriods(tallyOfReached(10, 9), tallyOfReached(10, 1), span24, StageAddedToCart)
	if f := c.Stages[1].RateFromPrevious; f.Verdict != PeriodTooFew || f.Direction != PeriodFlat || f.Text != "too few shoppers to compare with the previous 24 days" {
		t.Errorf("10 carts = %s %s %q, want too few", f.Verdict, f.Direction, f.Text)
	}
	// A segment known from the address step: no comparison of the rates
	// the report does not show.
	c = CompareCartPeriods(tallyOfReached(600, 360, 250, 200), tallyOfReached(600, 300, 250, 200), span24, StageAddressSubmitted)
	for i, s := range c.Stages {
		if (s.RateFromPrevious != nil) != (i > int(StageAddressSubmitted-StageAddedToCart)) {
			t.Errorf("stage %s compared: %v", s.Key, s.RateFromPrevious != nil)
		}
	}
	if _, ok := c.Summary[SummaryConversion]; ok {
		t.Error("cart to order compared for a segment known from the address step")
	}
}

func TestCompareCartPeriodsNoHistory(t *testing.T) {
	span := span24
	span.HasPrevious = false
	c := CompareCartPeriods(tallyOfReached(600, 360), Tally{}, span, StageAddedToCart)
	figs := []FigureChange{*c.Stages[1].RateFromPrevious, c.Summary[SummaryCarts], c.Summary[SummaryOrderValue], c.Summary[SummaryConversion]}
	for _, f := range figs {
		if f.Verdict != PeriodNoHistory || f.Direction != PeriodFlat || f.Ratio != nil || f.Previous != nil || f.Text != "no data for the whole previous 24 days to compare with" {
			t.Errorf("%s without a previous period = %+v, want no previous data and nothing else", f.Kind, f)
		}
	}
}

func TestCompareCountPerDay(t *testing.T) {
	// Half the current period has passed: 100 visits in 12 days against
	// 100 in 24 is twice as many a day.
	half := PeriodSpan{Days: 24, Current: 12 * day, Previous: 24 * day, HasPrevious: true}
	var cur, prev StorefrontTally
	cur.Furthest[StorefrontVisited], prev.Furthest[StorefrontVisited] = 100, 100
	f := CompareStorefrontPeriods(cur, prev, half).Summary[SummaryVisits]
	if f.Direction != PeriodUp || f.Text != "up 100% per day vs the previous 24 days" {
		t.Errorf("visits = %s %s %q, want up 100%% per day", f.Verdict, f.Direction, f.Text)
	}
}

// TestIdenticalPeriodsNoArrow is the property that two periods with the
// same figures, of the same length, never get an arrow, whatever the
// figures (random tallies from tiny to huge).
func TestIdenticalPeriodsNoArrow(t *testing.T) {
	rng := rand.New(rand.NewPCG(15, 1))
	for i := range 2000 {
		scale := []int64{3, 40, 1000, 1e6}[i%4]
		var ct Tally
		for st := range ct.Furthest {
			ct.Furthest[st] = rng.Int64N(scale + 1)
		}
		ct.AbandonedCarts, ct.CheckoutDropoffs, ct.PaymentDropoffs = rng.Int64N(scale+1), rng.Int64N(scale+1), rng.Int64N(scale+1)
		ct.OrderValue, ct.RecoveredValue = rng.Int64N(1e9), rng.Int64N(1e9)
		var sf StorefrontTally
		for st := range sf.Furthest {
			sf.Furthest[st] = rng.Int64N(scale + 1)
		}
		days := 1 + rng.IntN(90)
		span := PeriodSpan{Days: days, Current: time.Duration(days) * day, Previous: time.Duration(days) * day, HasPrevious: true}
		c, s := CompareCartPeriods(ct, ct, span, StageAddedToCart), CompareStorefrontPeriods(sf, sf, span)
		for _, cmp := range []PeriodComparison{c, s} {
			for _, st := range cmp.Stages {
				if f := st.RateFromPrevious; f != nil && (f.Direction != PeriodFlat || f.Verdict == PeriodChanged) {
					t.Fatalf("case %d: identical step %s got %s %s", i, st.Key, f.Verdict, f.Direction)
				}
			}
			for k, f := range cmp.Summary {
				if f.Direction != PeriodFlat || f.Verdict == PeriodChanged {
					t.Fatalf("case %d: identical %s got %s %s", i, k, f.Verdict, f.Direction)
				}
			}
		}
	}
}
