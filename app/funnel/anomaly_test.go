package funnel

import (
	"math"
	"math/rand/v2"
	"testing"
)

// binomialCDF is P(X ≤ k) for X ~ Binomial(n, p), each term computed on
// its own from log-gamma: the test's own sum, sharing nothing with the
// ratio recurrence of BetaBinomialCDF.
func binomialCDF(k, n int64, p float64) float64 {
	if p <= 0 {
		return 1
	}
	if p >= 1 {
		if k >= n {
			return 1
		}
		return 0
	}
	var s float64
	ln, _ := math.Lgamma(float64(n + 1))
	for j := int64(0); j <= k; j++ {
		lj, _ := math.Lgamma(float64(j + 1))
		lnj, _ := math.Lgamma(float64(n - j + 1))
		s += math.Exp(ln - lj - lnj + float64(j)*math.Log(p) + float64(n-j)*math.Log1p(-p))
	}
	return s
}

// TestBetaBinomialCDFUniform checks the textbook case: with a flat prior
// Beta(1, 1) every count from 0 to n is equally likely, so
// P(K ≤ k) = (k+1)/(n+1).
func TestBetaBinomialCDFUniform(t *testing.T) {
	t.Parallel()
	for _, c := range []struct{ k, n int64 }{{0, 1}, {0, 10}, {3, 10}, {9, 10}, {10, 10}, {-1, 10}, {250, 1000}} {
		want := math.Min(math.Max(float64(c.k+1)/float64(c.n+1), 0), 1)
		if c.k < 0 {
			want = 0
		}
		if got := BetaBinomialCDF(c.k, c.n, 1, 1); math.Abs(got-want) > 1e-9 {
			t.Errorf("BetaBinomialCDF(%d; %d, 1, 1) = %v, want %v", c.k, c.n, got, want)
		}
	}
}

// TestBetaBinomialCDFAgainstIntegration checks BetaBinomialCDF against the
// mixture it stands for, integrated numerically: P(K ≤ k) = ∫ P(X ≤ k | p)
// Beta(p; α, β) dp, with the binomial distribution summed term by term
// (binomialCDF) and the Beta density on a grid of 20,001 points (the
// trapezoid rule of newBetaGrid, in impact_stats_test.go).
func TestBetaBinomialCDFAgainstIntegration(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		k, n        int64
		alpha, beta float64
	}{
		{0, 5, 2, 3},        // tiny sample, zero conversions
		{2, 5, 2, 3},        // tiny sample
		{41, 100, 69, 33},   // the doc's 68% → 41%, a weak prior
		{60, 100, 61, 41},   // near the expected rate
		{82, 200, 681, 321}, // a capped prior of 1,000 shoppers
		{136, 200, 681, 321},
		{0, 40, 601, 401},
	} {
		g := newBetaGrid(c.alpha, c.beta, 0, 1, 20001)
		var want float64
		for i, d := range g.pdf {
			w := g.step
			if i == 0 || i == len(g.pdf)-1 {
				w /= 2
			}
			want += d * binomialCDF(c.k, c.n, g.lo+float64(i)*g.step) * w
		}
		got := BetaBinomialCDF(c.k, c.n, c.alpha, c.beta)
		if math.Abs(got-want) > 1e-6+1e-4*want {
			t.Errorf("BetaBinomialCDF(%d; %d, %v, %v) = %.10g, integration gives %.10g", c.k, c.n, c.alpha, c.beta, got, want)
		}
	}
}

// TestAnomalyPrior checks the cap: a history larger than AnomalyPriorCap
// keeps its rate but counts for AnomalyPriorCap shoppers.
func TestAnomalyPrior(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		n, r        int64
		alpha, beta float64
	}{
		{0, 0, 1, 1},
		{10, 7, 8, 4},
		{1000, 680, 681, 321},
		{4000, 2720, 681, 321},
		{5, 9, 6, 1}, // reached above entering is clamped
	} {
		a, b := AnomalyPrior(c.n, c.r)
		if math.Abs(a-c.alpha) > 1e-9 || math.Abs(b-c.beta) > 1e-9 {
			t.Errorf("AnomalyPrior(%d, %d) = (%v, %v), want (%v, %v)", c.n, c.r, a, b, c.alpha, c.beta)
		}
	}
}

// paymentStep is the last step of the cart funnel with these counts.
func paymentStep(device Device, histN, histK, n, k int64) AnomalyInput {
	return AnomalyInput{From: StagePaymentReached, To: StageCompleted, Device: device,
		HistoryEntering: histN, HistoryReached: histK, HistoryCompleted: histK, TodayEntering: n, TodayReached: k}
}

