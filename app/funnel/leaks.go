package funnel

import (
	"math"
	"sort"
	"time"
)

// Month is the period "what to fix first" states its estimates for.
const Month = 30 * 24 * time.Hour

// Leak is one transition of the funnel judged against its benchmark, with
// the revenue a store would gain by bringing it up to typical.
type Leak struct {
	// From and To are the stage keys of the transition; Label names it.
	From  string `json:"from"`
	To    string `json:"to"`
	Label string `json:"label"`
	// Entering is how many sessions reached From, Reached how many of them
	// reached To.
	Entering int64 `json:"entering"`
	Reached  int64 `json:"reached"`
	// Rate is Reached over Entering, unrounded, and RateLow..RateHigh its
	// 95% Wilson interval; all nil when none entered.
	Rate     *float64 `json:"rate"`
	RateLow  *float64 `json:"rate_low"`
	RateHigh *float64 `json:"rate_high"`
	// Band is Judge's verdict on the step.
	Band    Verdict `json:"band"`
	Typical float64 `json:"benchmark_typical"`
	Good    float64 `json:"benchmark_good"`
	// Opportunity is, in minor units and for a step below typical only,
	// Entering × (Typical − Rate) × the conversion from To to a completed
	// order × the average order value: the orders a typical step would
	// have added in the range, priced, unrounded. Uncertainty is half the
	// spread of the same product at the two ends of the rate's interval.
	Opportunity int64 `json:"-"`
	Uncertainty int64 `json:"-"`
	// Value is Opportunity rounded by RoundEstimate; Monthly (and
	// MonthlyValue) the same per Month of the range's elapsed time,
	// rounded by RoundEstimate at that scale.
	Value        string `json:"opportunity"`
	Monthly      int64  `json:"-"`
	MonthlyValue string `json:"monthly_opportunity"`
	Hint         string `json:"hint"`
	Source       string `json:"source"`
}

// RankLeaks judges each transition of r against Benchmarks and returns
// them all: the steps below typical first, the largest opportunity first,
// then the others in funnel order. elapsed is how much of the report's
// date range has passed (it may end today, partway through the day); the
// monthly figures scale the range's by Month / elapsed, and are 0 when
// nothing has elapsed.
//
// A segment value's report (r.KnownFrom set) gets VerdictNotKnown, and no
// rate, on the steps into stages up to the one its attribute is known
// from.
//
// The conversion from To onward is the report's own when To has sessions,
// else the product of the typical rates of the later steps. The order
// value is r.AverageOrderValue. It never yields NaN: a step no session
// entered has nil rates, and only a step below typical has an opportunity.
func RankLeaks(r Report, elapsed time.Duration) []Leak {
	byKey := make(map[string]StageReport, len(r.Stages))
	for _, s := range r.Stages {
		byKey[s.Key] = s
	}
	aov, err := ParseMoney(r.AverageOrderValue)
	if err != nil {
		aov = 0
	}
	known, hidden := ParseStage(r.KnownFrom)
	bench := Benchmarks()
	completed := byKey[StageCompleted.Key()].Sessions
	leaks := make([]Leak, 0, len(bench))
	for i, b := range bench {
		from, to := b.To-1, b.To
		later := 1.0
		for _, l := range bench[i+1:] {
			later *= l.Typical
		}
		leaks = append(leaks, priceStep(step{
			from: from.Key(), to: to.Key(), label: from.Label() + " → " + to.Label(),
			entering: byKey[from.Key()].Sessions, reached: byKey[to.Key()].Sessions, completed: completed,
			laterTypical: later, hidden: hidden && to <= known,
		}, b, aov, elapsed))
	}
	sortLeaks(leaks)
	return leaks
}

// step is one transition of a funnel as priceStep judges it: its keys and
// label, the sessions (or visits) entering and reaching it, those
// completed at the end of the funnel, the product of the typical rates of
// the steps after it, and whether its rate is not known (a segment's step
// before its attribute is known).
type step struct {
	from, to, label              string
	entering, reached, completed int64
	laterTypical                 float64
	hidden                       bool
}

