package app

import (
	"fmt"
	"strconv"

	"github.com/funnelscope/funnelscope/app/funnel"
)

// paymentView is the report's payment section as the page shows it, every
// number formatted. Submitted and the error figures need the pixel:
// NeedsPixel says so when no session at payment was seen by it.
type paymentView struct {
	Reached, Completed int64
	Rate               string
	Band, BandLabel    string
	// Lost is the range's money lost at the payment step against a typical
	// one (estimate), LostAmount the same as a decimal amount; "" when the
	// step is not clearly below typical or cannot be priced.
	Lost, LostAmount string
	NeedsPixel       bool
	PixelSessions    int64
	Submitted        string // "312 · 84.1%" of the sessions the pixel saw
	ErrorSessions    string
	Errors           []paymentErrorView
	Dims             []paymentDimView
}

// paymentErrorView is the payment errors seen at one step, Text its
// counts in words ("3 errors, 2 shoppers").
type paymentErrorView struct {
	Label, Text string
}

// paymentDimView is one split of the payment section.
type paymentDimView struct {
	Key, Label, Note string
	Rated, Pixel     bool
	Rows             []paymentRowView
}

// paymentRowView is one value of a split: Rate, Band and Lost only for a
// rated split; Submitted and Errors only when the pixel saw its sessions.
type paymentRowView struct {
	Value                 string
	Reached, Completed    int64
	Rate, Band, BandLabel string
	Lost, LostAmount      string
	Submitted, Errors     string
}

// lostOf is a priced step's money lost in the range, as an estimate and a
// decimal amount, both "" when it has none.
func lostOf(l funnel.Leak, currency string) (string, string) {
	if l.Opportunity <= 0 {
		return "", ""
	}
	return estimate(l.Value, currency), l.Value
}

// buildPaymentView formats the payment block; nil when the report has none.
func buildPaymentView(p *funnel.PaymentFriction, currency string) *paymentView {
	if p == nil {
		return nil
	}
	v := &paymentView{Reached: p.Reached, Completed: p.Completed, Rate: funnel.Percent(p.Completed, p.Reached),
		Band: string(p.Step.Band), BandLabel: p.Step.Band.Label(), PixelSessions: p.PixelSessions, NeedsPixel: p.Submitted == nil}
	v.Lost, v.LostAmount = lostOf(p.Step, currency)
	if p.Submitted != nil {
		v.Submitted = strconv.FormatInt(*p.Submitted, 10) + " · " + funnel.Percent(*p.Submitted, p.PixelSessions)
		v.ErrorSessions = strconv.FormatInt(*p.ErrorSessions, 10) + " · " + funnel.Percent(*p.ErrorSessions, p.PixelSessions)
	}
	for _, e := range p.Errors {
		v.Errors = append(v.Errors, paymentErrorView{Label: e.Label, Text: plural(e.Alerts, "error") + ", " + plural(e.Sessions, "shopper")})
	}
	for _, d := range p.Dimensions {
		dv := paymentDimView{Key: d.Key, Label: d.Label, Note: d.Note, Rated: d.Rated, Pixel: d.Pixel}
		for _, r := range d.Rows {
			rv := paymentRowView{Value: r.Value, Reached: r.Reached, Completed: r.Completed, Submitted: "—", Errors: "—"}
			if r.Step != nil {
				rv.Rate, rv.Band, rv.BandLabel = funnel.Percent(r.Completed, r.Reached), string(r.Step.Band), r.Step.Band.Label()
				rv.Lost, rv.LostAmount = lostOf(*r.Step, currency)
			}
			if r.PixelSessions > 0 {
				rv.Submitted = fmt.Sprintf("%d of %d", r.Submitted, r.PixelSessions)
				rv.Errors = strconv.FormatInt(r.Errors, 10)
			}
			dv.Rows = append(dv.Rows, rv)
		}
		v.Dims = append(v.Dims, dv)
	}
	return v
}

// holdoutView is the hold-out comparison beside the plain "recovered
// after an alert" figure: each group's recovered rate with its interval
// and value, the difference, and the verdict; TooFew when a group has too
// few carts for one, Off when no cart was held out.
type holdoutView struct {
	Plain            string
	Off, TooFew      bool
	Verdict          string
	Alerted, HeldOut holdoutArmView
	Lift, Added      string
	Summary          string
}

// holdoutArmView is one group of the hold-out comparison.
type holdoutArmView struct {
	Carts, Recovered int64
	Rate, Value      string
}

// buildHoldoutView formats the report's alert_holdout; nil when it has
// none (one segment value's report).
func buildHoldoutView(h *funnel.HoldoutJSON, currency string) *holdoutView {
	if h == nil {
		return nil
	}
	pct := func(x float64) string { return strconv.FormatFloat(x*100, 'f', 1, 64) }
	armOf := func(a funnel.ArmJSON) holdoutArmView {
		out := holdoutArmView{Carts: a.Carts, Recovered: a.Recovered, Rate: "—", Value: money(a.RecoveredValue, currency)}
		if a.Rate != nil {
			out.Rate = fmt.Sprintf("%s%% (95%% interval %s–%s%%)", pct(*a.Rate), pct(*a.RateLow), pct(*a.RateHigh))
		}
		return out
	}
	ra := h.RecoveredAfterAlert
	v := &holdoutView{
		Plain:   fmt.Sprintf("%d of %d carts alerted were bought after the alert (%s).", ra.Recovered, ra.Carts, money(ra.RecoveredValue, currency)),
		Off:     h.Verdict == funnel.HoldoutOff,
		TooFew:  h.Verdict == funnel.HoldoutTooFew,
		Verdict: string(h.Verdict),
		Alerted: armOf(h.Alerted), HeldOut: armOf(h.HeldOut), Summary: h.Summary,
	}
	if h.Lift != nil {
		v.Lift = fmt.Sprintf("%s points (95%% interval %s to %s)", pct(*h.Lift), pct(*h.LiftLow), pct(*h.LiftHigh))
	}
	if h.AddedValue != nil {
		v.Added = fmt.Sprintf("%s (95%% interval %s to %s)", money(*h.AddedValue, currency), money(*h.AddedValueLow, currency), money(*h.AddedValueHigh, currency))
	}
	return v
}
