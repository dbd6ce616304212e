package funnel

import (
	"math"
	"math/rand/v2"
	"testing"
)

// betaGrid is a Beta(a, b) density sampled on a grid of [lo, hi], for the
// test's own numeric integration: it shares nothing with probGreater's
// closed form or its normal approximation.
type betaGrid struct {
	lo, step float64
	pdf, cdf []float64
}

func newBetaGrid(a, b, lo, hi float64, n int) betaGrid {
	g := betaGrid{lo: lo, step: (hi - lo) / float64(n-1), pdf: make([]float64, n), cdf: make([]float64, n)}
	la, _ := math.Lgamma(a)
	lb, _ := math.Lgamma(b)
	lab, _ := math.Lgamma(a + b)
	for i := range g.pdf {
		x := lo + float64(i)*g.step
		if x <= 0 || x >= 1 {
			// The densities the tests use are finite at the ends (a, b ≥ 1).
			x = min(max(x, 1e-300), 1-1e-16)
		}
		g.pdf[i] = math.Exp((a-1)*math.Log(x) + (b-1)*math.Log1p(-x) + lab - la - lb)
	}
	for i := 1; i < n; i++ {
		g.cdf[i] = g.cdf[i-1] + (g.pdf[i-1]+g.pdf[i])/2*g.step
	}
	total := g.cdf[n-1]
	for i := range g.cdf {
		g.cdf[i] /= total
		g.pdf[i] /= total
	}
	return g
}

// at is the distribution function at x, interpolated.
func (g betaGrid) at(x float64) float64 {
	f := (x - g.lo) / g.step
	switch {
	case f <= 0:
		return 0
	case f >= float64(len(g.cdf)-1):
		return 1
	}
	i := int(f)
	return g.cdf[i] + (g.cdf[i+1]-g.cdf[i])*(f-float64(i))
}

// gridBounds is a range of [0, 1] holding all but a negligible part of
// both Betas: 12 standard deviations either side of their means.
func gridBounds(a1, b1, a2, b2 float64) (lo, hi float64) {
	m1, v1 := betaMoments(a1, b1)
	m2, v2 := betaMoments(a2, b2)
	sd := math.Sqrt(max(v1, v2))
	return max(0, min(m1, m2)-12*sd), min(1, max(m1, m2)+12*sd)
}

// integratedProbGreater is P(X > Y) = ∫ f_X(x) F_Y(x) dx by the
// trapezoidal rule on 200,001 points.
func integratedProbGreater(a1, b1, a2, b2 float64) float64 {
	lo, hi := gridBounds(a1, b1, a2, b2)
	const n = 200001
	x, y := newBetaGrid(a1, b1, lo, hi, n), newBetaGrid(a2, b2, lo, hi, n)
	var p float64
	for i := 1; i < n; i++ {
		p += (x.pdf[i-1]*y.cdf[i-1] + x.pdf[i]*y.cdf[i]) / 2 * x.step
	}
	return p
}

// integratedDifferenceQuantile is the q-quantile of X − Y found by
// bisection on P(X − Y ≤ d) = ∫ f_X(x) (1 − F_Y(x − d)) dx.
func integratedDifferenceQuantile(a1, b1, a2, b2, q float64) float64 {
	const n = 20001
	x, y := newBetaGrid(a1, b1, 0, 1, n), newBetaGrid(a2, b2, 0, 1, n)
	cdf := func(d float64) float64 {
		var p float64
		for i := 1; i < n; i++ {
			xi, xj := float64(i-1)*x.step, float64(i)*x.step
			p += (x.pdf[i-1]*(1-y.at(xi-d)) + x.pdf[i]*(1-y.at(xj-d))) / 2 * x.step
		}
		return p
	}
	lo, hi := -1.0, 1.0
	for range 40 {
		mid := (lo + hi) / 2
		if cdf(mid) < q {
			lo = mid
		} else {
			hi = mid
		}
	}
	return (lo + hi) / 2
}

