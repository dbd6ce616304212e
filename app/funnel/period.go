package funnel

import (
	"math"
	"strconv"
	"time"
)

// Previous is the range of as many days just before r: for 2026-11-01 to
// 2026-11-24, the 24 days 2026-10-08 to 2026-10-31, in r's zone.
func (r DayRange) Previous() DayRange {
	n := civilDay(r.Len())
	return DayRange{first: r.first - n, last: r.first - 1, loc: r.loc}
}

// PeriodVerdict is what the comparison of one figure with the previous
// period says.
type PeriodVerdict string

// The verdicts of a period comparison.
const (
	// PeriodChanged is a difference beyond noise: Direction says which way.
	PeriodChanged       PeriodVerdict = "changed"
	PeriodNoClearChange PeriodVerdict = "no_clear_change"
	// PeriodTooFew is a figure with too few shoppers in a period to tell.
	PeriodTooFew PeriodVerdict = "not_enough_shoppers"
	// PeriodNoHistory is every figure of a comparison whose previous
	// period begins before the shop's data does.
	PeriodNoHistory PeriodVerdict = "no_previous_data"
	// PeriodNotTested is an amount of money with no count to test it by:
	// the difference is shown, never an arrow.
	PeriodNotTested PeriodVerdict = "not_tested"
	// PeriodNotCompared is a figure that means something else in a past
	// period (value at risk holds only the last days' carts).
	PeriodNotCompared PeriodVerdict = "not_compared"
)

// Direction is which way a figure moved against the previous period:
// PeriodUp or PeriodDown only when its verdict is PeriodChanged, else
// PeriodFlat.
type Direction string

// The directions of a period comparison.
const (
	PeriodUp   Direction = "up"
	PeriodDown Direction = "down"
	PeriodFlat Direction = "none"
)

// The kinds of figure a period comparison compares.
const (
	FigureRate  = "rate"
	FigureCount = "count"
	FigureMoney = "money"
)

// FigureChange is one figure of the report compared with the previous
// period of the same length. Only the fields of its Kind are set.
type FigureChange struct {
	Kind      string        `json:"kind"`
	Verdict   PeriodVerdict `json:"verdict"`
	Direction Direction     `json:"direction"`
	// EnoughShoppers says whether both periods had the shoppers to test
	// the figure at all.
	EnoughShoppers bool `json:"enough_shoppers"`
	// Text says the comparison in words: "up 4.1 points vs the previous
	// 24 days", "no clear change vs the previous 24 days".
	Text string `json:"text"`

	// A rate's previous value and its difference (current − previous,
	// 0.041 = 4.1 points) with the 95% credible interval of CompareRates.
	PreviousRate   *float64 `json:"previous_rate,omitempty"`
	Difference     *float64 `json:"difference,omitempty"`
	DifferenceLow  *float64 `json:"difference_low,omitempty"`
	DifferenceHigh *float64 `json:"difference_high,omitempty"`

	// A count's previous value and the ratio of the two periods' counts
	// per time elapsed (1.12 = 12% more), with its 95% interval; Ratio is
	// null when the previous count is 0, RatioHigh when the interval has
	// no upper end.
	Previous  *int64   `json:"previous,omitempty"`
	Ratio     *float64 `json:"ratio,omitempty"`
	RatioLow  *float64 `json:"ratio_low,omitempty"`
	RatioHigh *float64 `json:"ratio_high,omitempty"`

	// An amount's previous value and difference, decimal strings as the
	// report carries money.
	PreviousAmount   string `json:"previous_amount,omitempty"`
	DifferenceAmount string `json:"difference_amount,omitempty"`

	tested bool    // both periods have enough shoppers, so tail counts
	tail   float64 // two-sided tail probability of no difference
	up     bool    // the current figure is the higher
}

// StageChange is one stage's comparison: its sessions in the previous
// period (null without the whole previous period in the data) and its
// rate from the previous stage (null for the first stage).
type StageChange struct {
	Key              string        `json:"key"`
	PreviousSessions *int64        `json:"previous_sessions"`
	RateFromPrevious *FigureChange `json:"rate_from_previous"`
}

// PeriodSpan is how the two periods of a comparison compare: the days of
// each, the time that has passed of each (the current one may end today),
// and whether the shop's data covers the whole previous period.
type PeriodSpan struct {
	Days              int
	Current, Previous time.Duration
	HasPrevious       bool
}

// PeriodComparison is one funnel's figures compared with the previous
// period: each stage's step rate and each summary figure by key.
type PeriodComparison struct {
	Stages  []StageChange           `json:"stages"`
	Summary map[string]FigureChange `json:"summary"`
}

