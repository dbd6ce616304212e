package funnel

import (
	"math"
	"sort"
)

// RateComparison compares one step's rate in the window before a store
// change with its rate in the window after, the Bayesian way: each rate's
// posterior is a Beta(1 + reached, 1 + entering − reached), from a flat
// prior, and the comparison says how likely it is that the step improved
// and by how much it moved.
type RateComparison struct {
	BeforeEntering int64 `json:"before_entering"`
	BeforeReached  int64 `json:"before_reached"`
	AfterEntering  int64 `json:"after_entering"`
	AfterReached   int64 `json:"after_reached"`
	// BeforeRate and AfterRate are the observed rates, unrounded; nil
	// when no shopper entered the step in that window.
	BeforeRate *float64 `json:"before_rate"`
	AfterRate  *float64 `json:"after_rate"`
	// Difference is the observed after rate minus the before rate (0
	// when either window has no shopper), and DifferenceLow..
	// DifferenceHigh the 95% credible interval of the true difference:
	// the posterior mean ± 1.96 posterior standard deviations (for the
	// sample sizes a verdict needs the normal approximation's error is
	// well under a point), clamped to [−1, 1].
	Difference     float64 `json:"difference"`
	DifferenceLow  float64 `json:"difference_low"`
	DifferenceHigh float64 `json:"difference_high"`
	// ProbImproved is the posterior probability that the after rate is
	// higher than the before rate.
	ProbImproved float64 `json:"probability_improved"`
}

// exactSumLimit is the longest sum probGreater computes exactly; above it
// the posteriors are so narrow that the normal approximation of the
// difference of two Betas agrees with the exact value to about 1e-4.
const exactSumLimit = 20000

// CompareRates compares the step's rate before (beforeReached of
// beforeEntering shoppers) with its rate after (afterReached of
// afterEntering). Counts are clamped to 0 ≤ reached ≤ entering; no
// shopper at all gives the flat prior's answer (probability ½, interval
// about ±0.8).
func CompareRates(beforeReached, beforeEntering, afterReached, afterEntering int64) RateComparison {
	beforeEntering, afterEntering = max(beforeEntering, 0), max(afterEntering, 0)
	beforeReached = min(max(beforeReached, 0), beforeEntering)
	afterReached = min(max(afterReached, 0), afterEntering)
	c := RateComparison{
		BeforeEntering: beforeEntering, BeforeReached: beforeReached,
		AfterEntering: afterEntering, AfterReached: afterReached,
		BeforeRate: rate(beforeReached, beforeEntering), AfterRate: rate(afterReached, afterEntering),
	}
	a1, b1 := float64(1+beforeReached), float64(1+beforeEntering-beforeReached)
	a2, b2 := float64(1+afterReached), float64(1+afterEntering-afterReached)
	m1, v1 := betaMoments(a1, b1)
	m2, v2 := betaMoments(a2, b2)
	sd := math.Sqrt(v1 + v2)
	if c.BeforeRate != nil && c.AfterRate != nil {
		c.Difference = *c.AfterRate - *c.BeforeRate
	}
	c.DifferenceLow = max(m2-m1-z95*sd, -1)
	c.DifferenceHigh = min(m2-m1+z95*sd, 1)
	c.ProbImproved = probGreater(a2, b2, a1, b1)
	return c
}

// betaMoments returns the mean and variance of Beta(a, b).
func betaMoments(a, b float64) (mean, variance float64) {
	s := a + b
	return a / s, a * b / (s * s * (s + 1))
}

// probGreater is P(X > Y) for independent X ~ Beta(a1, b1) and
// Y ~ Beta(a2, b2) with integer parameters. It sums the closed form
// (Evan Miller, "Formulas for Bayesian A/B testing")
//
//	P(X > Y) = Σ_{i=0}^{a1−1} B(a2+i, b1+b2) / ((b1+i) B(1+i, b1) B(a2, b2))
//
// choosing, of the four equivalent forms (by P(X > Y) = 1 − P(Y > X) and
// by the mirror p → 1 − p), the one with the fewest terms; when even that
// is over exactSumLimit terms it uses the normal approximation.
func probGreater(a1, b1, a2, b2 float64) float64 {
	type form struct {
		terms          float64
		a1, b1, a2, b2 float64
		complement     bool
	}
	forms := []form{
		{a1, a1, b1, a2, b2, false},
		{a2, a2, b2, a1, b1, true},  // 1 − P(Y > X)
		{b2, b2, a2, b1, a1, false}, // P(1−Y > 1−X)
		{b1, b1, a1, b2, a2, true},  // 1 − P(1−X > 1−Y)
	}
	best := forms[0]
	for _, f := range forms[1:] {
		if f.terms < best.terms {
			best = f
		}
	}
	var p float64
	if best.terms > exactSumLimit {
		m1, v1 := betaMoments(a1, b1)
		m2, v2 := betaMoments(a2, b2)
		p = normalCDF((m1 - m2) / math.Sqrt(v1+v2))
		return p
	}
	lb := func(x, y float64) float64 {
		lx, _ := math.Lgamma(x)
		ly, _ := math.Lgamma(y)
		lxy, _ := math.Lgamma(x + y)
		return lx + ly - lxy
	}
	// Term i in logs; each next term is the last times the ratio
	// (a2+i)(b1+i) / ((a2+b1+b2+i)(1+i)), which spares the report (its
	// period comparison tests a dozen rates per request) four Lgamma calls
	// per term.
	ta, tb1, tb2 := best.a2, best.b1, best.b2
	term := lb(ta, tb1+tb2) - math.Log(tb1) - lb(1, tb1) - lb(ta, tb2)
	for i := 0.0; i < best.a1; i++ {
		p += math.Exp(term)
		term += math.Log((ta + i) * (tb1 + i) / ((ta + tb1 + tb2 + i) * (1 + i)))
	}
	if best.complement {
		p = 1 - p
	}
	return min(max(p, 0), 1)
}

// normalCDF is the standard normal distribution function.
func normalCDF(z float64) float64 {
	return 0.5 * math.Erfc(-z/math.Sqrt2)
}

// TwoSided turns the probability that a step improved into the two-sided
// tail probability the false-discovery control ranks: 2 × the smaller of
// it and its complement, 1 when nothing is known either way.
func TwoSided(probImproved float64) float64 {
	return min(2*min(probImproved, 1-probImproved), 1)
}

// BenjaminiHochberg returns, for each of the tail probabilities p, whether
// it is a discovery when the false discovery rate is held at q: with the
// m probabilities sorted, the k smallest are discoveries for the largest
// k with p_(k) ≤ k·q/m. Testing many steps at once then keeps the
// expected share of wrong "improved" or "worse" verdicts among those
// given at q, where taking each step at q alone would not.
func BenjaminiHochberg(p []float64, q float64) []bool {
	m := len(p)
	order := make([]int, m)
	for i := range order {
		order[i] = i
	}
	sort.SliceStable(order, func(i, j int) bool { return p[order[i]] < p[order[j]] })
	cut := 0
	for k := m; k >= 1; k-- {
		if p[order[k-1]] <= float64(k)*q/float64(m) {
			cut = k
			break
		}
	}
	out := make([]bool, m)
	for _, i := range order[:cut] {
		out[i] = true
	}
	return out
}
