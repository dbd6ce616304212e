package funnel

import (
	"math"
	"math/rand/v2"
	"strings"
	"testing"
	"time"
)

// reportOf builds a report from sessions per stage, priced at aov minor
// units per order.
func reportOf(aov int64, counts ...int64) Report {
	var t Tally
	for i, n := range counts {
		next := int64(0)
		if i+1 < len(counts) {
			next = counts[i+1]
		}
		t.Furthest[Stage(i+1)] = n - next
	}
	r := BuildReport(t)
	r.AverageOrderValue = FormatMoney(aov)
	return r
}

const days30 = 30 * 24 * time.Hour

func TestRankLeaksOrdersByOpportunity(t *testing.T) {
	// Cart→checkout 40% (typical 65%), the checkout steps about typical,
	// payment→completed at 50% (typical 78%).
	leaks := RankLeaks(reportOf(50_00, 1000, 400, 360, 320, 300, 150), days30)
	if len(leaks) != 5 {
		t.Fatalf("%d leaks", len(leaks))
	}
	// cart: 1000 × (0.65−0.40) × (150/400) × 50.00 = 4687.50, ± 568.27
	// (the interval [0.370, 0.431]): two significant figures, 4700.
	// payment: 300 × (0.78−0.50) × 1 × 50.00 = 4200.00, ± 843.31: 4200.
	if l := leaks[0]; l.To != "checkout_started" || l.Opportunity != 4687_50 || l.Value != "4700.00" || l.MonthlyValue != "4700.00" {
		t.Errorf("first leak = %s %d %s %s, want checkout_started 468750 4700.00 4700.00", l.To, l.Opportunity, l.Value, l.MonthlyValue)
	}
	if l := leaks[1]; l.To != "completed" || l.Opportunity != 4200_00 || l.Value != "4200.00" {
		t.Errorf("second leak = %s %d %s, want completed 420000 4200.00", l.To, l.Opportunity, l.Value)
	}
	if leaks[0].Band != VerdictBelow || leaks[1].Band != VerdictBelow {
		t.Errorf("bands = %s, %s; want below typical twice", leaks[0].Band, leaks[1].Band)
	}
	// The steps about typical have no opportunity and keep funnel order.
	for _, l := range leaks[2:] {
		if l.Band != VerdictTypical || l.Opportunity != 0 || l.Monthly != 0 || l.Value != "0.00" {
			t.Errorf("%s: %s, opportunity %d (%s), monthly %d", l.To, l.Band, l.Opportunity, l.Value, l.Monthly)
		}
	}
	if leaks[2].To != "contact_submitted" || leaks[3].To != "address_submitted" || leaks[4].To != "payment_reached" {
		t.Errorf("typical leaks out of funnel order: %s %s %s", leaks[2].To, leaks[3].To, leaks[4].To)
	}
	if l := leaks[0]; !strings.Contains(l.Label, "Added to cart") || l.Hint == "" || l.Entering != 1000 || l.Reached != 400 ||
		*l.Rate != 0.4 || math.Abs(*l.RateLow-0.3701) > 1e-4 || math.Abs(*l.RateHigh-0.4307) > 1e-4 {
		t.Errorf("first leak %+v", l)
	}
	if got := FixFirst(leaks); len(got) != 2 || got[0].To != "checkout_started" || got[1].To != "completed" {
		t.Errorf("FixFirst = %v", got)
	}
}

// TestRankLeaksMonthly scales the range's opportunity to 30 days by the
// range's elapsed length, a partial last day included.
func TestRankLeaksMonthly(t *testing.T) {
	r := reportOf(50_00, 1000, 400, 360, 320, 300, 150)
	for _, c := range []struct {
		elapsed time.Duration
		monthly int64
	}{
		{days30, 4700_00},
		// 29 days and 12 hours (the range ends today at noon):
		// 4687.50 × 30/29.5 = 4766.95 ± 577.88 → 4800.
		{29*24*time.Hour + 12*time.Hour, 4800_00},
		// 15 days: 9375.00 ± 1136.55, an uncertainty of more than a
		// thousand: one significant figure, 9000.
		{15 * 24 * time.Hour, 9000_00},
		// Nothing elapsed (a range that has not begun): no monthly figure.
		{0, 0},
	} {
		l := RankLeaks(r, c.elapsed)[0]
		if l.To != "checkout_started" || l.Monthly != c.monthly || l.MonthlyValue != FormatMoney(c.monthly) || l.Value != "4700.00" {
			t.Errorf("elapsed %s: %s monthly %d (%s), range %s; want %d", c.elapsed, l.To, l.Monthly, l.MonthlyValue, l.Value, c.monthly)
		}
	}
}

