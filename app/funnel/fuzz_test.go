package funnel

import (
	"math"
	"reflect"
	"testing"
	"time"
)

// byteChooser draws decisions from fuzz input; once it runs out every
// decision is 0, so every input, however short, yields events.
func byteChooser(data []byte) chooser {
	return func(n int) int {
		if len(data) == 0 || n <= 1 {
			return 0
		}
		b := int(data[0])
		data = data[1:]
		return b % n
	}
}

func FuzzApply(f *testing.F) {
	f.Add([]byte{})
	f.Add([]byte{0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15})
	f.Add([]byte("checkout with a shipping line, then an order, then the cart"))
	f.Add([]byte{255, 254, 253, 3, 3, 3, 3, 1, 1, 1, 1, 2, 2, 2, 2, 0, 0, 0, 0, 7, 7, 7})
	mono := time.Now()
	f.Fuzz(func(t *testing.T, data []byte) {
		pick := byteChooser(data)
		events := make([]Event, 1+pick(5))
		for i := range events {
			events[i] = genEvent(pick, mono)
		}
		var s Session
		for _, e := range events {
			next := s.Apply(e)
			if again := next.Apply(e); !reflect.DeepEqual(again, next) {
				t.Fatalf("Apply not idempotent for %+v\nonce  %+v\ntwice %+v", e, next, again)
			}
			s = next
		}
		var rev Session
		for i := len(events) - 1; i >= 0; i-- {
			rev = rev.Apply(events[i])
		}
		if !reflect.DeepEqual(rev, s) {
			t.Fatalf("reverse order differs\nforward %+v\nreverse %+v", s, rev)
		}
		// Whatever the events, the derived views must hold together.
		if f := s.Furthest(); f != StageNone && s.StageTime(f) == nil {
			t.Fatalf("furthest stage %v has no time", f)
		}
		// A zero stage time means the payload had no usable time at all.
		if ft := s.StageTime(s.Furthest()); ft != nil && !ft.IsZero() && s.StartedAt.After(*ft) {
			t.Fatalf("started %v after furthest stage %v", s.StartedAt, ft)
		}
		if s.LastActivity.Before(s.StartedAt) {
			t.Fatalf("last activity %v before start %v", s.LastActivity, s.StartedAt)
		}
		var tl Tally
		tl.Add(s, t2, time.Hour)
		BuildReport(tl)
	})
}

// FuzzCheckedArithmetic holds MulAmount and AddAmount to exact big-integer
// arithmetic; the seeds are the poison amounts of webhook payloads.
func FuzzCheckedArithmetic(f *testing.F) {
	f.Add(int64(1<<31), int64(1999))             // a line quantity of 2^31
	f.Add(int64(math.MaxInt64), int64(2))        // price × quantity past int64
	f.Add(int64(math.MinInt64), int64(-1))       // the product that divides back
	f.Add(int64(-2), int64(math.MaxInt64))       // a negative price
	f.Add(MaxAmount, int64(MaxQuantity))         // the bounds' own product
	f.Add(int64(9223372036854775807), int64(-1)) // a sum that just fits
	f.Fuzz(func(t *testing.T, a, b int64) {
		checkedAgainstBig(t, a, b)
	})
}
