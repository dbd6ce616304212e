package funnel

import (
	"math"
	"strconv"
	"time"
)

// ImpactVerdict is what the impact of a store change says of one step.
type ImpactVerdict string

// The verdicts of a step's impact.
const (
	ImpactImproved      ImpactVerdict = "improved"
	ImpactWorse         ImpactVerdict = "worse"
	ImpactNoClearChange ImpactVerdict = "no_clear_change"
	// ImpactTooFew is a step with too few shoppers (or too few of them
	// either converting or not) in a window to tell.
	ImpactTooFew ImpactVerdict = "not_enough_shoppers"
	// ImpactTooEarly is every step of a change whose after window does
	// not yet hold a full week.
	ImpactTooEarly ImpactVerdict = "too_early"
)

// Label names the verdict in plain words (without the days to wait,
// which ImpactStep.VerdictText adds).
func (v ImpactVerdict) Label() string {
	switch v {
	case ImpactImproved:
		return "Improved"
	case ImpactWorse:
		return "Worse"
	case ImpactNoClearChange:
		return "No clear change"
	case ImpactTooEarly:
		return "Too early to tell"
	}
	return "Not enough shoppers yet"
}

// ImpactFalseDiscoveryRate is the share of wrong "improved" or "worse"
// verdicts the impact of a change allows among those it gives, across all
// the steps and devices it tests at once (BenjaminiHochberg).
const ImpactFalseDiscoveryRate = 0.05

// MinExpectedConversions is, for a step to be tested, the fewest shoppers
// each window must be expected to have both reaching and not reaching the
// step's end were the rate the same in both windows (the pooled rate times
// the window's shoppers): below it one shopper more or less swings the
// comparison.
const MinExpectedConversions = 5

// Week is the unit impact windows are made of, so that each window holds
// every weekday equally often.
const Week = 7 * 24 * time.Hour

// DefaultImpactWeeks is the length of each impact window, when the change
// is old enough: two weeks before, two weeks after.
const DefaultImpactWeeks = 2

// MaxImpactWeeks is the longest impact window asked for.
const MaxImpactWeeks = 8

// ImpactWindow is the two windows a change is judged by: Before is
// [At − Length, At), After [At, At + Length). Length is the most whole
// weeks, up to the weeks asked for, that have passed since the change;
// before a full week has passed it is the time passed so far, FullWeek is
// false and DaysToFullWeek says how many days are left.
type ImpactWindow struct {
	At, BeforeStart, AfterEnd time.Time
	Length                    time.Duration
	FullWeek                  bool
	DaysToFullWeek            int
}

// ImpactWindowFor returns the windows of a change at at, seen at now, of
// at most weeks weeks each (clamped to 1..MaxImpactWeeks).
func ImpactWindowFor(at, now time.Time, weeks int) ImpactWindow {
	weeks = min(max(weeks, 1), MaxImpactWeeks)
	elapsed := max(now.Sub(at), 0)
	w := ImpactWindow{At: at}
	if full := int(elapsed / Week); full >= 1 {
		w.Length, w.FullWeek = time.Duration(min(full, weeks))*Week, true
	} else {
		w.Length = elapsed
		w.DaysToFullWeek = int(math.Ceil(float64(Week-elapsed) / float64(24*time.Hour)))
	}
	w.BeforeStart, w.AfterEnd = at.Add(-w.Length), at.Add(w.Length)
	return w
}

// ImpactInput is one step of one funnel and device, counted in both
// windows: the shoppers entering and reaching it, and, in the after
// window, those who went on to complete an order (which, with
// laterTypical when none reached the step, prices its change the way
// "what to fix first" prices a leak).
type ImpactInput struct {
	Funnel, From, To, Label string
	// Device is "" for all devices.
	Device                        Device
	BeforeEntering, BeforeReached int64
	AfterEntering, AfterReached   int64
	AfterCompleted                int64
	laterTypical                  float64
}

// The funnels of an impact.
const (
	FunnelCart       = "cart"
	FunnelStorefront = "storefront"
)

