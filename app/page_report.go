package app

import (
	"fmt"
	"math"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/funnelscope/funnelscope/store"
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
	State             string
	Error             string
	IdleMinutes       int

	Stages                                            []stageView
	AbandonedCarts, CheckoutDropoffs, PaymentDropoffs int64
	Carts, Orders                                     int64
	Conversion                                        string
	ValueAtRisk, RecoveredValue, AverageOrderValue    string
	Leaks                                             []leakView
	Segments                                          []segmentView
	Sources                                           []string
}

// stageView is one stage of the funnel chart.
type stageView struct {
	Key, Label   string
	Sessions     int64
	Width        string // bar width, a CSS percentage
	FromPrevious string
	FromStart    string
	Dropoff      int64
	Median       string
	Band         string // benchmark band of the step into this stage
	First        bool
}

// leakView is one step of "what to fix first".
type leakView struct {
	Rank                    int
	Label, Rate, Band, Hint string
	Typical, Good           string
	Entering                int64
	Opportunity             string
}

// segmentView is one row of the segment table.
type segmentView struct {
	Value      string
	Entered    int64
	Completed  int64
	Conversion string
	Steps      []string
}

// homeView is what the report page template receives: Today is the
// shop's today and Timezone the IANA zone its days are in.
type homeView struct {
	Today    string
	Timezone string
	Report   reportView
	Segments []string
}

// reportFor loads the report of the authenticated shop for the request's
// from, to and segment. Failures become the view's error state: input
// errors say what to fix; anything else is logged and reads as a plain
// apology.
func (a *App) reportFor(c echo.Context) reportView {
	v, err := a.loadReport(c)
	if err != nil {
		v.State = reportError
		v.Error = "Something went wrong on our side while building the report. Please try again in a moment."
		if ue, ok := err.(*Error); ok && ue.Status < http.StatusInternalServerError {
			v.Error = ue.Message
		} else {
			a.log.ErrorContext(c.Request().Context(), "report view failed", "error", err.Error())
		}
	}
	return v
}

func (a *App) loadReport(c echo.Context) (reportView, error) {
	r, idle, err := a.funnelReport(c)
	v := reportView{From: r.From, To: r.To, Segment: r.Segment, IdleMinutes: int(idle / time.Minute)}
	if err != nil {
		return v, err
	}
	v = buildReportView(v, withOpportunities(r))
	if v.State != reportOK {
		// An empty range of a shop with no sessions at all is "no data yet".
		_, total, err := a.store.ListSessions(c.Request().Context(),
			store.SessionFilter{ShopID: shopOf(c).ID, Now: a.now(), Idle: idle, Limit: 1})
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
func buildReportView(v reportView, r funnelWithOpportunities) reportView {
	cur := r.Currency
	v.State = reportOK
	if len(r.Stages) == 0 || r.Stages[0].Sessions == 0 {
		v.State = reportEmptyRange
	}
	bands := map[string]string{}
	for _, l := range r.Opportunities {
		bands[l.To] = string(l.Band)
	}
	var top int64
	if len(r.Stages) > 0 {
		top = r.Stages[0].Sessions
	}
	for i, s := range r.Stages {
		v.Stages = append(v.Stages, stageView{
			Key: s.Key, Label: s.Label, Sessions: s.Sessions, First: i == 0,
			Width:        barWidth(s.Sessions, top),
			FromPrevious: percent(s.RateFromPrevious),
			FromStart:    percent(s.RateFromStart),
			Dropoff:      s.DropoffFromPrevious,
			Median:       duration(s.MedianSecondsFromPrevious),
			Band:         bands[s.Key],
		})
	}
	if n := len(r.Stages); n > 0 {
		v.Carts, v.Orders = r.Stages[0].Sessions, r.Stages[n-1].Sessions
		v.Conversion = percent(r.Stages[n-1].RateFromStart)
	}
	v.AbandonedCarts, v.CheckoutDropoffs, v.PaymentDropoffs = r.AbandonedCarts, r.CheckoutDropoffs, r.PaymentDropoffs
	v.ValueAtRisk = money(r.ValueAtRisk, cur)
	v.RecoveredValue = money(r.RecoveredValue, cur)
	v.AverageOrderValue = money(r.AverageOrderValue, cur)
	seen := map[string]bool{}
	for _, l := range r.Opportunities {
		if !seen[l.Source] {
			seen[l.Source] = true
			v.Sources = append(v.Sources, l.Source)
		}
		if l.Opportunity <= 0 {
			continue
		}
		v.Leaks = append(v.Leaks, leakView{
			Rank: len(v.Leaks) + 1, Label: l.Label, Rate: percent(l.Rate), Band: string(l.Band), Hint: l.Hint,
			Typical: percent(&l.Typical), Good: percent(&l.Good), Entering: l.Entering,
			Opportunity: money(l.Value, cur),
		})
	}
	for _, s := range r.Segments {
		sv := segmentView{Value: s.Value}
		if n := len(s.Stages); n > 0 {
			sv.Entered, sv.Completed = s.Stages[0].Sessions, s.Stages[n-1].Sessions
			sv.Conversion = percent(s.Stages[n-1].RateFromStart)
			for _, st := range s.Stages[1:] {
				sv.Steps = append(sv.Steps, percent(st.RateFromPrevious))
			}
		}
		v.Segments = append(v.Segments, sv)
	}
	return v
}

// percent writes a rate as "42.5%", or "—" when there is none.
func percent(r *float64) string {
	if r == nil || math.IsNaN(*r) || math.IsInf(*r, 0) {
		return "—"
	}
	return strconv.FormatFloat(*r*100, 'f', 1, 64) + "%"
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

// money writes a decimal amount with its currency, "$1,234.50" or
// "1,234.50 SEK".
func money(amount, currency string) string {
	whole, cents, _ := strings.Cut(amount, ".")
	neg := strings.HasPrefix(whole, "-")
	whole = strings.TrimPrefix(whole, "-")
	var b strings.Builder
	for i, r := range whole {
		if i > 0 && (len(whole)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(r)
	}
	s := b.String()
	if cents != "" {
		s += "." + cents
	}
	if s == "" {
		s = "0.00"
	}
	sign := ""
	if neg {
		sign = "-"
	}
	switch currency {
	case "USD", "CAD", "AUD", "NZD":
		return sign + "$" + s
	case "EUR":
		return sign + "€" + s
	case "GBP":
		return sign + "£" + s
	case "":
		return sign + s
	}
	return sign + s + " " + currency
}
