package app

import (
	"context"
	"errors"
	"fmt"
	"math"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/funnelscope/funnelscope/app/funnel"
	"github.com/funnelscope/funnelscope/store"
	"github.com/funnelscope/funnelscope/templates"
)

// The states of the report view.
const (
	reportOK         = "ok"
	reportEmptyRange = "empty-range" // sessions exist, none in this range
	reportNoData     = "no-data"     // just installed: no session at all yet
	reportError      = "error"
)

// reportView is the funnel report as the page shows it: every number
// already formatted, so no template or script ever divides, and a rate
// with nothing to divide by reads "—", never NaN.
type reportView struct {
	From, To, Segment string
	// SegmentValue is the one value of Segment the report is of ("" for
	// all shoppers); KnownNote says which rates it cannot show and why.
	SegmentValue, KnownNote string
	State                   string
	Error                   string
	IdleMinutes             int

	Stages                                            []stageView
	AbandonedCarts, CheckoutDropoffs, PaymentDropoffs int64
	// StillShopping is the sessions between two stages that are still
	// active: neither drop-offs nor orders yet.
	StillShopping  int64
	Carts, Orders  int64
	Conversion     string
	ValueAtRisk    string
	AtRisk         string // what ValueAtRisk holds: "in 18 carts abandoned in the last 7 days"
	RecoveredValue string
	// Currency is the report's currency, and ValueAtRiskAmount and
	// RecoveredAmount the two values as decimal amounts, which the page
	// writes in the merchant's locale (ValueAtRisk and RecoveredValue are
	// the text shown before its script runs).
	Currency                           string
	ValueAtRiskAmount, RecoveredAmount string
	// OrderValue is the average order value with what it is, the one
	// sentence the header and the footnote of "what to fix first" share.
	OrderValue string
	Leaks      []leakView
	// NoVerdict is how many steps had too few shoppers for a verdict, and
	// NoVerdictAll whether that is every step; MinShoppers is the fewest
	// shoppers a verdict needs and TypicalWidth the widest interval called
	// typical, in percentage points.
	NoVerdict    int
	NoVerdictAll bool
	MinShoppers  int
	TypicalWidth string
	Segments     []segmentView
	// SegmentColumns names the segment table's rate columns.
	SegmentColumns []string
	Sources        []string
	// Storefront is the storefront funnel, nil while the shop's pixel has
	// never delivered an event (the page then points to Settings).
	Storefront *storefrontView
	// Period is the figures' change against the previous period.
	Period periodView
	// Payment is the payment section and Holdout the hold-out comparison
	// (page_report_payment.go); nil when the report has none.
	Payment *paymentView
	Holdout *holdoutView
	// Anomalies are the callouts of the range's step anomalies.
	Anomalies []anomalyView
}

// stageView is one stage of the funnel chart.
type stageView struct {
	Key, Label   string
	Sessions     int64
	Width        string // bar width, a CSS percentage
	FromPrevious string
	FromStart    string
	Dropoff      int64 // idle past the threshold: dropped off
	Active       int64 // still shopping
	Median       string
	Band         string // funnel.Verdict of the step into this stage
	BandLabel    string // the verdict in words
	BandTitle    string // what the verdict rests on
	First        bool
}

// leakView is one step of "what to fix first".
type leakView struct {
	Rank                               int
	Label, Rate, Band, BandLabel, Hint string
	Typical, Good                      string
	Entering                           int64
	Monthly                            string // "$6,000", or "" when it cannot be priced
	MonthlyAmount                      string // the same as a decimal amount, "6000.00"
	Unpriced                           string // why it cannot be priced, when it cannot
}

// segmentView is one row of the segment table. When the segment's
// attribute is known only from a later stage, the first Unknown.Span rate
// columns (cart to order and the steps up to that stage) say so, and Steps
// holds the rest.
type segmentView struct {
	Value      string
	Entered    int64
	Completed  int64
	Conversion string
	Unknown    unknownCell
	Steps      []rateCell
}

// rateCell is one rate of a segment's row, under its column's name (which
// the row's list layout on a phone shows beside it).
type rateCell struct {
	Label, Rate string
}

// unknownCell stands for the rates a segment cannot support: the first
// Span rate columns, named Labels, the first of which says Text.
type unknownCell struct {
	Span   int
	Text   string
	Labels []string
}

// segmentRateColumns names the segment table's rate columns: cart to
// order, then each step into a stage after the cart.
func segmentRateColumns() []string {
	cols := []string{"Cart to order"}
	for _, st := range funnel.Stages()[1:] {
		cols = append(cols, "→ "+stepColumn(st))
	}
	return cols
}