// TestCompareRatesAgainstIntegration checks the probability that a step
// improved (the closed-form sum, or the normal approximation for huge
// samples) against the test's numeric integration of the two posteriors.
func TestCompareRatesAgainstIntegration(t *testing.T) {
	cases := []struct {
		name            string
		kb, nb, ka, na  int64
		tolerance       float64
		wantExactlyHalf bool
	}{
		{"no shoppers at all", 0, 0, 0, 0, 1e-9, true},
		{"tiny, equal", 1, 2, 1, 2, 1e-9, true},
		{"zero conversions both", 0, 30, 0, 30, 1e-9, true},
		{"zero conversions after", 5, 40, 0, 40, 1e-4, false},
		{"all converted before", 20, 20, 15, 20, 1e-4, false},
		{"tiny samples", 3, 7, 1, 2, 1e-4, false},
		{"equal rates, different sizes", 30, 100, 300, 1000, 1e-4, false},
		{"moderate drop", 700, 1000, 650, 1000, 1e-4, false},
		{"moderate rise", 120, 400, 160, 400, 1e-4, false},
		{"huge, small rise (normal approximation)", 50000, 100000, 50500, 100000, 1e-3, false},
		{"huge, equal (normal approximation)", 400000, 1000000, 400000, 1000000, 1e-9, true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := CompareRates(c.kb, c.nb, c.ka, c.na)
			if c.wantExactlyHalf {
				if math.Abs(got.ProbImproved-0.5) > c.tolerance {
					t.Fatalf("P(improved) = %v, want ½", got.ProbImproved)
				}
				return
			}
			want := integratedProbGreater(float64(1+c.ka), float64(1+c.na-c.ka), float64(1+c.kb), float64(1+c.nb-c.kb))
			if math.Abs(got.ProbImproved-want) > c.tolerance {
				t.Fatalf("P(improved) = %.6f, integration gives %.6f", got.ProbImproved, want)
			}
		})
	}
}

// TestProbGreaterFormsAgree checks that the four forms of the closed-form
// sum probGreater picks from agree, by forcing each in turn through
// their symmetric inputs.
func TestProbGreaterFormsAgree(t *testing.T) {
	for _, p := range [][4]float64{{4, 9, 7, 3}, {31, 70, 25, 80}, {2, 200, 5, 150}} {
		direct := probGreater(p[0], p[1], p[2], p[3])
		mirrored := probGreater(p[3], p[2], p[1], p[0]) // P(1−Y > 1−X)
		swapped := 1 - probGreater(p[2], p[3], p[0], p[1])
		if math.Abs(direct-mirrored) > 1e-9 || math.Abs(direct-swapped) > 1e-9 {
			t.Fatalf("%v: %v, mirrored %v, swapped %v", p, direct, mirrored, swapped)
		}
	}
}

