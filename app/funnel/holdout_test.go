package funnel

import (
	"fmt"
	"math"
	"testing"
)

// TestHoldoutBucketStable pins the buckets of a few keys, computed
// independently (Python: hashlib.sha256(b"funnelscope-holdout\0" + key),
// first eight bytes big-endian, mod 100): a change of the hash would move
// carts between groups in the middle of a measurement.
func TestHoldoutBucketStable(t *testing.T) {
	for key, want := range map[string]int{
		"": 25, "c1": 13, "cart-token-abc": 97, "Z2NwLXVzLWVhc3QxOjAxSjFBQkNE": 40, "checkout:5f2b": 93,
	} {
		for range 3 {
			if got := HoldoutBucket(key); got != want {
				t.Errorf("HoldoutBucket(%q) = %d, want %d", key, got, want)
			}
		}
	}
	if HeldOut("c1", 13) || !HeldOut("c1", 14) || HeldOut("c1", 0) {
		t.Error("HeldOut does not hold out exactly the buckets below the percentage")
	}
}

// TestHoldoutShare: over many keys each percentage holds out about its
// share (within 1 point for 100,000 keys, where the binomial standard
// deviation is under 0.16 points), and a larger percentage holds out a
// superset of a smaller one's carts.
func TestHoldoutShare(t *testing.T) {
	const n = 100000
	keys := make([]string, n)
	for i := range keys {
		keys[i] = fmt.Sprintf("cart-%08x-%d", i*2654435761, i)
	}
	for _, pct := range []int{0, 5, 10, 25, 50} {
		held := 0
		for _, k := range keys {
			if HeldOut(k, pct) {
				held++
				if !HeldOut(k, pct+5) {
					t.Fatalf("%q is held out at %d%% but not at %d%%", k, pct, pct+5)
				}
			}
		}
		if share := 100 * float64(held) / n; math.Abs(share-float64(pct)) > 1 {
			t.Errorf("%d%% hold-out held out %.2f%% of %d keys", pct, share, n)
		}
	}
}

// TestNewcombeDiff checks the interval against the published values of
// Newcombe (1998), "Interval estimation for the difference between
// independent proportions", Statistics in Medicine 17:873–890, Table II,
// method 10 (score interval without continuity correction), which include
// tiny samples and zero rates.
func TestNewcombeDiff(t *testing.T) {
	for _, c := range []struct {
		k1, n1, k2, n2 int64
		lo, hi         float64
	}{
		{56, 70, 48, 80, 0.0524, 0.3339},
		{9, 10, 3, 10, 0.1705, 0.8090},
		{6, 7, 2, 7, 0.0582, 0.8062},
		{5, 56, 0, 29, -0.0381, 0.1926},
		{0, 10, 0, 20, -0.1611, 0.2775},
		{0, 10, 0, 10, -0.2775, 0.2775},
		{10, 10, 0, 20, 0.6791, 1},
	} {
		lo, hi := NewcombeDiff(c.k1, c.n1, c.k2, c.n2)
		if math.Abs(lo-c.lo) > 5e-5 || math.Abs(hi-c.hi) > 5e-5 {
			t.Errorf("NewcombeDiff(%d/%d − %d/%d) = [%.4f, %.4f], want [%.4f, %.4f]", c.k1, c.n1, c.k2, c.n2, lo, hi, c.lo, c.hi)
		}
	}
	if lo, hi := NewcombeDiff(1, 0, 0, 5); lo != -1 || hi != 1 {
		t.Errorf("an empty group gives [%v, %v], want [-1, 1]", lo, hi)
	}
	// Huge samples: the interval narrows around the difference.
	if lo, hi := NewcombeDiff(120000, 1000000, 100000, 1000000); lo < 0.0189 || hi > 0.0211 || lo > 0.02 || hi < 0.02 {
		t.Errorf("huge samples: [%v, %v] should be a narrow interval around 0.02", lo, hi)
	}
}

// TestBuildHoldout: the verdicts, and that equal rates never claim that
// alerts add recoveries, whatever the sample size.
func TestBuildHoldout(t *testing.T) {
	sent := RecoveryArm{Carts: 90, Recovered: 18, RecoveredValue: 180000}
	for _, c := range []struct {
		name             string
		alerted, heldOut RecoveryArm
		want             HoldoutVerdict
	}{
		{"no hold-out", RecoveryArm{Carts: 90, Recovered: 20}, RecoveryArm{}, HoldoutOff},
		{"too few held out", RecoveryArm{Carts: 90, Recovered: 30, RecoveredValue: 300000}, RecoveryArm{Carts: 10, Recovered: 1, RecoveredValue: 10000}, HoldoutTooFew},
		{"alerts add", RecoveryArm{Carts: 900, Recovered: 180, RecoveredValue: 1800000}, RecoveryArm{Carts: 100, Recovered: 5, RecoveredValue: 50000}, HoldoutAdds},
		{"noise", RecoveryArm{Carts: 900, Recovered: 99, RecoveredValue: 990000}, RecoveryArm{Carts: 100, Recovered: 10, RecoveredValue: 100000}, HoldoutNoClear},
		{"alerted recover less", RecoveryArm{Carts: 900, Recovered: 45, RecoveredValue: 450000}, RecoveryArm{Carts: 100, Recovered: 25, RecoveredValue: 250000}, HoldoutFewer},
	} {
		got := BuildHoldout(c.alerted, c.heldOut, sent)
		if got.Verdict != c.want {
			t.Errorf("%s: verdict %s, want %s (%s)", c.name, got.Verdict, c.want, got.Summary)
		}
		if got.RecoveredAfterAlert.Carts != 90 || got.RecoveredAfterAlert.Recovered != 18 || got.RecoveredAfterAlert.RecoveredValue != "1800.00" {
			t.Errorf("%s: the plain figure is %+v", c.name, got.RecoveredAfterAlert)
		}
	}
	adds := BuildHoldout(RecoveryArm{Carts: 900, Recovered: 180, RecoveredValue: 1800000}, RecoveryArm{Carts: 100, Recovered: 5, RecoveredValue: 50000}, sent)
	// Lift 0.20 − 0.05 = 0.15; mean recovered cart 10,000 (minor units) ×
	// 900 alerted carts × 0.15 = 1,350,000.
	if *adds.Lift < 0.1499 || *adds.Lift > 0.1501 || *adds.AddedValue != "13500.00" || *adds.LiftLow > *adds.Lift || *adds.LiftHigh < *adds.Lift {
		t.Errorf("alerts add: lift %v [%v, %v], added value %v", *adds.Lift, *adds.LiftLow, *adds.LiftHigh, *adds.AddedValue)
	}
	if lo, hi := Wilson(180, 900); *adds.Alerted.RateLow != lo || *adds.Alerted.RateHigh != hi || adds.Alerted.ValuePerCart != "20.00" {
		t.Errorf("alerted group %+v", adds.Alerted)
	}
	for n := int64(1); n <= 1<<20; n *= 4 {
		for _, k := range []int64{0, n / 3, n} {
			got := BuildHoldout(RecoveryArm{Carts: 9 * n, Recovered: 9 * k}, RecoveryArm{Carts: n, Recovered: k}, sent)
			if got.Verdict == HoldoutAdds || got.Verdict == HoldoutFewer || *got.LiftLow > 0 || *got.LiftHigh < 0 {
				t.Fatalf("equal rates %d/%d: verdict %s, lift [%v, %v]", k, n, got.Verdict, *got.LiftLow, *got.LiftHigh)
			}
		}
	}
}
