package funnel

import "sort"

// Benchmark is the band of step conversion (sessions that reach To over
// sessions that reached the stage before it) that ecommerce stores
// commonly see for one transition. Rates at or below Poor are poor, at or
// above Good are good, and anything between is typical. Typical is the
// rate a store should reach at least, and the one leaks are measured
// against.
type Benchmark struct {
	// To is the stage the transition leads to (its previous stage is where
	// it starts).
	To      Stage
	Poor    float64
	Typical float64
	Good    float64
	// Source says where the figures come from; Hint names the usual causes
	// of a weak step in plain words.
	Source string
	Hint   string
}

// Sources of the benchmark figures, quoted on the page. The figures are
// published round numbers and approximate; the per-step checkout figures
// are derived from the overall checkout figure, since no study publishes
// every step of Shopify's checkout on its own.
const (
	SourceBaymard    = "Baymard Institute: about 70% of online carts are abandoned on average (documented average across published studies)."
	SourceLittledata = "Littledata Shopify benchmarks: checkout-to-order conversion about 45% on average, above about 63% for the top fifth of stores."
	SourceDerived    = "Derived: the overall checkout figures (about 45% average, about 63% top fifth) spread over the four checkout steps; approximate."
)

// Benchmarks returns the benchmark band of every transition, in funnel
// order: the one small table to update when better figures are published.
// The slice is new on every call.
//
// Cart to checkout follows from the two published figures: with about 30%
// of carts ordering (Baymard) and about 45% of checkouts ordering
// (Littledata), about two thirds of carts start a checkout. The four
// checkout steps multiply to about 45% (typical) and 63% (good).
func Benchmarks() []Benchmark {
	return []Benchmark{
		{StageCheckoutStarted, 0.50, 0.65, 0.75, SourceBaymard,
			"Shoppers leave the cart when costs surprise them: shipping, taxes or fees shown late. Show costs early, offer express checkout buttons in the cart and keep the cart free of distractions."},
		{StageContactSubmitted, 0.65, 0.80, 0.90, SourceDerived,
			"Asking for an account before checkout, or a long first form, stops shoppers. Offer guest checkout and Shop Pay, and ask only for an email or phone first."},
		{StageAddressSubmitted, 0.72, 0.85, 0.93, SourceDerived,
			"Address forms lose shoppers on mobile and abroad. Turn on address autocomplete, check that you ship to the countries your visitors come from, and keep optional fields optional."},
		{StagePaymentReached, 0.72, 0.85, 0.92, SourceDerived,
			"Shipping choices decide here: high rates, slow delivery or no free-shipping threshold. Show delivery dates and a cheaper option."},
		{StageCompleted, 0.62, 0.78, 0.82, SourceLittledata,
			"The payment step fails on unfamiliar or missing payment methods, card entry on mobile, unexpected totals and declined cards. Offer wallets (Shop Pay, Apple Pay, PayPal) and local methods, and check for gateway errors."},
	}
}

// Band names where a rate stands against a benchmark.
type Band string

// The benchmark bands.
const (
	BandPoor    Band = "poor"
	BandTypical Band = "typical"
	BandGood    Band = "good"
	// BandUnknown is a step with no sessions to measure.
	BandUnknown Band = "unknown"
)

// BandOf returns where rate stands against b; a nil rate is BandUnknown.
func (b Benchmark) BandOf(rate *float64) Band {
	switch {
	case rate == nil:
		return BandUnknown
	case *rate <= b.Poor:
		return BandPoor
	case *rate >= b.Good:
		return BandGood
	}
	return BandTypical
}

// Leak is one transition of the funnel measured against its benchmark,
// with the revenue a store would gain by bringing it up to typical.
type Leak struct {
	// From and To are the stage keys of the transition; Label names it.
	From  string `json:"from"`
	To    string `json:"to"`
	Label string `json:"label"`
	// Entering is how many sessions reached From; Rate is the share of
	// them that reached To (nil when none entered).
	Entering int64    `json:"entering"`
	Rate     *float64 `json:"rate"`
	Band     Band     `json:"band"`
	Poor     float64  `json:"benchmark_poor"`
	Typical  float64  `json:"benchmark_typical"`
	Good     float64  `json:"benchmark_good"`
	// Opportunity is, in minor units, Entering × (Typical − Rate, floored
	// at 0) × the conversion from To to a completed order × the average
	// order value: the orders a typical step would add, priced.
	Opportunity int64  `json:"-"`
	Value       string `json:"opportunity"`
	Hint        string `json:"hint"`
	Source      string `json:"source"`
}

// RankLeaks measures each transition of a report against Benchmarks and
// returns them with the largest revenue opportunity first; ties keep
// funnel order. The conversion from To onward is the report's own when To
// has sessions, else the product of the typical rates of the later steps.
// aov is the average order value in minor units. It never yields NaN: a
// step no session entered has a nil Rate and no opportunity.
func RankLeaks(stages []StageReport, aov int64) []Leak {
	byKey := make(map[string]StageReport, len(stages))
	for _, s := range stages {
		byKey[s.Key] = s
	}
	bench := Benchmarks()
	completed := byKey[StageCompleted.Key()].Sessions
	leaks := make([]Leak, 0, len(bench))
	for i, b := range bench {
		from, to := b.To-1, b.To
		entering := byKey[from.Key()].Sessions
		reached := byKey[to.Key()].Sessions
		l := Leak{
			From: from.Key(), To: to.Key(), Label: from.Label() + " → " + to.Label(),
			Entering: entering, Band: BandUnknown,
			Poor: b.Poor, Typical: b.Typical, Good: b.Good, Hint: b.Hint, Source: b.Source,
		}
		// A segment's report leaves out the rates its attribute cannot
		// support (SegmentReport): no verdict on those steps either.
		if entering > 0 && byKey[to.Key()].RateFromPrevious != nil {
			r := float64(reached) / float64(entering)
			l.Rate = rate(reached, entering)
			l.Band = b.BandOf(&r)
			downstream := 1.0
			if reached > 0 {
				downstream = float64(completed) / float64(reached)
			} else {
				for _, later := range bench[i+1:] {
					downstream *= later.Typical
				}
			}
			if gap := b.Typical - r; gap > 0 && aov > 0 {
				l.Opportunity = int64(float64(entering)*gap*downstream*float64(aov) + 0.5)
			}
		}
		l.Value = FormatMoney(l.Opportunity)
		leaks = append(leaks, l)
	}
	sort.SliceStable(leaks, func(i, j int) bool { return leaks[i].Opportunity > leaks[j].Opportunity })
	return leaks
}
