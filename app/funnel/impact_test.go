package funnel

import (
	"strings"
	"testing"
	"time"
)

func TestImpactWindowFor(t *testing.T) {
	at := time.Date(2026, 11, 2, 15, 30, 0, 0, time.UTC)
	day := 24 * time.Hour
	cases := []struct {
		elapsed  time.Duration
		weeks    int
		length   time.Duration
		full     bool
		daysLeft int
	}{
		{30 * day, 2, 2 * Week, true, 0},
		{13 * day, 2, Week, true, 0},
		{7 * day, 2, Week, true, 0},
		{60 * day, 99, 8 * Week, true, 0},
		{60 * day, 0, Week, true, 0},
		{3*day + 12*time.Hour, 2, 3*day + 12*time.Hour, false, 4},
		{-time.Hour, 2, 0, false, 7},
	}
	for _, c := range cases {
		w := ImpactWindowFor(at, at.Add(c.elapsed), c.weeks)
		if w.Length != c.length || w.FullWeek != c.full || w.DaysToFullWeek != c.daysLeft ||
			!w.BeforeStart.Equal(at.Add(-c.length)) || !w.AfterEnd.Equal(at.Add(c.length)) {
			t.Errorf("elapsed %v, %d weeks: %+v", c.elapsed, c.weeks, w)
		}
	}
}

func TestJudgeImpact(t *testing.T) {
	full := ImpactWindow{Length: 2 * Week, FullWeek: true}
	step := func(bk, bn, ak, an int64) ImpactInput {
		return ImpactInput{Funnel: FunnelCart, From: "a", To: "b", BeforeEntering: bn, BeforeReached: bk, AfterEntering: an, AfterReached: ak, AfterCompleted: ak}
	}
	got := JudgeImpact([]ImpactInput{
		step(700, 1000, 500, 1000), // a big drop
		step(300, 1000, 400, 1000), // a big rise
		step(500, 1000, 510, 1000), // noise
		step(5, 20, 10, 20),        // too few entering
		step(0, 500, 0, 500),       // never completed in either
		step(2, 1000, 1, 1000),     // too few completing to tell
	}, full, 10000)
	want := []ImpactVerdict{ImpactWorse, ImpactImproved, ImpactNoClearChange, ImpactTooFew, ImpactNoClearChange, ImpactTooFew}
	for i, s := range got {
		if s.Verdict != want[i] {
			t.Errorf("step %d: %s (P %.4f), want %s", i, s.Verdict, s.ProbImproved, want[i])
		}
	}
	// 20 entering in two weeks: 30 need three weeks of that traffic,
	// a week more.
	if got[3].MoreDays != 7 || got[3].VerdictText != "Not enough shoppers yet — about 7 more days at this traffic" {
		t.Errorf("too few: %d days, %q", got[3].MoreDays, got[3].VerdictText)
	}
	// 3 of 2000 complete: 5 expected each side needs 3334 per window,
	// 46.7 days of 1000 per fortnight: seven weeks, 35 days more.
	if got[5].MoreDays != 35 {
		t.Errorf("rare completions: %d more days", got[5].MoreDays)
	}
	if !got[0].Tested || !got[0].Discovery || got[2].Discovery || got[3].Tested {
		t.Errorf("tested/discovery: %+v", got)
	}
	// The drop is priced as a loss, the rise as a gain, per month: the
	// drop's worth is 1000 entering × (500/500 completed onward) × 100.00,
	// scaled from two weeks to 30 days, times −0.2.
	if got[0].MonthlyEffect >= 0 || got[1].MonthlyEffect <= 0 || got[0].MonthlyLow > got[0].MonthlyEffect || got[0].MonthlyHigh < got[0].MonthlyEffect {
		t.Errorf("effects: %d [%d, %d], %d", got[0].MonthlyEffect, got[0].MonthlyLow, got[0].MonthlyHigh, got[1].MonthlyEffect)
	}
	if e := got[0].MonthlyEffect; e > -4_200_000 || e < -4_400_000 { // −0.2 × 1000 × 10000 × 30/14 ≈ −4,285,714
		t.Errorf("drop priced %d, want about −4,285,714", e)
	}

	early := JudgeImpact([]ImpactInput{step(700, 1000, 100, 1000)}, ImpactWindow{Length: 3 * 24 * time.Hour, DaysToFullWeek: 4}, 0)
	if early[0].Verdict != ImpactTooEarly || !strings.Contains(early[0].VerdictText, "4 more days") || early[0].MonthlyEffect != 0 {
		t.Errorf("too early: %+v", early[0])
	}
}

// TestJudgeImpactControlsFalseDiscoveries checks that a difference that
// stands alone (two-sided tail about 0.03) is no longer claimed among
// many steps that did not move.
func TestJudgeImpactControlsFalseDiscoveries(t *testing.T) {
	full := ImpactWindow{Length: 2 * Week, FullWeek: true}
	marginal := ImpactInput{BeforeEntering: 1000, BeforeReached: 500, AfterEntering: 1000, AfterReached: 548}
	if got := JudgeImpact([]ImpactInput{marginal}, full, 0); got[0].Verdict != ImpactImproved {
		t.Fatalf("alone: %s (P %.4f)", got[0].Verdict, got[0].ProbImproved)
	}
	inputs := []ImpactInput{marginal}
	for range 9 {
		inputs = append(inputs, ImpactInput{BeforeEntering: 1000, BeforeReached: 500, AfterEntering: 1000, AfterReached: 505})
	}
	if got := JudgeImpact(inputs, full, 0); got[0].Verdict != ImpactNoClearChange || got[0].Discovery {
		t.Fatalf("among ten: %s", got[0].Verdict)
	}
}

func TestCartImpactInputs(t *testing.T) {
	var before, after [StageCompleted + 1]int64
	before[StageAddedToCart], before[StagePaymentReached], before[StageCompleted] = 50, 30, 20
	after[StagePaymentReached], after[StageCompleted] = 40, 10
	in := CartImpactInputs(DeviceMobile, before, after)
	if len(in) != 5 {
		t.Fatalf("%d steps", len(in))
	}
	pay := in[4]
	if pay.From != "payment_reached" || pay.To != "completed" || pay.BeforeEntering != 50 || pay.BeforeReached != 20 ||
		pay.AfterEntering != 50 || pay.AfterReached != 10 || pay.AfterCompleted != 10 || pay.Device != DeviceMobile {
		t.Fatalf("payment step: %+v", pay)
	}
	if first := in[0]; first.BeforeEntering != 100 || first.BeforeReached != 50 || first.Label != "Added to cart → Started checkout" {
		t.Fatalf("first step: %+v", first)
	}
}

func TestOverlappingChanges(t *testing.T) {
	at := time.Date(2026, 11, 2, 0, 0, 0, 0, time.UTC)
	w := ImpactWindowFor(at, at.Add(30*24*time.Hour), 2)
	others := []time.Time{at.Add(-15 * 24 * time.Hour), at.Add(-2 * Week), at.Add(3 * 24 * time.Hour), at.Add(2 * Week)}
	got := OverlappingChanges(w, others)
	if len(got) != 2 || got[0] != 1 || got[1] != 2 {
		t.Fatalf("overlapping %v", got)
	}
}