// stepColumn is a stage's short name as the segment table's column.
func stepColumn(st funnel.Stage) string {
	switch st {
	case funnel.StageCheckoutStarted:
		return "Checkout"
	case funnel.StageContactSubmitted:
		return "Contact"
	case funnel.StageAddressSubmitted:
		return "Address"
	case funnel.StagePaymentReached:
		return "Payment"
	case funnel.StageCompleted:
		return "Order"
	}
	return st.Label()
}

// notKnownBefore is how the page says that a segment's rates up to a stage
// are not known.
func notKnownBefore(st funnel.Stage) string {
	label := st.Label()
	if label == "" {
		return "not known"
	}
	return "not known before " + strings.ToLower(label[:1]) + label[1:]
}

// homeView is what the report page template receives: Today is the
// shop's today and Timezone the IANA zone its days are in, Currency the
// shop's (for amounts that name none), Range the chosen one of Ranges.
type homeView struct {
	Today    string
	Timezone string
	Currency string
	Range    string
	Ranges   []rangeOption
	// From and To are the range's first and last days.
	From, To string
	Report   reportView
	Segments []string
	List     listView
}

// reportFor loads the report view q asks for (reportOrError).
func (a *App) reportFor(ctx context.Context, q reportRequest) (reportView, int) {
	v, err := a.loadReport(ctx, q)
	return a.reportOrError(ctx, v, err)
}

// reportOrError is v, or when err is set, v in its error state: input
// errors say what to fix; anything else is logged and reads as a plain
// apology. The status is the one to answer with: 200, the 4xx of bad
// input, or 500 when the report failed on our side.
func (a *App) reportOrError(ctx context.Context, v reportView, err error) (reportView, int) {
	status := http.StatusOK
	if err != nil {
		v.State = reportError
		v.Error = "Something went wrong on our side while building the report. Please try again in a moment."
		status = http.StatusInternalServerError
		if ue, ok := errors.AsType[*Error](err); ok && ue.Status < http.StatusInternalServerError {
			v.Error, status = ue.Message, ue.Status
		} else {
			a.log.ErrorContext(ctx, "report view failed", "error", err.Error())
		}
	}
	return v, status
}

// requestView is the part of q's view that needs no report: its dates and
// segment, or nothing when its dates were not read.
func requestView(q reportRequest) reportView {
	if q.Days == (funnel.DayRange{}) {
		return reportView{}
	}
	return reportView{From: q.Days.Start().Format(dateLayout), To: q.Days.Last().Format(dateLayout),
		Segment: q.Segment, SegmentValue: q.SegmentValue}
}

// loadReport builds the report view q asks for; an empty range of a shop
// with no session at all is "no data yet".
func (a *App) loadReport(ctx context.Context, q reportRequest) (reportView, error) {
	r, idle, err := a.funnelReport(ctx, q)
	v := reportView{From: r.From, To: r.To, Segment: r.Segment, SegmentValue: r.SegmentValue, IdleMinutes: int(idle / time.Minute)}
	if err != nil {
		return v, err
	}
	v = buildReportView(v, withOpportunities(r))
	if v.State != reportOK {
		_, total, err := a.store.ListSessions(ctx,
			store.SessionFilter{ShopID: q.Shop.ID, Now: a.now(), Idle: idle, Limit: 1})
		if err != nil {
			return v, err
		}
		if total == 0 {
			v.State = reportNoData
		}
	}
	return v, nil
}