// TestCompareRatesInterval checks the credible interval of the difference:
// at n = 1,000 per window against the textbook (Wald) two-proportion
// interval computed by hand, and at n = 200 against the 2.5% and 97.5%
// quantiles of the exact posterior difference, by numeric integration.
func TestCompareRatesInterval(t *testing.T) {
	// 600/1000 before, 550/1000 after: p̂₂ − p̂₁ = −0.05,
	// se = √(0.6·0.4/1000 + 0.55·0.45/1000) = √0.0004875 = 0.022079,
	// ±1.96·se = ±0.043275: [−0.0933, −0.0067].
	got := CompareRates(600, 1000, 550, 1000)
	if math.Abs(got.DifferenceLow-(-0.0933)) > 0.001 || math.Abs(got.DifferenceHigh-(-0.0067)) > 0.001 {
		t.Fatalf("interval [%.4f, %.4f], textbook [−0.0933, −0.0067]", got.DifferenceLow, got.DifferenceHigh)
	}
	got = CompareRates(60, 200, 45, 200)
	lo := integratedDifferenceQuantile(46, 156, 61, 141, 0.025)
	hi := integratedDifferenceQuantile(46, 156, 61, 141, 0.975)
	if math.Abs(got.DifferenceLow-lo) > 0.005 || math.Abs(got.DifferenceHigh-hi) > 0.005 {
		t.Fatalf("interval [%.4f, %.4f], integration [%.4f, %.4f]", got.DifferenceLow, got.DifferenceHigh, lo, hi)
	}
	if got.Difference >= 0 || got.BeforeRate == nil || *got.BeforeRate != 0.3 || *got.AfterRate != 0.225 {
		t.Fatalf("difference %v, rates %v %v", got.Difference, got.BeforeRate, got.AfterRate)
	}
	// No shopper: no rate, the interval the flat prior gives, within [−1, 1].
	none := CompareRates(0, 0, 0, 0)
	if none.BeforeRate != nil || none.AfterRate != nil || none.DifferenceLow < -1 || none.DifferenceHigh > 1 || none.Difference != 0 {
		t.Fatalf("no shoppers: %+v", none)
	}
	// Counts out of range are clamped.
	if c := CompareRates(50, 10, -3, 10); c.BeforeReached != 10 || c.AfterReached != 0 {
		t.Fatalf("clamped: %+v", c)
	}
}

// TestBenjaminiHochberg checks the procedure on the example of Benjamini
// and Hochberg (1995, section 4): of these 15 p-values at q = 0.05 the
// four smallest are discoveries (Bonferroni would find three).
func TestBenjaminiHochberg(t *testing.T) {
	p := []float64{0.0459, 0.0001, 0.0004, 0.0019, 0.0095, 0.0201, 0.0278, 0.0298, 0.0344, 0.3240, 0.4262, 0.5719, 0.6528, 0.7590, 1.000}
	got := BenjaminiHochberg(p, 0.05)
	var n int
	for i, d := range got {
		if d {
			n++
			if p[i] > 0.0095 {
				t.Fatalf("p = %v found", p[i])
			}
		}
	}
	if n != 4 {
		t.Fatalf("%d discoveries, want 4", n)
	}
	if len(BenjaminiHochberg(nil, 0.05)) != 0 {
		t.Fatal("no tests, no discoveries")
	}
	if d := BenjaminiHochberg([]float64{0.04}, 0.05); !d[0] {
		t.Fatal("a single test at 0.04 is a discovery at 0.05")
	}
}

// TestIdenticalRatesNeverAVerdict is the property that two windows with
// the same rate never give "improved" (nor "worse"), whatever their sizes:
// random rates, with the after window a whole multiple of the before one.
func TestIdenticalRatesNeverAVerdict(t *testing.T) {
	r := rand.New(rand.NewPCG(15, 2026))
	w := ImpactWindow{Length: 2 * Week, FullWeek: true}
	for range 2000 {
		n := int64(1 + r.IntN(3000))
		k := int64(r.IntN(int(n) + 1))
		m := int64(1 + r.IntN(40))
		var inputs []ImpactInput
		for range 1 + r.IntN(8) {
			inputs = append(inputs, ImpactInput{BeforeEntering: n, BeforeReached: k, AfterEntering: n * m, AfterReached: k * m})
		}
		if r.IntN(2) == 0 { // the other way round too
			for i := range inputs {
				in := &inputs[i]
				in.BeforeEntering, in.AfterEntering, in.BeforeReached, in.AfterReached = in.AfterEntering, in.BeforeEntering, in.AfterReached, in.BeforeReached
			}
		}
		for _, s := range JudgeImpact(inputs, w, 5000) {
			if s.Verdict == ImpactImproved || s.Verdict == ImpactWorse {
				t.Fatalf("%d/%d before, %d/%d after: %s (P = %v)", s.BeforeReached, s.BeforeEntering, s.AfterReached, s.AfterEntering, s.Verdict, s.ProbImproved)
			}
		}
	}
}
