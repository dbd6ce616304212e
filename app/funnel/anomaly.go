package funnel

import (
	"math"
)

// The rules of step anomalies (DetectAnomalies).
const (
	// AnomalyFalseDiscoveryRate is the share of false alarms allowed among
	// the anomalies one scan raises, across every step and device it
	// tests at once (BenjaminiHochberg).
	AnomalyFalseDiscoveryRate = 0.01
	// AnomalyHistoryWeeks is how many past weeks (the same weekday, the
	// same hours of the day) make a step's expected rate.
	AnomalyHistoryWeeks = 4
	// AnomalyPriorCap is the most shoppers the history counts for: a
	// large shop's weeks of history would otherwise make the expected rate
	// a certainty, and every ordinary day's wobble "significant".
	AnomalyPriorCap = 1000
	// AnomalyMinShoppers is the fewest shoppers who must have reached a
	// step today for it to raise an anomaly.
	AnomalyMinShoppers = 30
	// AnomalyMinLost is the fewest shoppers a step must have lost against
	// its expected rate today to raise an anomaly.
	AnomalyMinLost = 5
)

// AnomalyInput is one step of the cart funnel for one device ("" for all
// devices): how many shoppers entered it (reached From) and went through
// it (reached To) in the history windows and in the window tested
// ("today": the day so far, or the Days days ending with it for a small
// shop, WindowAnomalyInputs), and how many of those who went through it
// in the history went on to order.
type AnomalyInput struct {
	From, To                        Stage
	Device                          Device
	HistoryEntering, HistoryReached int64
	HistoryCompleted                int64
	TodayEntering, TodayReached     int64
	// Days is how many days the window spans (0 reads as 1).
	Days int
	// AverageOrderValue, in minor units, is the history's over the
	// input's window; 0 takes DetectAnomalies' aov.
	AverageOrderValue int64
}

// Label names the step as the report does: "Reached payment → Completed
// order".
func (in AnomalyInput) Label() string { return in.From.Label() + " → " + in.To.Label() }

// CartAnomalyInputs returns the steps of the cart funnel for device, from
// the sessions by furthest stage of the history windows and of today.
func CartAnomalyInputs(device Device, history, today [StageCompleted + 1]int64) []AnomalyInput {
	steps := CartImpactInputs(device, history, today)
	rh := reachedOf(history[:])
	out := make([]AnomalyInput, 0, len(steps))
	for _, s := range steps {
		from, _ := ParseStage(s.From)
		to, _ := ParseStage(s.To)
		out = append(out, AnomalyInput{
			From: from, To: to, Device: device,
			HistoryEntering: s.BeforeEntering, HistoryReached: s.BeforeReached, HistoryCompleted: rh[StageCompleted],
			TodayEntering: s.AfterEntering, TodayReached: s.AfterReached,
		})
	}
	return out
}

// Anomaly is a step whose rate today (over its window of Days days) fell
// clearly and materially below its expected rate.
type Anomaly struct {
	From, To Stage
	Device   Device
	// Days is the window's length in days, from 1 (today alone).
	Days int
	// ExpectedRate is the mean of the history's prior, ObservedRate
	// today's rate, both from 0 to 1.
	ExpectedRate, ObservedRate float64
	// Shoppers entered the step today, Reached went through it.
	Shoppers, Reached int64
	// Lost is how many fewer shoppers went through the step than the
	// expected rate predicts, rounded.
	Lost int64
	// PValue is the chance of a rate this low or lower today if nothing
	// had changed (BetaBinomialCDF).
	PValue float64
	// ValueAtRisk is, in minor units, the orders the lost shoppers would
	// have placed: lost × the history's share of those past the step who
	// went on to order (1 for the last step) × the average order value,
	// rounded once.
	ValueAtRisk int64
}

// Label names the anomaly's step.
func (a Anomaly) Label() string { return a.From.Label() + " → " + a.To.Label() }

// AnomalyPrior is the Beta(α, β) prior of a step's rate from its history:
// 1 + the shoppers who went through it and 1 + those who did not, scaled
// down so that they count for at most AnomalyPriorCap shoppers.
func AnomalyPrior(historyEntering, historyReached int64) (alpha, beta float64) {
	n := float64(max(historyEntering, 0))
	r := min(max(float64(historyReached), 0), n)
	w := 1.0
	if n > AnomalyPriorCap {
		w = AnomalyPriorCap / n
	}
	return 1 + r*w, 1 + (n-r)*w
}