// The summary figures of a period comparison.
const (
	SummaryCarts            = "carts"
	SummaryOrders           = "orders"
	SummaryConversion       = "conversion"
	SummaryAbandonedCarts   = "abandoned_carts"
	SummaryCheckoutDropoffs = "checkout_dropoffs"
	SummaryPaymentDropoffs  = "payment_dropoffs"
	SummaryOrderValue       = "order_value"
	SummaryRecoveredValue   = "recovered_value"
	SummaryValueAtRisk      = "value_at_risk"
	SummaryVisits           = "visits"
)

// CompareCartPeriods compares the cart funnel of the current period (cur)
// with that of the previous period of the same length (prev). known is
// the stage from which a segment's attribute is known (StageAddedToCart
// for all shoppers): rates the report does not show, up to it, are not
// compared.
//
// The rule, one for the whole report:
//
//   - A step rate (and cart to order) is compared as the impact of a store
//     change compares it (CompareRates: beta-binomial, flat prior, the
//     95% credible interval of the difference); it is tested only with
//     the shoppers JudgeImpact needs (MinShoppers entering the step in
//     each period, MinExpectedConversions expected on either side), and
//     its tail probability is TwoSided of the probability it improved.
//   - A count (carts, orders, drop-offs, visits) is compared as a Poisson
//     rate per time elapsed: given both periods' total n, the current
//     count is Binomial(n, π₀) when the rates are equal, π₀ the current
//     period's share of the elapsed time; its tail probability is the
//     two-sided score test of π₀, and its ratio's interval is the Wilson
//     interval of the current share turned into a ratio (the two agree:
//     the interval leaves out 1 exactly when the score test rejects at
//     5%). It is tested only when each period is expected to hold at
//     least MinExpectedConversions of the n.
//   - Of all the tested figures of the funnel, only those
//     BenjaminiHochberg finds at ImpactFalseDiscoveryRate get an arrow
//     (PeriodChanged and a Direction); the rest are no clear change.
//   - Money is shown as a difference, never tested itself: order value
//     takes the arrow of the orders count when it moved the same way;
//     recovered value has no count here and is never given an arrow; value
//     at risk, which holds only the carts of the last RecoverWindow, is
//     not compared at all.
//
// Without the whole previous period in the shop's data every figure is
// PeriodNoHistory: no "+100%" from a period before the first session.
func CompareCartPeriods(cur, prev Tally, span PeriodSpan, known Stage) PeriodComparison {
	rc, rp := reachedOf(cur.Furthest[:]), reachedOf(prev.Furthest[:])
	out := PeriodComparison{Summary: map[string]FigureChange{}}
	var figs []*FigureChange
	for _, st := range Stages() {
		sc := StageChange{Key: st.Key(), PreviousSessions: previousSessions(rp[st], span)}
		if st > StageAddedToCart && st > known {
			f := rateChange(rp[st], rp[st-1], rc[st], rc[st-1])
			sc.RateFromPrevious = &f
			figs = append(figs, sc.RateFromPrevious)
		}
		out.Stages = append(out.Stages, sc)
	}
	summary := map[string]FigureChange{
		SummaryCarts:            countChange(rc[StageAddedToCart], rp[StageAddedToCart], span),
		SummaryOrders:           countChange(rc[StageCompleted], rp[StageCompleted], span),
		SummaryAbandonedCarts:   countChange(cur.AbandonedCarts, prev.AbandonedCarts, span),
		SummaryCheckoutDropoffs: countChange(cur.CheckoutDropoffs, prev.CheckoutDropoffs, span),
		SummaryPaymentDropoffs:  countChange(cur.PaymentDropoffs, prev.PaymentDropoffs, span),
	}
	if known <= StageAddedToCart {
		summary[SummaryConversion] = rateChange(rp[StageCompleted], rp[StageAddedToCart], rc[StageCompleted], rc[StageAddedToCart])
	}
	keys := []string{SummaryCarts, SummaryOrders, SummaryConversion, SummaryAbandonedCarts, SummaryCheckoutDropoffs, SummaryPaymentDropoffs}
	held := make([]FigureChange, len(keys))
	for i, k := range keys {
		if f, ok := summary[k]; ok {
			held[i] = f
			figs = append(figs, &held[i])
		}
	}
	judgePeriods(figs, span)
	for i, k := range keys {
		if _, ok := summary[k]; ok {
			out.Summary[k] = held[i]
		}
	}
	currency := cmpCurrency(cur.Currency, prev.Currency)
	out.Summary[SummaryOrderValue] = moneyChange(cur.OrderValue, prev.OrderValue, currency, span, out.Summary[SummaryOrders])
	out.Summary[SummaryRecoveredValue] = moneyChange(cur.RecoveredValue, prev.RecoveredValue, currency, span, FigureChange{})
	out.Summary[SummaryValueAtRisk] = FigureChange{Kind: FigureMoney, Verdict: PeriodNotCompared, Direction: PeriodFlat,
		Text: "Not compared: value at risk holds only the carts abandoned in the last " + plural(int(RecoverWindow/(24*time.Hour)), "day")}
	return out
}