func TestRankLeaksZeroCompletionsAndEmpty(t *testing.T) {
	// No orders at all: downstream conversion is zero for every reached
	// step, except the one no session reached, priced at typical rates.
	leaks := RankLeaks(reportOf(20_00, 100, 50, 0, 0, 0, 0), days30)
	for _, l := range leaks {
		if l.Rate != nil && (math.IsNaN(*l.Rate) || math.IsInf(*l.Rate, 0)) {
			t.Errorf("%s: rate %v", l.To, *l.Rate)
		}
	}
	// contact: 50 × 0.80 × (0.85·0.85·0.78 typical downstream) × 20.00 =
	// 450.84 ± 20.10 → 450.
	if l := leaks[0]; l.To != "contact_submitted" || l.Opportunity != 450_84 || l.Value != "450.00" || l.Band != VerdictBelow {
		t.Errorf("first leak = %s %d %s %s, want contact_submitted 45084 450.00 below", l.To, l.Opportunity, l.Value, l.Band)
	}
	if l := leaks[1]; l.To != "checkout_started" || l.Band != VerdictBelow || l.Opportunity != 0 {
		t.Errorf("second leak = %s %s %d, want checkout_started below with no downstream orders", l.To, l.Band, l.Opportunity)
	}
	for _, l := range leaks {
		if l.Entering == 0 && (l.Rate != nil || l.RateLow != nil || l.Band != VerdictTooFew || l.Opportunity != 0) {
			t.Errorf("%s: nothing entered but rate %v band %s opportunity %d", l.To, l.Rate, l.Band, l.Opportunity)
		}
	}
	for _, l := range RankLeaks(reportOf(20_00, 0, 0, 0, 0, 0, 0), days30) {
		if l.Opportunity != 0 || l.Rate != nil || l.Value != "0.00" || l.Band != VerdictTooFew {
			t.Errorf("empty report: %+v", l)
		}
	}
	if l := RankLeaks(reportOf(0, 100, 10, 10, 10, 10, 10), days30); l[0].Band != VerdictBelow || l[0].Opportunity != 0 {
		t.Errorf("no order value known, yet opportunity %d", l[0].Opportunity)
	}
	// "Today" with 13 shoppers: no verdict on any step, nothing to fix.
	today := RankLeaks(reportOf(50_00, 13, 2, 2, 1, 1, 0), time.Hour)
	for _, l := range today {
		if l.Band != VerdictTooFew || l.Opportunity != 0 {
			t.Errorf("13 shoppers: %s judged %s, opportunity %d", l.To, l.Band, l.Opportunity)
		}
	}
	if f := FixFirst(today); len(f) != 0 {
		t.Errorf("13 shoppers: what to fix first lists %v", f)
	}
}

// TestFixFirstOnlyBelowTypical is the property that "what to fix first"
// and the verdicts never disagree: over random funnels, a step is listed
// exactly when Judge finds it below typical, and only listed steps carry
// an opportunity.
func TestFixFirstOnlyBelowTypical(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	bench := Benchmarks()
	for range 3000 {
		counts := make([]int64, 6)
		counts[0] = rng.Int64N(3000)
		for i := 1; i < 6; i++ {
			counts[i] = rng.Int64N(counts[i-1] + 1)
			if rng.IntN(2) == 0 { // often near a benchmark
				counts[i] = int64(float64(counts[i-1]) * (bench[i-1].Typical + (rng.Float64()-0.5)/10))
			}
		}
		elapsed := time.Duration(rng.Int64N(int64(90*24*time.Hour))) + time.Minute
		leaks := RankLeaks(reportOf(rng.Int64N(200_00), counts...), elapsed)
		listed := map[string]bool{}
		for _, l := range FixFirst(leaks) {
			listed[l.To] = true
		}
		for i, l := range leaks {
			b := bench[indexOf(l.To)]
			if l.Band != Judge(b, l.Entering, l.Reached) {
				t.Fatalf("%v: %s band %s, Judge says %s", counts, l.To, l.Band, Judge(b, l.Entering, l.Reached))
			}
			if listed[l.To] != (l.Band == VerdictBelow) {
				t.Fatalf("%v: %s is %s, listed %v", counts, l.To, l.Band, listed[l.To])
			}
			if l.Band != VerdictBelow && (l.Opportunity != 0 || l.Monthly != 0) {
				t.Fatalf("%v: %s is %s with an opportunity %d", counts, l.To, l.Band, l.Opportunity)
			}
			if i > 0 && leaks[i-1].Band != VerdictBelow && l.Band == VerdictBelow {
				t.Fatalf("%v: %s below typical ranked after a step that is not", counts, l.To)
			}
		}
	}
}

// indexOf is the position of a stage key among the transitions' targets.
func indexOf(key string) int {
	for i, st := range Stages() {
		if st.Key() == key {
			return i - 1
		}
	}
	return -1
}

func TestRoundEstimate(t *testing.T) {
	for _, c := range []struct{ x, u, want int64 }{
		{0, 0, 0},
		{-500, 0, 0},
		{1, 0, 1},
		{95, 0, 95},
		{995, 0, 1000},             // 9.95 → 10 (two figures, carried)
		{4650, 0, 4700},            // a half rounds up
		{4649, 0, 4600},            //
		{468750, 56827, 470000},    // 4,687.50 ± 568: two figures
		{468750, 99999, 470000},    // the uncertainty just under a unit of the first figure
		{468750, 100000, 500000},   // … and at it: one figure
		{449999, 100000, 400000},   //
		{450000, 100000, 500000},   //
		{9_000_000, 10, 9_000_000}, // already round
		{math.MaxInt64, 0, 9_200_000_000_000_000_000},
	} {
		if got := RoundEstimate(c.x, c.u); got != c.want {
			t.Errorf("RoundEstimate(%d, %d) = %d, want %d", c.x, c.u, got, c.want)
		}
	}
}
