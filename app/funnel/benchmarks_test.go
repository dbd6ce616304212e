package funnel

import (
	"math"
	"testing"
)

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
		if !(0 < x.Typical && x.Typical < x.Good && x.Good <= 1) {
			t.Errorf("%s: typical %v and good %v out of order", x.To, x.Typical, x.Good)
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