// CartImpactInputs returns the steps of the cart funnel (its benchmarks'
// transitions) for device, from the sessions by furthest stage in each
// window.
func CartImpactInputs(device Device, before, after [StageCompleted + 1]int64) []ImpactInput {
	rb, ra := reachedOf(before[:]), reachedOf(after[:])
	bench := Benchmarks()
	out := make([]ImpactInput, 0, len(bench))
	for i, b := range bench {
		later := 1.0
		for _, l := range bench[i+1:] {
			later *= l.Typical
		}
		from, to := b.To-1, b.To
		out = append(out, ImpactInput{
			Funnel: FunnelCart, Device: device, From: from.Key(), To: to.Key(), Label: from.Label() + " → " + to.Label(),
			BeforeEntering: rb[from], BeforeReached: rb[to], AfterEntering: ra[from], AfterReached: ra[to],
			AfterCompleted: ra[StageCompleted], laterTypical: later,
		})
	}
	return out
}

// StorefrontImpactInputs returns the storefront steps before the cart
// (StorefrontLeakSteps) for device, from the visits of each window.
func StorefrontImpactInputs(device Device, before, after StorefrontTally) []ImpactInput {
	rb, ra := before.Reached(), after.Reached()
	steps := StorefrontLeakSteps()
	out := make([]ImpactInput, 0, len(steps))
	for i, to := range steps {
		later := typicalCheckout()
		for _, next := range steps[i+1:] {
			if nb, ok := StorefrontBenchmarkFor(next, PerVisit, device); ok {
				later *= nb.Typical
			}
		}
		from := to - 1
		out = append(out, ImpactInput{
			Funnel: FunnelStorefront, Device: device, From: from.Key(), To: to.Key(), Label: from.Label() + " → " + to.Label(),
			BeforeEntering: rb[from], BeforeReached: rb[to], AfterEntering: ra[from], AfterReached: ra[to],
			AfterCompleted: ra[StorefrontCompleted], laterTypical: later,
		})
	}
	return out
}

// reachedOf turns counts by furthest stage into counts at every stage up
// to it.
func reachedOf(furthest []int64) []int64 {
	out := make([]int64, len(furthest))
	var run int64
	for st := len(furthest) - 1; st >= 0; st-- {
		run += furthest[st]
		out[st] = run
	}
	return out
}

// ImpactStep is the verdict on one step of a change's impact.
type ImpactStep struct {
	Funnel string `json:"funnel"`
	Device Device `json:"device"`
	From   string `json:"from"`
	To     string `json:"to"`
	Label  string `json:"label"`
	RateComparison
	// Tested says whether the step had the shoppers to be tested;
	// Discovery whether, among all the steps tested, its difference
	// stands with the false discovery rate held at
	// ImpactFalseDiscoveryRate.
	Tested    bool          `json:"tested"`
	Discovery bool          `json:"discovery"`
	Verdict   ImpactVerdict `json:"verdict"`
	// VerdictText is the verdict in words, with the days to wait for one
	// where that can be estimated; MoreDays is those days (0 when not
	// known or not needed).
	VerdictText string `json:"verdict_text"`
	MoreDays    int    `json:"more_days"`
	// MonthlyEffect is the rate's difference priced as "what to fix
	// first" prices a leak, per Month, in minor units, signed and rounded
	// to the precision its interval supports; MonthlyLow..MonthlyHigh the
	// same at the interval's ends. All 0 without an order value.
	MonthlyEffect int64 `json:"-"`
	MonthlyLow    int64 `json:"-"`
	MonthlyHigh   int64 `json:"-"`
}

// JudgeImpact compares every step of inputs in the windows w and gives
// each its verdict:
//
//   - too early, when the after window does not hold a full week yet;
//   - not enough shoppers, when either window has fewer than MinShoppers
//     entering the step or fewer than MinExpectedConversions expected on
//     either side of it, with the days more of the same traffic that
//     would reach them (in whole weeks, as the windows grow);
//   - otherwise the step is tested: its two-sided tail probability
//     (TwoSided of the probability it improved) joins those of every
//     other tested step, and only those BenjaminiHochberg finds at
//     ImpactFalseDiscoveryRate are improved or worse; the rest are no
//     clear change. A step no shopper ever completed, or ever left, in
//     either window has not moved: no clear change.
//
// aov (minor units) prices each step's difference with the rule of "what
// to fix first".
func JudgeImpact(inputs []ImpactInput, w ImpactWindow, aov int64) []ImpactStep {
	out := make([]ImpactStep, len(inputs))
	var tested []int
	var tails []float64
	for i, in := range inputs {
		s := ImpactStep{Funnel: in.Funnel, Device: in.Device, From: in.From, To: in.To, Label: in.Label,
			RateComparison: CompareRates(in.BeforeReached, in.BeforeEntering, in.AfterReached, in.AfterEntering)}
		s.priceEffect(in, w, aov)
		switch need := shoppersNeeded(in); {
		case !w.FullWeek:
			s.Verdict, s.MoreDays = ImpactTooEarly, w.DaysToFullWeek
		case need < 0:
			s.Verdict = ImpactNoClearChange
		case need > 0:
			s.Verdict, s.MoreDays = ImpactTooFew, moreDays(need, min(in.BeforeEntering, in.AfterEntering), w.Length)
		default:
			s.Tested = true
			tested = append(tested, i)
			tails = append(tails, TwoSided(s.ProbImproved))
			s.Verdict = ImpactNoClearChange
		}
		out[i] = s
	}
	for j, found := range BenjaminiHochberg(tails, ImpactFalseDiscoveryRate) {
		if !found {
			continue
		}
		s := &out[tested[j]]
		s.Discovery = true
		s.Verdict = ImpactWorse
		if s.ProbImproved > 0.5 {
			s.Verdict = ImpactImproved
		}
	}
	for i := range out {
		out[i].VerdictText = verdictText(out[i].Verdict, out[i].MoreDays)
	}
	return out
}