// CompareStorefrontPeriods compares the storefront funnel of the current
// period with the previous one by CompareCartPeriods' rule: visits as a
// count, each stage's rate from the previous stage as a rate.
func CompareStorefrontPeriods(cur, prev StorefrontTally, span PeriodSpan) PeriodComparison {
	rc, rp := cur.Reached(), prev.Reached()
	out := PeriodComparison{Summary: map[string]FigureChange{}}
	var figs []*FigureChange
	for _, st := range StorefrontStages() {
		sc := StageChange{Key: st.Key(), PreviousSessions: previousSessions(rp[st], span)}
		if st > StorefrontVisited {
			f := rateChange(rp[st], rp[st-1], rc[st], rc[st-1])
			sc.RateFromPrevious = &f
			figs = append(figs, sc.RateFromPrevious)
		}
		out.Stages = append(out.Stages, sc)
	}
	visits := countChange(rc[StorefrontVisited], rp[StorefrontVisited], span)
	judgePeriods(append(figs, &visits), span)
	out.Summary[SummaryVisits] = visits
	return out
}

// previousSessions is n, or nil without the whole previous period.
func previousSessions(n int64, span PeriodSpan) *int64 {
	if !span.HasPrevious {
		return nil
	}
	return &n
}

// rateChange compares a step's rate, prevReached of prevEntering shoppers
// in the previous period and curReached of curEntering now, and says
// whether it can be tested (JudgeImpact's shoppersNeeded).
func rateChange(prevReached, prevEntering, curReached, curEntering int64) FigureChange {
	c := CompareRates(prevReached, prevEntering, curReached, curEntering)
	f := FigureChange{Kind: FigureRate, PreviousRate: c.BeforeRate}
	if c.BeforeRate != nil && c.AfterRate != nil {
		d, lo, hi := c.Difference, c.DifferenceLow, c.DifferenceHigh
		f.Difference, f.DifferenceLow, f.DifferenceHigh = &d, &lo, &hi
	}
	need := shoppersNeeded(ImpactInput{BeforeEntering: c.BeforeEntering, BeforeReached: c.BeforeReached,
		AfterEntering: c.AfterEntering, AfterReached: c.AfterReached})
	f.EnoughShoppers = need <= 0
	// A step that every shopper, or none, completed in both periods has
	// not moved: enough shoppers, nothing to test.
	f.tested = need == 0
	f.tail, f.up = TwoSided(c.ProbImproved), c.ProbImproved > 0.5
	return f
}

// countChange compares a count of the current period with the previous
// one's per time elapsed (CompareCartPeriods' Poisson rule).
func countChange(cur, prev int64, span PeriodSpan) FigureChange {
	cur, prev = max(cur, 0), max(prev, 0)
	f := FigureChange{Kind: FigureCount, Previous: &prev}
	tc, tp := span.Current.Hours(), span.Previous.Hours()
	if tc <= 0 || tp <= 0 {
		return f
	}
	if prev > 0 {
		r := (float64(cur) / tc) / (float64(prev) / tp)
		f.Ratio = &r
	}
	n := cur + prev
	share := tc / (tc + tp)
	nf := float64(n)
	f.EnoughShoppers = nf*share >= MinExpectedConversions && nf*(1-share) >= MinExpectedConversions
	if n > 0 {
		lo, hi := Wilson(cur, n)
		// π/(1−π) is the ratio of the counts; times tp/tc, of the rates.
		toRatio := func(p float64) float64 { return p / (1 - p) * tp / tc }
		rl := toRatio(lo)
		f.RatioLow = &rl
		if hi < 1 {
			rh := toRatio(hi)
			f.RatioHigh = &rh
		}
	}
	if !f.EnoughShoppers {
		return f
	}
	z := (float64(cur) - nf*share) / math.Sqrt(nf*share*(1-share))
	f.tested, f.tail, f.up = true, 2*normalCDF(-math.Abs(z)), z > 0
	return f
}