// priceStep judges one step against b and prices it: the one rule of
// "what to fix first", for the cart funnel's steps and the storefront's.
// The conversion from the step's end to an order is the funnel's own
// (completed over reached) when the step has reached sessions, else
// laterTypical; a step below typical is worth entering × (typical − rate)
// × that conversion × aov.
func priceStep(s step, b Benchmark, aov int64, elapsed time.Duration) Leak {
	l := Leak{
		From: s.from, To: s.to, Label: s.label,
		Entering: s.entering, Reached: s.reached, Band: Judge(b, s.entering, s.reached),
		Typical: b.Typical, Good: b.Good, Hint: b.Hint, Source: b.Source,
	}
	switch {
	case s.hidden:
		l.Band = VerdictNotKnown
	case s.entering > 0:
		lo, hi := Wilson(s.reached, s.entering)
		l.Rate, l.RateLow, l.RateHigh = rate(s.reached, s.entering), &lo, &hi
		if l.Band == VerdictBelow && aov > 0 {
			worth := s.worth(aov)
			l.Opportunity = toMinor(worth * (b.Typical - *l.Rate))
			l.Uncertainty = toMinor(worth * (hi - lo) / 2)
			if elapsed > 0 {
				scale := float64(Month) / float64(elapsed)
				l.Monthly = RoundEstimate(toMinor(float64(l.Opportunity)*scale), toMinor(float64(l.Uncertainty)*scale))
			}
		}
	}
	l.Value = FormatMoney(RoundEstimate(l.Opportunity, l.Uncertainty))
	l.MonthlyValue = FormatMoney(l.Monthly)
	return l
}

// worth is what one point of the step's rate is worth, per unit of rate
// and in minor units: the shoppers entering × the conversion from the
// step's end to an order (the funnel's own, completed over reached, when
// the step has reached sessions, else laterTypical) × aov. priceStep
// prices a leak and PriceImpact a change's effect with it.
func (s step) worth(aov int64) float64 {
	downstream := s.laterTypical
	if s.reached > 0 {
		downstream = float64(s.completed) / float64(s.reached)
	}
	return float64(s.entering) * downstream * float64(aov)
}

// sortLeaks puts the steps below typical first, the largest opportunity
// first, then the others in their order.
func sortLeaks(leaks []Leak) {
	sort.SliceStable(leaks, func(i, j int) bool {
		bi, bj := leaks[i].Band == VerdictBelow, leaks[j].Band == VerdictBelow
		if bi != bj {
			return bi
		}
		return leaks[i].Opportunity > leaks[j].Opportunity
	})
}

// FixFirst returns the leaks "what to fix first" lists: those below
// typical, in the order of leaks. It is the one place that rule lives.
func FixFirst(leaks []Leak) []Leak {
	var out []Leak
	for _, l := range leaks {
		if l.Band == VerdictBelow {
			out = append(out, l)
		}
	}
	return out
}

// toMinor rounds a non-negative amount of minor units to an int64,
// saturating instead of overflowing.
func toMinor(x float64) int64 {
	switch {
	case !(x > 0): // NaN too
		return 0
	case x >= math.MaxInt64:
		return math.MaxInt64
	}
	return int64(x + 0.5)
}

// RoundEstimate rounds the estimate x (minor units) to the precision its
// uncertainty u (half the width of its 95% range) supports: two
// significant figures, or one when u is at least a unit of the first
// figure (so 4,687.50 with u = 900.00 is 4,700.00, with u = 1,200.00 it is
// 5,000.00). Halves round up; x ≤ 0 is 0.
func RoundEstimate(x, u int64) int64 {
	if x <= 0 {
		return 0
	}
	first := int64(1) // the place value of x's first digit
	for first <= x/10 {
		first *= 10
	}
	unit := max(first/10, 1)
	if u >= first {
		unit = first
	}
	q, rem := x/unit, x%unit
	if rem*2 >= unit {
		q++
	}
	if q > math.MaxInt64/unit {
		return x
	}
	return q * unit
}