// buildReportView formats a report for the page. It is pure, so the
// templates can be tested on any report, the degenerate ones included.
// Every rate is funnel.Percent of its counts and every verdict the
// opportunities' band (funnel.Judge), so the page says what the API says.
func buildReportView(v reportView, r funnelWithOpportunities) reportView {
	cur := r.Currency
	v.State = reportOK
	if len(r.Stages) == 0 || r.Stages[0].Sessions == 0 {
		v.State = reportEmptyRange
	}
	verdicts := map[string]funnel.Leak{}
	for _, l := range r.Opportunities {
		verdicts[l.To] = l
		if l.Band == funnel.VerdictTooFew {
			v.NoVerdict++
		}
	}
	v.NoVerdictAll = v.NoVerdict > 0 && v.NoVerdict == len(r.Opportunities)
	v.MinShoppers, v.TypicalWidth = funnel.MinShoppers, strconv.FormatFloat(funnel.TypicalWidth*100, 'f', -1, 64)
	var top int64
	if len(r.Stages) > 0 {
		top = r.Stages[0].Sessions
	}
	known, hidden := funnel.ParseStage(r.KnownFrom)
	if hidden {
		v.KnownNote = fmt.Sprintf("%s is known only from the step “%s” on: the rates up to that step would count only the shoppers who got that far, so they are not shown.",
			templates.SegmentName(r.Segment), known.Label())
	}
	for i, s := range r.Stages {
		sv := stageView{
			Key: s.Key, Label: s.Label, Sessions: s.Sessions, First: i == 0,
			Width:     barWidth(s.Sessions, top),
			FromStart: rateShown(!hidden, s.Sessions, top, "—"),
			Dropoff:   s.DropoffFromPrevious,
			Active:    s.ActiveFromPrevious,
			Median:    duration(s.MedianSecondsFromPrevious),
		}
		if i > 0 {
			sv.FromPrevious = rateShown(!hidden || funnel.Stage(i+1) > known, s.Sessions, r.Stages[i-1].Sessions, notKnownBefore(known))
			if l, ok := verdicts[s.Key]; ok {
				sv.Band, sv.BandLabel, sv.BandTitle = string(l.Band), l.Band.Label(), verdictBasis(l)
			}
		}
		v.StillShopping += s.ActiveFromPrevious
		v.Stages = append(v.Stages, sv)
	}
	if n := len(r.Stages); n > 0 {
		v.Carts, v.Orders = r.Stages[0].Sessions, r.Stages[n-1].Sessions
		v.Conversion = rateShown(!hidden, v.Orders, v.Carts, notKnownBefore(known))
	}
	v.AbandonedCarts, v.CheckoutDropoffs, v.PaymentDropoffs = r.AbandonedCarts, r.CheckoutDropoffs, r.PaymentDropoffs
	v.Currency, v.ValueAtRiskAmount, v.RecoveredAmount = cur, r.ValueAtRisk, r.RecoveredValue
	v.ValueAtRisk = money(r.ValueAtRisk, cur)
	v.AtRisk = fmt.Sprintf("in %s abandoned in the last %d days", plural(r.CartsAtRisk, "cart"), r.ValueAtRiskWindowDays)
	v.RecoveredValue = money(r.RecoveredValue, cur)
	v.OrderValue = orderValueSentence(r.Report, money(r.AverageOrderValue, cur))
	seen := map[string]bool{}
	for _, l := range r.Opportunities {
		if !seen[l.Source] {
			seen[l.Source] = true
			v.Sources = append(v.Sources, l.Source)
		}
	}
	for _, l := range funnel.FixFirst(r.Opportunities) {
		lv := leakView{
			Rank: len(v.Leaks) + 1, Label: l.Label, Rate: funnel.Percent(l.Reached, l.Entering),
			Band: string(l.Band), BandLabel: l.Band.Label(), Hint: l.Hint,
			Typical: share(l.Typical), Good: share(l.Good), Entering: l.Entering,
		}
		if l.Monthly > 0 {
			lv.Monthly, lv.MonthlyAmount = estimate(l.MonthlyValue, cur), l.MonthlyValue
		} else {
			lv.Unpriced = unpriced(r.Report)
		}
		v.Leaks = append(v.Leaks, lv)
	}
	v.Storefront = buildStorefrontView(r)
	v.Period = buildPeriodView(r)
	v.Payment, v.Holdout = buildPaymentView(r.Payment, cur), buildHoldoutView(r.AlertHoldout, cur)
	v.Anomalies = buildAnomalyViews(r.Anomalies)
	cols := segmentRateColumns()
	v.SegmentColumns = cols
	for _, s := range r.Segments {
		sv := segmentView{Value: s.Value}
		if n := len(s.Stages); n > 0 {
			sv.Entered, sv.Completed = s.Stages[0].Sessions, s.Stages[n-1].Sessions
			sv.Conversion = funnel.Percent(sv.Completed, sv.Entered)
			for i, st := range s.Stages[1:] {
				sv.Steps = append(sv.Steps, rateCell{Label: cols[min(i+1, len(cols)-1)], Rate: funnel.Percent(st.Sessions, s.Stages[i].Sessions)})
			}
			if known, ok := funnel.ParseStage(s.KnownFrom); ok && int(known)-1 <= len(sv.Steps) {
				// Cart to order and the steps into stages 2..known.
				sv.Unknown = unknownCell{Span: int(known), Text: notKnownBefore(known), Labels: cols[:min(int(known), len(cols))]}
				sv.Steps = sv.Steps[known-1:]
			}
		}
		v.Segments = append(v.Segments, sv)
	}
	return v
}

