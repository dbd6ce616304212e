package funnel

import (
	"math/rand/v2"
	"testing"
)

// TestAnomalyWindowDays: the window is the fewest days whose history leads
// to expect 30 shoppers in it (120 over the 4 weeks), a week at most.
func TestAnomalyWindowDays(t *testing.T) {
	week := func(perDay int64) (out [AnomalyMaxWindowDays]int64) {
		for k := range out {
			out[k] = perDay * int64(k+1)
		}
		return out
	}
	for _, tc := range []struct {
		name    string
		history [AnomalyMaxWindowDays]int64
		want    int
	}{
		{"no history", [AnomalyMaxWindowDays]int64{}, 7},
		{"a big shop's day", week(600), 1},
		{"just enough in a day", week(120), 1},
		{"one short in a day", [AnomalyMaxWindowDays]int64{119, 238, 357, 476, 595, 714, 833}, 2},
		// 11 mobile shoppers a day at payment, 44 over the 4 weeks.
		{"the demo's mobile payment", week(44), 3},
		{"22 a day on all devices", week(88), 2},
		{"6 a day", week(24), 5},
		{"a week is not enough", week(16), 7},
		{"a thin day-part, whole days after", [AnomalyMaxWindowDays]int64{8, 100, 200}, 3},
	} {
		if got := AnomalyWindowDays(tc.history); got != tc.want {
			t.Errorf("%s: %d days, want %d", tc.name, got, tc.want)
		}
	}
}

// randomTallies are sessions by furthest stage on each window-day.
func randomTallies(r *rand.Rand, scale int) WindowDayTallies {
	var out WindowDayTallies
	for j := range out {
		for st := StageAddedToCart; st <= StageCompleted; st++ {
			out[j][st] = int64(r.IntN(scale + 1))
		}
	}
	return out
}

// TestWindowAnomalyInputsIgnoreTheWindow: whatever the window's own
// sessions, even none or a collapse, each step's window length is the
// same: the history alone decides it, so the test peeks at nothing.
func TestWindowAnomalyInputsIgnoreTheWindow(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 2026))
	for range 500 {
		history := randomTallies(r, 1+r.IntN(60))
		base := WindowAnomalyInputs(DeviceMobile, history, WindowDayTallies{})
		for range 5 {
			got := WindowAnomalyInputs(DeviceMobile, history, randomTallies(r, 1+r.IntN(500)))
			for i := range base {
				if got[i].Days != base[i].Days || got[i].HistoryEntering != base[i].HistoryEntering {
					t.Fatalf("step %s: %d days (history %d) with one window, %d (%d) with another",
						got[i].Label(), got[i].Days, got[i].HistoryEntering, base[i].Days, base[i].HistoryEntering)
				}
			}
		}
	}
}

// TestWindowAnomalyInputs: a big shop's steps are tested over the day so
// far exactly as CartAnomalyInputs makes them; a small shop's payment step
// over the days whose history adds up to 30 shoppers, with the window's
// and the history's counts of those days.
func TestWindowAnomalyInputs(t *testing.T) {
	var big, bigWindow, small, smallWindow WindowDayTallies
	for j := range AnomalyMaxWindowDays {
		big[j][StagePaymentReached], big[j][StageCompleted] = 180, 420
		bigWindow[j][StagePaymentReached], bigWindow[j][StageCompleted] = 75, 75
		// 11 a day reach payment (44 over the 4 weeks), 70% order.
		small[j][StagePaymentReached], small[j][StageCompleted] = 13, 31
		smallWindow[j][StagePaymentReached], smallWindow[j][StageCompleted] = 6, 5
	}
	want := CartAnomalyInputs(DeviceDesktop, big[0], bigWindow[0])
	got := WindowAnomalyInputs(DeviceDesktop, big, bigWindow)
	for i := range want {
		want[i].Days = 1
		if got[i] != want[i] {
			t.Errorf("big shop's step %d: %+v, want %+v", i, got[i], want[i])
		}
	}
	for _, in := range WindowAnomalyInputs(DeviceMobile, small, smallWindow) {
		if in.To != StageCompleted {
			continue
		}
		if in.Days != 3 || in.HistoryEntering != 132 || in.HistoryReached != 93 || in.TodayEntering != 33 || in.TodayReached != 15 {
			t.Errorf("small shop's payment step %+v", in)
		}
	}
}