// shoppersNeeded is how many shoppers each window must have entering the
// step to test it: 0 when both have enough, −1 when the step never moved
// (no shopper in either window completed it, or none failed to), else the
// count the smaller window falls short of.
func shoppersNeeded(in ImpactInput) int64 {
	n := in.BeforeEntering + in.AfterEntering
	k := in.BeforeReached + in.AfterReached
	if n > 0 && min(in.BeforeEntering, in.AfterEntering) >= MinShoppers && (k == 0 || k == n) {
		return -1
	}
	need := int64(MinShoppers)
	if n > 0 && k > 0 && k < n {
		p := float64(k) / float64(n)
		need = max(need, int64(math.Ceil(MinExpectedConversions/min(p, 1-p))))
	}
	if min(in.BeforeEntering, in.AfterEntering) >= need {
		return 0
	}
	return need
}

// moreDays estimates how many more days, in whole weeks, windows of the
// traffic have (have shoppers in length) need to hold need shoppers: 0
// when there is no traffic to estimate from.
func moreDays(need, have int64, length time.Duration) int {
	days := length.Hours() / 24
	if have <= 0 || days <= 0 {
		return 0
	}
	total := float64(need) / (float64(have) / days)
	weeks := math.Ceil(total / 7)
	return max(int(weeks*7-days), 1)
}

// verdictText writes a verdict in words, with its days to wait.
func verdictText(v ImpactVerdict, days int) string {
	switch {
	case v == ImpactTooFew && days > 0:
		return "Not enough shoppers yet — about " + plural(days, "more day") + " at this traffic"
	case v == ImpactTooEarly && days > 0:
		return "Too early to tell — the after window needs a full week: " + plural(days, "more day")
	}
	return v.Label()
}

// plural writes n and the noun, with an s unless n is 1.
func plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return strconv.Itoa(n) + " " + noun + "s"
}

// priceEffect prices the step's difference, and its interval's ends, per
// Month with priceStep's worth of the step in the after window.
func (s *ImpactStep) priceEffect(in ImpactInput, w ImpactWindow, aov int64) {
	if aov <= 0 || w.Length <= 0 {
		return
	}
	worth := step{entering: in.AfterEntering, reached: in.AfterReached, completed: in.AfterCompleted,
		laterTypical: in.laterTypical}.worth(aov) * float64(Month) / float64(w.Length)
	u := toMinor(math.Abs(worth * (s.DifferenceHigh - s.DifferenceLow) / 2))
	signed := func(x float64) int64 {
		if x < 0 {
			return -RoundEstimate(toMinor(-x), u)
		}
		return RoundEstimate(toMinor(x), u)
	}
	s.MonthlyEffect = signed(worth * s.Difference)
	s.MonthlyLow, s.MonthlyHigh = signed(worth*s.DifferenceLow), signed(worth*s.DifferenceHigh)
}

// OverlappingChanges returns, of the times of a shop's other changes,
// those inside the windows of w (from BeforeStart to AfterEnd), whose
// effects the impact cannot tell apart from the change's own.
func OverlappingChanges(w ImpactWindow, others []time.Time) []int {
	var out []int
	for i, t := range others {
		if !t.Before(w.BeforeStart) && t.Before(w.AfterEnd) {
			out = append(out, i)
		}
	}
	return out
}
