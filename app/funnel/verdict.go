package funnel

import "math"

// Verdict is where one step of the funnel stands against its benchmark, as
// Judge decides it. The chips of the funnel, the opportunities' band and
// "what to fix first" all read the same Verdict, so they cannot disagree.
type Verdict string

// The verdicts. Their values are the opportunities' "band" in the
// report JSON.
const (
	VerdictBelow   Verdict = "below_typical"
	VerdictTypical Verdict = "typical"
	VerdictGood    Verdict = "good"
	// VerdictTooFew is a step with fewer than MinShoppers entering it, or
	// whose interval is too wide to place it (see Judge).
	VerdictTooFew Verdict = "not_enough_shoppers"
	// VerdictNotKnown is a step of one segment value's report that comes
	// before its attribute is known (SegmentReport): its rate would be
	// made up, so nothing is said of it.
	VerdictNotKnown Verdict = "not_known"
)

// Label returns the verdict in the words of the page's chip.
func (v Verdict) Label() string {
	switch v {
	case VerdictBelow:
		return "Below typical"
	case VerdictTypical:
		return "Typical"
	case VerdictGood:
		return "Good"
	case VerdictNotKnown:
		return "Not known for this segment"
	}
	return "Not enough shoppers yet"
}

// MinShoppers is the fewest shoppers that must enter a step before Judge
// gives it a verdict. Below it the interval of even an extreme rate is
// too wide to act on, and one shopper more or less moves the rate by
// several points.
const MinShoppers = 30

// z95 is the standard normal quantile of a two-sided 95% interval.
const z95 = 1.959963984540054

// Wilson returns the 95% Wilson score interval of the rate of k successes
// in n trials: a range that holds the step's true rate 95 times in 100,
// which stays inside [0, 1] and behaves at rates of 0 and 1 and at small
// n, unlike the plain normal interval. k is clamped to [0, n]; n ≤ 0 gives
// [0, 1], which places no rate.
func Wilson(k, n int64) (lo, hi float64) {
	if n <= 0 {
		return 0, 1
	}
	k = min(max(k, 0), n)
	nf := float64(n)
	p := float64(k) / nf
	z2 := z95 * z95
	centre := p + z2/(2*nf)
	spread := z95 * math.Sqrt(p*(1-p)/nf+z2/(4*nf*nf))
	den := 1 + z2/nf
	lo, hi = (centre-spread)/den, (centre+spread)/den
	// The exact bounds at k = 0 and k = n are 0 and 1; floating point can
	// land a hair outside.
	if k == 0 {
		lo = 0
	}
	if k == n {
		hi = 1
	}
	return max(lo, 0), min(hi, 1)
}

// TypicalWidth is the widest 95% interval (in rate, 0.10 = ten
// percentage points) that Judge still calls typical: narrower, and the
// rate is known to within about five points either way.
const TypicalWidth = 0.10

// Judge classifies a step that entering shoppers entered and reached of
// them left towards the next stage, against b. Its law, with [lo, hi] the
// Wilson interval of reached out of entering, the first rule that holds:
//
//	entering < MinShoppers      → not enough shoppers yet
//	hi < b.Typical              → below typical
//	lo ≥ b.Good                 → good
//	hi − lo ≤ TypicalWidth      → typical
//	otherwise                   → not enough shoppers yet
//
// So a step is below typical only when even the top of its interval is
// under the typical rate, good only when even the bottom reaches the good
// rate, and typical when it is neither and its interval is narrow enough
// to say that it sits about at typical. A wide interval that reaches the
// typical rate places the step nowhere: it could be below typical or
// good, and more shoppers will tell.
func Judge(b Benchmark, entering, reached int64) Verdict {
	if entering < MinShoppers {
		return VerdictTooFew
	}
	lo, hi := Wilson(reached, entering)
	switch {
	case hi < b.Typical:
		return VerdictBelow
	case lo >= b.Good:
		return VerdictGood
	case hi-lo <= TypicalWidth:
		return VerdictTypical
	}
	return VerdictTooFew
}
