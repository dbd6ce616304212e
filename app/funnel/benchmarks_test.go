package funnel

import (
	"math"
	"strings"
	"testing"
)

// reportOf builds the stage lines of a report from sessions per stage.
func reportOf(counts ...int64) []StageReport {
	var t Tally
	for i, n := range counts {
		next := int64(0)
		if i+1 < len(counts) {
			next = counts[i+1]
		}
		t.Furthest[Stage(i+1)] = n - next
	}
	return BuildReport(t).Stages
}

func TestBenchmarksTable(t *testing.T) {
	b := Benchmarks()
	if len(b) != len(Stages())-1 {
		t.Fatalf("%d benchmarks for %d transitions", len(b), len(Stages())-1)
	}
	checkout := 1.0
	for i, x := range b {
		if x.To != Stage(i+2) {
			t.Errorf("benchmark %d leads to %s", i, x.To)
		}
		if !(0 < x.Poor && x.Poor < x.Typical && x.Typical < x.Good && x.Good <= 1) {
			t.Errorf("%s: bands %v/%v/%v out of order", x.To, x.Poor, x.Typical, x.Good)
		}
		if x.Source == "" || x.Hint == "" {
			t.Errorf("%s: missing source or hint", x.To)
		}
		if x.To > StageCheckoutStarted {
			checkout *= x.Typical
		}
	}
	// The checkout steps together must match the published ~45% figure.
	if math.Abs(checkout-0.45) > 0.01 {
		t.Errorf("typical checkout steps multiply to %.3f, want about 0.45", checkout)
	}
}

func TestBandOf(t *testing.T) {
	b := Benchmark{Poor: 0.5, Typical: 0.65, Good: 0.75}
	for _, c := range []struct {
		rate *float64
		want Band
	}{{nil, BandUnknown}, {new(0.2), BandPoor}, {new(0.5), BandPoor}, {new(0.6), BandTypical}, {new(0.75), BandGood}, {new(1.0), BandGood}} {
		if got := b.BandOf(c.rate); got != c.want {
			t.Errorf("BandOf(%v) = %s, want %s", c.rate, got, c.want)
		}
	}
}

func TestRankLeaksOrdersByOpportunity(t *testing.T) {
	// Cart→checkout 40% (typical 65%), the checkout steps at or above typical
	// except payment→completed at 50% (typical 78%).
	stages := reportOf(1000, 400, 360, 320, 300, 150)
	leaks := RankLeaks(stages, 50_00)
	if len(leaks) != 5 {
		t.Fatalf("%d leaks", len(leaks))
	}
	// cart: 1000 × (0.65−0.40) × (150/400) × 50.00 = 4687.50
	// payment: 300 × (0.78−0.50) × 1 × 50.00 = 4200.00
	if leaks[0].To != "checkout_started" || leaks[0].Opportunity != 4687_50 || leaks[0].Value != "4687.50" {
		t.Errorf("first leak = %s %d, want checkout_started 468750", leaks[0].To, leaks[0].Opportunity)
	}
	if leaks[1].To != "completed" || leaks[1].Opportunity != 4200_00 {
		t.Errorf("second leak = %s %d, want completed 420000", leaks[1].To, leaks[1].Opportunity)
	}
	if leaks[0].Band != BandPoor || leaks[1].Band != BandPoor {
		t.Errorf("bands = %s, %s; want poor, poor", leaks[0].Band, leaks[1].Band)
	}
	for i := 1; i < len(leaks); i++ {
		if leaks[i].Opportunity > leaks[i-1].Opportunity {
			t.Errorf("leak %d (%d) larger than leak %d (%d)", i, leaks[i].Opportunity, i-1, leaks[i-1].Opportunity)
		}
	}
	// Steps above typical have no opportunity (floored at zero) and keep funnel order.
	for _, l := range leaks[2:] {
		if l.Opportunity != 0 {
			t.Errorf("%s: opportunity %d for a step at or above typical", l.To, l.Opportunity)
		}
	}
	if leaks[2].To != "contact_submitted" || leaks[3].To != "address_submitted" || leaks[4].To != "payment_reached" {
		t.Errorf("zero-opportunity leaks out of funnel order: %s %s %s", leaks[2].To, leaks[3].To, leaks[4].To)
	}
	if !strings.Contains(leaks[0].Label, "Added to cart") || leaks[0].Hint == "" {
		t.Errorf("leak label %q hint %q", leaks[0].Label, leaks[0].Hint)
	}
}

func TestRankLeaksZeroCompletionsAndEmpty(t *testing.T) {
	// No orders at all: downstream conversion is zero for every reached step,
	// except the last one, whose gap alone counts.
	leaks := RankLeaks(reportOf(100, 50, 0, 0, 0, 0), 20_00)
	for _, l := range leaks {
		if l.Rate != nil && (math.IsNaN(*l.Rate) || math.IsInf(*l.Rate, 0)) {
			t.Errorf("%s: rate %v", l.To, *l.Rate)
		}
	}
	// contact: 50 × 0.80 × (0.85·0.85·0.78 typical downstream) × 20.00 = 450.84
	if leaks[0].To != "contact_submitted" || leaks[0].Opportunity != 450_84 {
		t.Errorf("first leak = %s %d, want contact_submitted 45084", leaks[0].To, leaks[0].Opportunity)
	}
	for _, l := range leaks {
		if l.Entering == 0 && (l.Rate != nil || l.Band != BandUnknown || l.Opportunity != 0) {
			t.Errorf("%s: nothing entered but rate %v band %s opportunity %d", l.To, l.Rate, l.Band, l.Opportunity)
		}
	}
	for _, l := range RankLeaks(reportOf(0, 0, 0, 0, 0, 0), 20_00) {
		if l.Opportunity != 0 || l.Rate != nil || l.Value != "0.00" {
			t.Errorf("empty report: %+v", l)
		}
	}
	if l := RankLeaks(reportOf(100, 10, 10, 10, 10, 10), 0); l[0].Opportunity != 0 {
		t.Errorf("no order value known, yet opportunity %d", l[0].Opportunity)
	}
}