// moneyChange compares an amount (minor units) with the previous period's:
// the difference in currency, with by's arrow (a count's comparison) when
// the amount moved the same way, else none.
func moneyChange(cur, prev int64, currency string, span PeriodSpan, by FigureChange) FigureChange {
	f := FigureChange{Kind: FigureMoney, Verdict: PeriodNotTested, Direction: PeriodFlat, EnoughShoppers: by.EnoughShoppers}
	if !span.HasPrevious {
		f.Verdict, f.Text = PeriodNoHistory, noHistoryText(span)
		return f
	}
	diff := cur - prev
	f.PreviousAmount, f.DifferenceAmount = FormatMoney(prev), FormatMoney(diff)
	shown := DisplayMoney(diff, currency)
	if diff >= 0 {
		shown = "+" + shown
	}
	vs := " vs the " + previousDays(span)
	switch {
	case by.Kind == "":
		f.Text = shown + vs
	case by.Verdict == PeriodChanged && (by.Direction == PeriodUp) == (diff > 0) && diff != 0:
		f.Verdict, f.Direction = PeriodChanged, by.Direction
		f.Text = string(by.Direction) + " " + DisplayMoney(abs64(diff), currency) + vs
	case by.Verdict == PeriodTooFew:
		f.Verdict, f.Text = PeriodTooFew, shown+vs+" (too few shoppers to tell)"
	default:
		f.Verdict, f.Text = PeriodNoClearChange, "no clear change ("+shown+vs+")"
	}
	return f
}

// judgePeriods gives each figure its verdict, direction and text: the
// tested figures' tail probabilities are held together at
// ImpactFalseDiscoveryRate (BenjaminiHochberg), and only the discoveries
// point up or down.
func judgePeriods(figs []*FigureChange, span PeriodSpan) {
	var tested []*FigureChange
	var tails []float64
	for _, f := range figs {
		f.Direction = PeriodFlat
		switch {
		case !span.HasPrevious:
			*f = FigureChange{Kind: f.Kind, Verdict: PeriodNoHistory, Direction: PeriodFlat}
		case !f.EnoughShoppers:
			f.Verdict = PeriodTooFew
		default:
			f.Verdict = PeriodNoClearChange
			if f.tested {
				tested = append(tested, f)
				tails = append(tails, f.tail)
			}
		}
	}
	for i, found := range BenjaminiHochberg(tails, ImpactFalseDiscoveryRate) {
		if found {
			f := tested[i]
			f.Verdict, f.Direction = PeriodChanged, PeriodDown
			if f.up {
				f.Direction = PeriodUp
			}
		}
	}
	for _, f := range figs {
		f.Text = periodText(*f, span)
	}
}

// periodText writes a figure's comparison in words.
func periodText(f FigureChange, span PeriodSpan) string {
	vs := " vs the " + previousDays(span)
	switch f.Verdict {
	case PeriodNoHistory:
		return noHistoryText(span)
	case PeriodTooFew:
		return "too few shoppers to compare with the " + previousDays(span)
	case PeriodNoClearChange:
		return "no clear change" + vs
	}
	dir := string(f.Direction)
	switch {
	case f.Kind == FigureRate && f.Difference != nil:
		return dir + " " + strconv.FormatFloat(math.Abs(*f.Difference)*100, 'f', 1, 64) + " points" + vs
	case f.Kind == FigureCount && f.Ratio == nil:
		return dir + " from none" + vs
	case f.Kind == FigureCount:
		pct := strconv.FormatFloat(math.Abs(*f.Ratio-1)*100, 'f', 0, 64) + "%"
		if span.Current < span.Previous {
			// The current period is still running: its count is compared
			// per day passed, not as it stands.
			pct += " per day"
		}
		return dir + " " + pct + vs
	}
	return dir + vs
}

// previousDays names the previous period: "previous 24 days".
func previousDays(span PeriodSpan) string {
	if span.Days == 1 {
		return "previous day"
	}
	return "previous " + strconv.Itoa(span.Days) + " days"
}

// noHistoryText says that the previous period has no data to compare with.
func noHistoryText(span PeriodSpan) string {
	return "no data for the whole " + previousDays(span) + " to compare with"
}

// cmpCurrency is the currency of a comparison: the current period's, or
// the previous one's when the current has none.
func cmpCurrency(cur, prev string) string {
	if cur != "" {
		return cur
	}
	return prev
}

func abs64(x int64) int64 {
	if x < 0 {
		return -x
	}
	return x
}
