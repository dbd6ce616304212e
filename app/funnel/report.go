package funnel

import (
	"slices"
	"strconv"
	"time"
)

// RecoverWindow is how long after a session counts as abandoned (idle for
// the threshold) a merchant can still hope to recover it: value at risk
// holds only the carts abandoned within it.
const RecoverWindow = 7 * 24 * time.Hour

// RecoverableSince is the last activity after which an idle session is
// still at risk at now against the idle threshold: it became idle (at its
// last activity plus idle) less than RecoverWindow before now.
func RecoverableSince(now time.Time, idle time.Duration) time.Time {
	return now.Add(-idle - RecoverWindow)
}

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

	// Active counts, by furthest stage, the sessions not completed and not
	// idle at now (status active): still shopping, so not drop-offs yet.
	Active [StageCompleted + 1]int64

	AbandonedCarts, CheckoutDropoffs, PaymentDropoffs int64

	// CartsAtRisk counts, and ValueAtRisk sums the Value in minor units of,
	// the sessions a merchant can still recover: status abandoned_cart,
	// checkout_dropoff or payment_dropoff, with the last activity after
	// RecoverableSince(now, idle).
	CartsAtRisk, ValueAtRisk int64
	// UnorderedValue is the sum, in minor units, of Value over sessions that
	// reached a stage but not completed, active or idle: what the range's
	// carts without an order hold.
	UnorderedValue int64
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
	if f := s.Furthest(); f == StageCompleted {
		t.OrderValue += s.Value
	} else if f >= StageAddedToCart {
		t.UnorderedValue += s.Value
	}
	st := s.Status(now, idle)
	switch st {
	case StatusActive:
		t.Active[s.Furthest()]++
	case StatusAbandonedCart:
		t.AbandonedCarts++
	case StatusCheckoutDropoff:
		t.CheckoutDropoffs++
	case StatusPaymentDropoff:
		t.PaymentDropoffs++
	case StatusRecovered:
		t.RecoveredValue += s.Value
	}
	if DropoffStages(st) != nil && s.LastActivity.After(RecoverableSince(now, idle)) {
		t.CartsAtRisk++
		t.ValueAtRisk += s.Value
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
	// RateFromPrevious is Sessions over the previous stage's, unrounded;
	// null for the first stage or when the previous stage has no sessions.
	RateFromPrevious *float64 `json:"rate_from_previous"`
	// RateFromStart is Sessions over the first stage's, unrounded; null
	// when the first stage has no sessions.
	RateFromStart *float64 `json:"rate_from_start"`
	// The sessions that reached the previous stage but not this one are
	// DropoffFromPrevious, idle past the threshold (dropped off), plus
	// ActiveFromPrevious, still active (not drop-offs yet); both 0 for the
	// first stage.
	DropoffFromPrevious int64 `json:"dropoff_from_previous"`
	ActiveFromPrevious  int64 `json:"active_from_previous"`
	// MedianSecondsFromPrevious is the median time from the previous stage;
	// null for the first stage or when no session has both times.
	MedianSecondsFromPrevious *float64 `json:"median_seconds_from_previous"`
}

// Report is the funnel report of GET /api/funnel, less the shop and date
// range, which the HTTP layer adds.
type Report struct {
	Stages           []StageReport `json:"stages"`
	AbandonedCarts   int64         `json:"abandoned_carts"`
	CheckoutDropoffs int64         `json:"checkout_dropoffs"`
	PaymentDropoffs  int64         `json:"payment_dropoffs"`
	// ValueAtRisk is the value of the CartsAtRisk sessions: drop-offs of
	// the range abandoned within the last ValueAtRiskWindowDays (see
	// RecoverWindow).
	ValueAtRisk           string `json:"value_at_risk"`
	CartsAtRisk           int64  `json:"carts_at_risk"`
	ValueAtRiskWindowDays int    `json:"value_at_risk_window_days"`
	RecoveredValue        string `json:"recovered_value"`
	OrderValue            string `json:"order_value"`
	// AverageOrderValue prices an order: the range's order revenue over its
	// orders (basis "orders"); with no order yet, the average value of the
	// range's carts (basis "carts"); with neither, "0.00" (basis "none").
	AverageOrderValue      string `json:"average_order_value"`
	AverageOrderValueBasis string `json:"average_order_value_basis"`
	Currency               string `json:"currency"`
	// KnownFrom is, for the report of one segment value, the stage key
	// from which its attribute is known (see SegmentReport): its rates up
	// to that stage are null. Empty when every rate stands.
	KnownFrom string `json:"known_from,omitempty"`
}

// The bases of Report.AverageOrderValue.
const (
	AOVFromOrders = "orders"
	AOVFromCarts  = "carts"
	AOVNone       = "none"
)

// BuildReport turns a tally into the report. A session counts at every
// stage up to its furthest, so stage counts never rise down the funnel.
// Rates are not rounded (the page rounds each once, from the counts, with
// Percent), and every rate with a zero denominator is null, so the JSON
// never holds NaN or Inf.
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
		CartsAtRisk:      t.CartsAtRisk,
		RecoveredValue:   FormatMoney(t.RecoveredValue),
		OrderValue:       FormatMoney(t.OrderValue),
		Currency:         t.Currency,

		ValueAtRiskWindowDays: int(RecoverWindow / (24 * time.Hour)),
	}
	start := reached[StageAddedToCart]
	orders, open := reached[StageCompleted], start-reached[StageCompleted]
	var aov int64
	switch {
	case orders > 0:
		aov, r.AverageOrderValueBasis = divRound(t.OrderValue, orders), AOVFromOrders
	case open > 0:
		aov, r.AverageOrderValueBasis = divRound(t.UnorderedValue, open), AOVFromCarts
	default:
		r.AverageOrderValueBasis = AOVNone
	}
	r.AverageOrderValue = FormatMoney(aov)
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
			sr.ActiveFromPrevious = t.Active[st-1]
			sr.DropoffFromPrevious = prev - reached[st] - sr.ActiveFromPrevious
			sr.MedianSecondsFromPrevious = Median(t.Durations[st])
		}
		r.Stages = append(r.Stages, sr)
	}
	return r
}

// rate returns n/d, unrounded, or nil when d is 0.
func rate(n, d int64) *float64 {
	if d == 0 {
		return nil
	}
	x := float64(n) / float64(d)
	return &x
}

// divRound is n/d rounded half away from zero; d must be positive.
func divRound(n, d int64) int64 {
	if n < 0 {
		return -((-n + d/2) / d)
	}
	return (n + d/2) / d
}

// Percent writes n out of d as a percentage with one decimal, "22.7%" for
// 298 of 1310, or "—" when d is not positive or n is negative. It rounds
// once, from the counts themselves, half up ("6.3%" for 1 of 16): the one
// rule by which every rate of counts is shown.
func Percent(n, d int64) string {
	if d <= 0 || n < 0 {
		return "—"
	}
	// Tenths of a percent, 1000·n/d rounded half up, in integers so that no
	// binary fraction rounds first. A count too large for that (over 10^15
	// shoppers) falls back to floating point.
	var tenths int64
	if n <= 1e15 && d <= 1e15 {
		tenths = (2000*n + d) / (2 * d)
	} else {
		tenths = int64(float64(n)/float64(d)*1000 + 0.5)
	}
	return strconv.FormatInt(tenths/10, 10) + "." + strconv.FormatInt(tenths%10, 10) + "%"
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