func TestDetectAnomalies(t *testing.T) {
	t.Parallel()
	const aov = 3500 // 35.00
	for _, c := range []struct {
		name string
		in   AnomalyInput
		want bool
		// lost and value when raised
		lost, value int64
	}{
		// 68% over four weeks of 800 shoppers; 82 of 200 today (41%):
		// prior Beta(545, 257), mean 545/802 = 0.6795511, × 200 =
		// 135.91022 expected, lost 53.91022, value 53.91022 × 35.00 =
		// 1,886.8579 → 1,886.86.
		{"sharp drop", paymentStep(DeviceMobile, 800, 544, 200, 82), true, 54, 188686},
		{"equal rates", paymentStep(DeviceMobile, 800, 544, 200, 136), false, 0, 0},
		{"same relative drop, tiny sample", paymentStep(DeviceMobile, 40, 27, 10, 4), false, 0, 0},
		{"zero conversions, tiny sample", paymentStep(DeviceMobile, 40, 27, 5, 0), false, 0, 0},
		// 40 shoppers, none completes: lost 0.6795511 × 40 = 27.18204,
		// × 35.00 = 951.3716 → 951.37.
		{"zero conversions, enough shoppers", paymentStep("", 800, 544, 40, 0), true, 27, 95137},
		// Clear but not material: 65% against 68% on a huge day.
		{"clear, not material", paymentStep("", 100000, 68000, 50000, 32500), false, 0, 0},
		// Material but not clear: 29 shoppers is under the minimum.
		{"too few shoppers today", paymentStep("", 800, 544, 29, 5), false, 0, 0},
		{"no history", paymentStep("", 0, 0, 200, 20), false, 0, 0},
		{"rate up", paymentStep("", 800, 544, 200, 190), false, 0, 0},
	} {
		got := DetectAnomalies([]AnomalyInput{c.in}, 0.2, aov)
		if (len(got) == 1) != c.want || len(got) > 1 {
			t.Errorf("%s: DetectAnomalies = %+v, want raised %v", c.name, got, c.want)
			continue
		}
		if c.want && (got[0].Lost != c.lost || got[0].ValueAtRisk != c.value) {
			t.Errorf("%s: lost %d, value %d; want %d, %d", c.name, got[0].Lost, got[0].ValueAtRisk, c.lost, c.value)
		}
	}
}

// TestDetectAnomaliesEarlierStep checks the value at risk of a step before
// payment: only the share of those past it who go on to order is lost.
func TestDetectAnomaliesEarlierStep(t *testing.T) {
	t.Parallel()
	in := AnomalyInput{From: StageCheckoutStarted, To: StageContactSubmitted,
		HistoryEntering: 1000, HistoryReached: 800, HistoryCompleted: 400, TodayEntering: 100, TodayReached: 40}
	got := DetectAnomalies([]AnomalyInput{in}, 0.2, 10000)
	if len(got) != 1 {
		t.Fatalf("DetectAnomalies = %+v, want one", got)
	}
	// Prior Beta(801, 201): expected 801/1002 × 100 = 79.94012, lost
	// 39.94012, half of them would have ordered (400 of 800): 19.97006
	// orders × 100.00 = 1,997.006 → 1,997.01.
	if got[0].Lost != 40 || got[0].ValueAtRisk != 199701 {
		t.Errorf("lost %d, value %d; want 40, 199701", got[0].Lost, got[0].ValueAtRisk)
	}
	if got[0].Label() != "Started checkout → Gave contact info" {
		t.Errorf("label %q", got[0].Label())
	}
}

// TestDetectAnomaliesFalseDiscovery checks that the p-values go through
// Benjamini–Hochberg together: a borderline step that would pass alone at
// 1% does not once many unremarkable steps are tested beside it.
func TestDetectAnomaliesFalseDiscovery(t *testing.T) {
	t.Parallel()
	borderline := paymentStep(DeviceMobile, 1000, 500, 100, 36)
	a, b := AnomalyPrior(1000, 500)
	p := BetaBinomialCDF(36, 100, a, b)
	if p > AnomalyFalseDiscoveryRate || p < AnomalyFalseDiscoveryRate/24 {
		t.Fatalf("the borderline step's p-value %v is not between 1%%/24 and 1%%", p)
	}
	if got := DetectAnomalies([]AnomalyInput{borderline}, 0.2, 100); len(got) != 1 {
		t.Fatalf("alone: %+v, want raised", got)
	}
	ins := []AnomalyInput{borderline}
	for range 23 {
		ins = append(ins, paymentStep(DeviceDesktop, 1000, 500, 100, 50))
	}
	if got := DetectAnomalies(ins, 0.2, 100); len(got) != 0 {
		t.Errorf("among 24: %+v, want none", got)
	}
}

// TestDetectAnomaliesIdenticalNeverRaises is the property that a day
// exactly like its history (the same rate, a quarter of the four weeks'
// shoppers) never raises, whatever the counts.
func TestDetectAnomaliesIdenticalNeverRaises(t *testing.T) {
	t.Parallel()
	r := rand.New(rand.NewPCG(43, 2026))
	for range 2000 {
		var furthest [StageCompleted + 1]int64
		for st := range furthest {
			furthest[st] = r.Int64N(3000)
		}
		var history [StageCompleted + 1]int64
		for st, n := range furthest {
			history[st] = 4 * n
		}
		for _, d := range []Device{"", DeviceMobile} {
			if got := DetectAnomalies(CartAnomalyInputs(d, history, furthest), 0.05, 5000); len(got) != 0 {
				t.Fatalf("history %v, today %v: raised %+v", history, furthest, got)
			}
		}
	}
}

func TestDropOnset(t *testing.T) {
	t.Parallel()
	hours := func(rates ...float64) []StepCounts {
		out := make([]StepCounts, len(rates))
		for i, r := range rates {
			out[i] = StepCounts{Entering: 100, Reached: int64(math.Round(100 * r))}
		}
		return out
	}
	for _, c := range []struct {
		name  string
		hours []StepCounts
		want  int
	}{
		{"drop at 14:00", hours(.68, .70, .66, .68, .69, .67, .68, .70, .66, .68, .69, .67, .68, .68, .41, .40, .42, .41), 14},
		{"all day", hours(.41, .40, .42, .41), 0},
		{"empty hours before", append([]StepCounts{{}, {}}, hours(.68, .41, .40)...), 3},
		{"no shoppers", []StepCounts{{}, {}}, 0},
		{"no hours", nil, 0},
	} {
		if got := DropOnset(c.hours, 0.68); got != c.want {
			t.Errorf("%s: DropOnset = %d, want %d", c.name, got, c.want)
		}
	}
}
