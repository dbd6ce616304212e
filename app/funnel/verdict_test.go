package funnel

import (
	"math"
	"math/rand/v2"
	"testing"
)

func TestWilson(t *testing.T) {
	for _, c := range []struct {
		k, n   int64
		lo, hi float64
	}{
		// Published values of the 95% Wilson interval.
		{0, 10, 0, 0.2775},
		{5, 10, 0.2366, 0.7634},
		{10, 10, 0.7225, 1},
		{81, 263, 0.2553, 0.3662},
		{298, 1310, 0.2056, 0.2510},
		// No trials place no rate; k outside [0, n] is clamped.
		{0, 0, 0, 1},
		{12, 10, 0.7225, 1},
		{-3, 10, 0, 0.2775},
	} {
		lo, hi := Wilson(c.k, c.n)
		if math.Abs(lo-c.lo) > 5e-5 || math.Abs(hi-c.hi) > 5e-5 {
			t.Errorf("Wilson(%d, %d) = [%.4f, %.4f], want [%.4f, %.4f]", c.k, c.n, lo, hi, c.lo, c.hi)
		}
	}
	// The interval holds the rate, stays in [0, 1] and narrows with n.
	rng := rand.New(rand.NewPCG(1, 2))
	for range 2000 {
		n := rng.Int64N(5000) + 1
		k := rng.Int64N(n + 1)
		lo, hi := Wilson(k, n)
		p := float64(k) / float64(n)
		if !(0 <= lo && lo <= p && p <= hi && hi <= 1) {
			t.Fatalf("Wilson(%d, %d) = [%v, %v] does not hold %v inside [0, 1]", k, n, lo, hi, p)
		}
		lo4, hi4 := Wilson(4*k, 4*n)
		if hi4-lo4 >= hi-lo && k != 0 && k != n {
			t.Fatalf("Wilson(%d, %d) is no narrower than Wilson(%d, %d)", 4*k, 4*n, k, n)
		}
	}
}

// TestJudgeBoundaries checks the verdict law at each of its edges: the
// minimum count, the top of the interval on either side of the typical
// rate, the bottom on either side of the good rate, and the widest
// interval still called typical.
func TestJudgeBoundaries(t *testing.T) {
	b := Benchmark{Typical: 0.65, Good: 0.75}
	for _, c := range []struct {
		name            string
		entering, reach int64
		want            Verdict
	}{
		{"nobody entered", 0, 0, VerdictTooFew},
		{"one short of the minimum, even at 0%", MinShoppers - 1, 0, VerdictTooFew},
		{"one short of the minimum, even at 100%", MinShoppers - 1, MinShoppers - 1, VerdictTooFew},
		{"the minimum at 0%", MinShoppers, 0, VerdictBelow},
		{"the minimum at 100%", MinShoppers, MinShoppers, VerdictGood},
		// n = 30: 14 → [0.302, 0.639] under 0.65; 15 → [0.332, 0.668] reaches it, too wide.
		{"top just under typical (n=30)", 30, 14, VerdictBelow},
		{"top just over typical, wide (n=30)", 30, 15, VerdictTooFew},
		// n = 30: 27 → [0.744, 0.965]; 28 → [0.787, 0.982].
		{"bottom just under good, wide (n=30)", 30, 27, VerdictTooFew},
		{"bottom just over good (n=30)", 30, 28, VerdictGood},
		// n = 1000: 620 → hi 0.64957; 621 → hi 0.65055, width 0.060.
		{"top just under typical (n=1000)", 1000, 620, VerdictBelow},
		{"top just over typical (n=1000)", 1000, 621, VerdictTypical},
		// n = 1000: 776 → lo 0.74913; 777 → lo 0.75017.
		{"bottom just under good (n=1000)", 1000, 776, VerdictTypical},
		{"bottom just over good (n=1000)", 1000, 777, VerdictGood},
		// Around 70%: 224 of 320 → width 0.09993; 223 of 318 → width 0.10013.
		{"interval just narrow enough", 320, 224, VerdictTypical},
		{"interval just too wide", 318, 223, VerdictTooFew},
	} {
		got := Judge(b, c.entering, c.reach)
		if got != c.want {
			lo, hi := Wilson(c.reach, c.entering)
			t.Errorf("%s: Judge(%d of %d) = %s, want %s (interval [%.5f, %.5f])", c.name, c.reach, c.entering, got, c.want, lo, hi)
		}
	}
	// The rows above sit on the edges they claim to.
	edge := func(k, n int64, f func(lo, hi float64) bool, what string) {
		if lo, hi := Wilson(k, n); !f(lo, hi) {
			t.Errorf("%d of %d: [%.5f, %.5f] is not %s", k, n, lo, hi, what)
		}
	}
	edge(620, 1000, func(_, hi float64) bool { return hi < 0.65 && hi > 0.649 }, "just under typical")
	edge(621, 1000, func(_, hi float64) bool { return hi >= 0.65 && hi < 0.651 }, "just over typical")
	edge(776, 1000, func(lo, _ float64) bool { return lo < 0.75 && lo > 0.749 }, "just under good")
	edge(777, 1000, func(lo, _ float64) bool { return lo >= 0.75 && lo < 0.751 }, "just over good")
	edge(224, 320, func(lo, hi float64) bool { return hi-lo <= TypicalWidth && hi-lo > TypicalWidth-0.001 }, "just narrow enough")
	edge(223, 318, func(lo, hi float64) bool { return hi-lo > TypicalWidth && hi-lo < TypicalWidth+0.001 }, "just too wide")
}