// rateShown is funnel.Percent(n, d) where the rate stands, else instead:
// a segment's rates before its attribute is known are not shown.
func rateShown(stands bool, n, d int64, instead string) string {
	if !stands {
		return instead
	}
	return funnel.Percent(n, d)
}

// orderValueSentence says what the average order value aov is, for the
// header and the footnote of "what to fix first" alike.
func orderValueSentence(r funnel.Report, aov string) string {
	switch r.AverageOrderValueBasis {
	case funnel.AOVFromOrders:
		return fmt.Sprintf("%s, the range's order revenue over its %s.", aov, plural(r.Stages[len(r.Stages)-1].Sessions, "order"))
	case funnel.AOVFromCarts:
		return fmt.Sprintf("%s, the average value of the range's %s, as it has no order yet.", aov, plural(r.Stages[0].Sessions, "cart"))
	}
	return "none yet, as the range has no carts."
}

// unpriced says why a step below typical has no estimate. A step is
// priced at the shoppers it loses × their conversion from the next stage
// to an order × the average order value (funnel.RankLeaks): with no order
// in the range the conversion is nothing yet, though the order value then
// comes from the carts and the header states one.
func unpriced(r funnel.Report) string {
	if n := len(r.Stages); n == 0 || r.Stages[n-1].Sessions == 0 {
		return "not priced: no shopper of this range has ordered yet"
	}
	if aov, err := funnel.ParseMoney(r.AverageOrderValue); err == nil && aov == 0 {
		return "not priced: the average order value is zero"
	}
	return "not priced: too small to estimate"
}

// verdictBasis says what a step's verdict rests on: the benchmark and the
// step's 95% interval.
func verdictBasis(l funnel.Leak) string {
	bench := fmt.Sprintf("Typical stores reach %s, the best %s", share(l.Typical), share(l.Good))
	if l.RateLow == nil || l.RateHigh == nil {
		return bench + "; no shopper has reached this step yet."
	}
	interval := func(x float64) string { return strconv.FormatFloat(x*100, 'f', 1, 64) }
	return fmt.Sprintf("%s; with %s, this step's rate is likely %s–%s%% (95%% interval).",
		bench, plural(l.Entering, "shopper"), interval(*l.RateLow), interval(*l.RateHigh))
}

// plural writes a count with its noun, "1 cart" or "18 carts".
func plural(n int64, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return strconv.FormatInt(n, 10) + " " + noun + "s"
}

// share writes a benchmark figure (a published round number, not a rate
// of counts) as a percentage, "65%" or "92.5%".
func share(x float64) string {
	return strconv.FormatFloat(math.Round(x*1000)/10, 'f', -1, 64) + "%"
}

// estimate writes a rounded estimate as money without cents when it has
// none, "$6,000".
func estimate(amount, currency string) string {
	return strings.Replace(money(amount, currency), ".00", "", 1)
}

// barWidth is n's share of top as a CSS width; a bar never vanishes
// entirely when it has sessions.
func barWidth(n, top int64) string {
	if top <= 0 || n <= 0 {
		return "0%"
	}
	w := max(float64(n)/float64(top)*100, 0.5)
	return strconv.FormatFloat(w, 'f', 1, 64) + "%"
}

// duration writes a median time between stages for a person.
func duration(sec *float64) string {
	if sec == nil || math.IsNaN(*sec) || math.IsInf(*sec, 0) {
		return "—"
	}
	d := time.Duration(*sec * float64(time.Second))
	switch {
	case d < time.Minute:
		return "under 1 min"
	case d < time.Hour:
		return fmt.Sprintf("%d min", int(d/time.Minute))
	case d < 48*time.Hour:
		return fmt.Sprintf("%d h %d min", int(d/time.Hour), int(d%time.Hour/time.Minute))
	}
	return fmt.Sprintf("%.1f days", d.Hours()/24)
}

// money writes an amount of the report (a decimal string, as its JSON
// carries it) with its currency by funnel.DisplayMoney, "$1,234.50" or
// "1,234.50 SEK". One that is not an amount, which the report never
// holds, is written as it is.
func money(amount, currency string) string {
	minor, err := funnel.ParseMoney(amount)
	if err != nil {
		return strings.TrimSpace(amount + " " + currency)
	}
	return funnel.DisplayMoney(minor, currency)
}