// BetaBinomialCDF is P(K ≤ k) for K ~ BetaBinomial(n, α, β): the chance
// that at most k of n shoppers go through a step whose rate is uncertain
// as Beta(α, β). It sums the probabilities
//
//	P(K = j) = C(n, j) B(j+α, n−j+β) / B(α, β)
//
// from j = 0, each next term from the last by the ratio
// (n−j)(j+α) / ((j+1)(n−j−1+β)), in logarithms. k < 0 gives 0, k ≥ n 1.
func BetaBinomialCDF(k, n int64, alpha, beta float64) float64 {
	if k < 0 {
		return 0
	}
	if k >= n {
		return 1
	}
	nf := float64(n)
	// log P(K = 0) = log B(α, n+β) − log B(α, β).
	term := lbeta(alpha, nf+beta) - lbeta(alpha, beta)
	var p float64
	for j := int64(0); j <= k; j++ {
		p += math.Exp(term)
		jf := float64(j)
		term += math.Log((nf - jf) * (jf + alpha) / ((jf + 1) * (nf - jf - 1 + beta)))
	}
	return min(max(p, 0), 1)
}

// lbeta is log B(x, y).
func lbeta(x, y float64) float64 {
	lx, _ := math.Lgamma(x)
	ly, _ := math.Lgamma(y)
	lxy, _ := math.Lgamma(x + y)
	return lx + ly - lxy
}

// DetectAnomalies returns the steps of inputs that fell both clearly and
// materially today, in the order of inputs. Every step with history and
// shoppers today is tested: its p-value (BetaBinomialCDF of today's count
// under the history's prior, AnomalyPrior) goes into a Benjamini–Hochberg
// control at AnomalyFalseDiscoveryRate across all of them. A discovery is
// an anomaly when it is also material: today's rate at most the expected
// one × (1 − materiality), at least AnomalyMinLost shoppers lost and at
// least AnomalyMinShoppers who entered the step today. materiality is a
// fraction (0.2 for a 20% drop); aov the average order value in minor
// units, for the inputs that carry none.
func DetectAnomalies(inputs []AnomalyInput, materiality float64, aov int64) []Anomaly {
	type tested struct {
		in       AnomalyInput
		expected float64
		p        float64
	}
	var ts []tested
	for _, in := range inputs {
		if in.HistoryEntering <= 0 || in.TodayEntering <= 0 {
			continue
		}
		a, b := AnomalyPrior(in.HistoryEntering, in.HistoryReached)
		k := min(max(in.TodayReached, 0), in.TodayEntering)
		ts = append(ts, tested{in, a / (a + b), BetaBinomialCDF(k, in.TodayEntering, a, b)})
	}
	ps := make([]float64, len(ts))
	for i, t := range ts {
		ps[i] = t.p
	}
	found := BenjaminiHochberg(ps, AnomalyFalseDiscoveryRate)
	var out []Anomaly
	for i, t := range ts {
		n, k := t.in.TodayEntering, min(max(t.in.TodayReached, 0), t.in.TodayEntering)
		observed := float64(k) / float64(n)
		lost := t.expected*float64(n) - float64(k)
		if !found[i] || n < AnomalyMinShoppers || lost < AnomalyMinLost || observed > t.expected*(1-materiality) {
			continue
		}
		value := aov
		if t.in.AverageOrderValue > 0 {
			value = t.in.AverageOrderValue
		}
		onward := 1.0
		if t.in.To != StageCompleted && t.in.HistoryReached > 0 {
			onward = min(float64(t.in.HistoryCompleted)/float64(t.in.HistoryReached), 1)
		}
		out = append(out, Anomaly{
			From: t.in.From, To: t.in.To, Device: t.in.Device, Days: max(t.in.Days, 1),
			ExpectedRate: t.expected, ObservedRate: observed, Shoppers: n, Reached: k,
			Lost: int64(math.Round(lost)), PValue: t.p,
			ValueAtRisk: int64(math.Round(lost * onward * float64(max(value, 0)))),
		})
	}
	return out
}

// StepCounts is how many shoppers entered a step and went through it in
// one stretch of time (an hour of today, for DropOnset).
type StepCounts struct {
	Entering, Reached int64
}

// DropOnset returns the index of the hour since which a step's rate fell
// from expected: of the hours of today in order, the split that best
// explains them as the expected rate before it and one lower rate from it
// on (the largest binomial likelihood; the earliest on a tie). 0 means the
// whole day; hours without shoppers count for nothing.
func DropOnset(hours []StepCounts, expected float64) int {
	expected = min(max(expected, 1e-9), 1-1e-9)
	ll := func(k, n int64, p float64) float64 {
		if n <= 0 {
			return 0
		}
		p = min(max(p, 1e-9), 1-1e-9)
		return float64(k)*math.Log(p) + float64(n-k)*math.Log(1-p)
	}
	best, bestLL := 0, math.Inf(-1)
	for h := range hours {
		var before float64
		for _, c := range hours[:h] {
			before += ll(c.Reached, c.Entering, expected)
		}
		var n, k int64
		for _, c := range hours[h:] {
			n, k = n+c.Entering, k+c.Reached
		}
		if n == 0 {
			break
		}
		after := float64(k) / float64(n)
		if after >= expected {
			// No drop from here on: the split explains nothing.
			continue
		}
		if total := before + ll(k, n, after); total > bestLL+1e-9 {
			best, bestLL = h, total
		}
	}
	return best
}