// TestJudgeLaw checks the law on random counts against the interval, and
// that a verdict never goes back down as more shoppers continue.
func TestJudgeLaw(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	for _, b := range Benchmarks() {
		for range 500 {
			n := rng.Int64N(3000)
			k := rng.Int64N(n + 1)
			got := Judge(b, n, k)
			lo, hi := Wilson(k, n)
			var want Verdict
			switch {
			case n < MinShoppers:
				want = VerdictTooFew
			case hi < b.Typical:
				want = VerdictBelow
			case lo >= b.Good:
				want = VerdictGood
			case hi-lo <= TypicalWidth:
				want = VerdictTypical
			default:
				want = VerdictTooFew
			}
			if got != want {
				t.Fatalf("%s: Judge(%d of %d) = %s, want %s", b.To, k, n, got, want)
			}
			// Below typical means even the top of the interval is under
			// typical, so the rate is too; good means the rate is at least good.
			p := float64(k) / float64(max(n, 1))
			if got == VerdictBelow && p >= b.Typical || got == VerdictGood && p < b.Good {
				t.Fatalf("%s: %d of %d judged %s", b.To, k, n, got)
			}
		}
		// Along one n, the verdict runs below → (not enough) → typical → good.
		for _, n := range []int64{30, 100, 400, 1000, 5000} {
			rank := map[Verdict]int{VerdictBelow: 0, VerdictTooFew: 1, VerdictTypical: 2, VerdictGood: 3}
			last := -1
			for k := int64(0); k <= n; k++ {
				v := Judge(b, n, k)
				r := rank[v]
				if v == VerdictTooFew && last >= rank[VerdictTypical] {
					t.Fatalf("%s, n=%d: %d continuing is %s after a typical verdict", b.To, n, k, v)
				}
				if r < last && v != VerdictTooFew {
					t.Fatalf("%s, n=%d: %d continuing is %s, below an earlier verdict", b.To, n, k, v)
				}
				last = max(last, r)
			}
		}
	}
}

func TestVerdictLabels(t *testing.T) {
	for v, want := range map[Verdict]string{
		VerdictBelow: "Below typical", VerdictTypical: "Typical", VerdictGood: "Good", VerdictTooFew: "Not enough shoppers yet",
	} {
		if v.Label() != want {
			t.Errorf("%s.Label() = %q, want %q", v, v.Label(), want)
		}
	}
}
