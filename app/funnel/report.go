package funnel

import (
	"math"
	"slices"
	"time"
)

// Tally is what the store aggregates for one shop, date range and segment
// value: the raw counts and sums BuildReport turns into a report. The store
// may fill it by SQL or by folding sessions with Add; both must agree.
type Tally struct {
	// Furthest counts sessions by furthest stage (the index); index
	// StageNone holds sessions that reached no stage, which the report
	// leaves out.
	Furthest [StageCompleted + 1]int64
	// Durations holds, per stage, the time from the previous stage's time
	// to this one's, for sessions that have both; unsorted. A negative gap
	// (payload times out of step) counts as zero.
	Durations [StageCompleted + 1][]time.Duration

	AbandonedCarts, CheckoutDropoffs, PaymentDropoffs int64

	// ValueAtRisk is the sum, in minor units, of Value over sessions with
	// status abandoned_cart, checkout_dropoff or payment_dropoff.
	ValueAtRisk int64
	// RecoveredValue is the sum, in minor units, of Value over recovered
	// sessions.
	RecoveredValue int64
	// OrderValue is the sum, in minor units, of Value over completed
	// sessions, recovered ones included: the range's order revenue.
	OrderValue int64
	// Currency is the currency of the sums. Add keeps the smallest non-empty
	// currency code it sees, so the fold order cannot change it; a shop
	// normally has only one.
	Currency string
}

// Add folds one session into t, with its status taken at now against the
// idle threshold.
func (t *Tally) Add(s Session, now time.Time, idle time.Duration) {
	t.Furthest[s.Furthest()]++
	prev := s.StageTime(StageAddedToCart)
	for st := StageCheckoutStarted; st <= StageCompleted; st++ {
		cur := s.StageTime(st)
		if prev != nil && cur != nil {
			t.Durations[st] = append(t.Durations[st], max(cur.Sub(*prev), 0))
		}
		prev = cur
	}
	if s.Completed() {
		t.OrderValue += s.Value
	}
	switch s.Status(now, idle) {
	case StatusAbandonedCart:
		t.AbandonedCarts++
		t.ValueAtRisk += s.Value
	case StatusCheckoutDropoff:
		t.CheckoutDropoffs++
		t.ValueAtRisk += s.Value
	case StatusPaymentDropoff:
		t.PaymentDropoffs++
		t.ValueAtRisk += s.Value
	case StatusRecovered:
		t.RecoveredValue += s.Value
	}
	if s.Currency != "" && (t.Currency == "" || s.Currency < t.Currency) {
		t.Currency = s.Currency
	}
}

// StageReport is one stage's line of the funnel report.
type StageReport struct {
	Key      string `json:"key"`
	Label    string `json:"label"`
	Sessions int64  `json:"sessions"`
	// RateFromPrevious is Sessions over the previous stage's; null for the
	// first stage or when the previous stage has no sessions.
	RateFromPrevious *float64 `json:"rate_from_previous"`
	// RateFromStart is Sessions over the first stage's; null when the first
	// stage has no sessions.
	RateFromStart *float64 `json:"rate_from_start"`
	// DropoffFromPrevious is how many sessions reached the previous stage
	// but not this one; 0 for the first stage.
	DropoffFromPrevious int64 `json:"dropoff_from_previous"`
	// MedianSecondsFromPrevious is the median time from the previous stage;
	// null for the first stage or when no session has both times.
	MedianSecondsFromPrevious *float64 `json:"median_seconds_from_previous"`
}

// Report is the funnel report of DESIGN.md, less the shop and date range,
// which the HTTP layer adds.
type Report struct {
	Stages           []StageReport `json:"stages"`
	AbandonedCarts   int64         `json:"abandoned_carts"`
	CheckoutDropoffs int64         `json:"checkout_dropoffs"`
	PaymentDropoffs  int64         `json:"payment_dropoffs"`
	ValueAtRisk      string        `json:"value_at_risk"`
	RecoveredValue   string        `json:"recovered_value"`
	OrderValue       string        `json:"order_value"`
	Currency         string        `json:"currency"`
	// KnownFrom is, for the report of one segment value, the stage key
	// from which its attribute is known (see SegmentReport): its rates up
	// to that stage are null. Empty when every rate stands.
	KnownFrom string `json:"known_from,omitempty"`
}

// BuildReport turns a tally into the report. A session counts at every
// stage up to its furthest, so stage counts never rise down the funnel.
// Rates are rounded to four decimals, and every rate with a zero
// denominator is null, so the JSON never holds NaN or Inf.
func BuildReport(t Tally) Report {
	var reached [StageCompleted + 1]int64
	var run int64
	for st := StageCompleted; st >= StageAddedToCart; st-- {
		run += t.Furthest[st]
		reached[st] = run
	}
	stages := Stages()
	r := Report{
		Stages:           make([]StageReport, 0, len(stages)),
		AbandonedCarts:   t.AbandonedCarts,
		CheckoutDropoffs: t.CheckoutDropoffs,
		PaymentDropoffs:  t.PaymentDropoffs,
		ValueAtRisk:      FormatMoney(t.ValueAtRisk),
		RecoveredValue:   FormatMoney(t.RecoveredValue),
		OrderValue:       FormatMoney(t.OrderValue),
		Currency:         t.Currency,
	}
	start := reached[StageAddedToCart]
	for _, st := range stages {
		sr := StageReport{
			Key:           st.Key(),
			Label:         st.Label(),
			Sessions:      reached[st],
			RateFromStart: rate(reached[st], start),
		}
		if st > StageAddedToCart {
			prev := reached[st-1]
			sr.RateFromPrevious = rate(reached[st], prev)
			sr.DropoffFromPrevious = prev - reached[st]
			sr.MedianSecondsFromPrevious = Median(t.Durations[st])
		}
		r.Stages = append(r.Stages, sr)
	}
	return r
}

// rate returns n/d rounded to four decimals, or nil when d is 0.
func rate(n, d int64) *float64 {
	if d == 0 {
		return nil
	}
	x := math.Round(float64(n)/float64(d)*1e4) / 1e4
	return &x
}

// Median returns the median of d in seconds, the mean of the two middle
// values for an even count, or nil for none. It does not reorder d.
func Median(d []time.Duration) *float64 {
	if len(d) == 0 {
		return nil
	}
	s := slices.Clone(d)
	slices.Sort(s)
	mid := len(s) / 2
	m := s[mid].Seconds()
	if len(s)%2 == 0 {
		// Halve before adding: two long durations could overflow as int64.
		m = s[mid-1].Seconds()/2 + s[mid].Seconds()/2
	}
	return &m
}
