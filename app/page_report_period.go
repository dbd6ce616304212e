package app

import (
	"math"
	"strconv"

	"github.com/funnelscope/funnelscope/app/funnel"
)

// periodView is the report's comparison with the previous period as the
// page shows it: a note saying what the arrows compare with, and each
// figure's change by key (a nil entry shows nothing).
type periodView struct {
	// Note says which days the figures are compared with and what an
	// arrow means, or why there is no comparison; StorefrontNote the same
	// for the storefront block when its data begins later.
	Note, StorefrontNote string
	Summary              map[string]*changeView
	// Stages and StorefrontStages hold each stage's step rate change, by
	// stage key; StorefrontVisits the visits'.
	Stages, StorefrontStages map[string]*changeView
	StorefrontVisits         *changeView
}

// changeView is one figure's change against the previous period.
type changeView struct {
	// Direction is funnel.Direction ("up", "down", "none") and Verdict
	// funnel.PeriodVerdict; Tone says whether the move is "good" or "bad"
	// for the shop ("" without an arrow).
	Direction, Verdict, Tone string
	// Arrow and Short are what the eye sees for a change beyond noise
	// ("▲", "+4.1 pts"); Text the whole sentence, which screen readers
	// read in every case ("up 4.1 points vs the previous 24 days", "no
	// clear change vs the previous 24 days").
	Arrow, Short, Text string
	// Visible shows Text itself: an amount's difference, which is shown
	// without an arrow.
	Visible bool
}

// lowerIsBetter are the summary figures whose rise is bad news.
var lowerIsBetter = map[string]bool{
	funnel.SummaryAbandonedCarts:   true,
	funnel.SummaryCheckoutDropoffs: true,
	funnel.SummaryPaymentDropoffs:  true,
}

// buildPeriodView formats the report's "previous" block for the page;
// the zero view (no note, nothing to show) when it has none.
func buildPeriodView(r funnelWithOpportunities) periodView {
	p := r.Previous
	if p == nil {
		return periodView{}
	}
	v := periodView{Summary: map[string]*changeView{}, Stages: stageChanges(p.Stages)}
	for k, f := range p.Summary {
		v.Summary[k] = changeOf(f, lowerIsBetter[k])
	}
	days := strconv.Itoa(p.Days) + " days"
	if p.Days == 1 {
		days = "day"
	}
	if p.DataSince != "" {
		v.Note = "No comparison with the previous " + days + " (" + p.From + " – " + p.To + "): your store's data begins on " + p.DataSince + "."
	} else {
		v.Note = "Arrows compare with the previous " + days + " (" + p.From + " – " + p.To + ") and appear only where the difference is beyond chance; no arrow means no clear change."
	}
	if s := p.Storefront; s != nil {
		v.StorefrontStages = stageChanges(s.Stages)
		if f, ok := s.Summary[funnel.SummaryVisits]; ok {
			v.StorefrontVisits = changeOf(f, false)
		}
		if s.DataSince != "" && p.DataSince == "" {
			v.StorefrontNote = "No comparison with the previous " + days + ": the first store visit was on " + s.DataSince + "."
		}
	}
	return v
}

// stageChanges is each stage's step rate change by stage key.
func stageChanges(stages []funnel.StageChange) map[string]*changeView {
	out := map[string]*changeView{}
	for _, s := range stages {
		if s.RateFromPrevious != nil {
			out[s.Key] = changeOf(*s.RateFromPrevious, false)
		}
	}
	return out
}

// changeOf formats one figure's change; lowerBetter says that a rise is
// bad for the shop.
func changeOf(f funnel.FigureChange, lowerBetter bool) *changeView {
	c := &changeView{Direction: string(f.Direction), Verdict: string(f.Verdict), Text: f.Text}
	switch f.Direction {
	case funnel.PeriodFlat, "":
		c.Visible = f.Verdict == funnel.PeriodNotTested && f.Text != ""
		return c
	case funnel.PeriodUp:
		c.Arrow = "▲"
	default:
		c.Arrow = "▼"
	}
	if (f.Direction == funnel.PeriodUp) != lowerBetter {
		c.Tone = "good"
	} else {
		c.Tone = "bad"
	}
	sign := "+"
	if f.Direction == funnel.PeriodDown {
		sign = "−"
	}
	switch {
	case f.Kind == funnel.FigureRate && f.Difference != nil:
		c.Short = sign + strconv.FormatFloat(math.Abs(*f.Difference)*100, 'f', 1, 64) + " pts"
	case f.Kind == funnel.FigureCount && f.Ratio != nil:
		c.Short = sign + strconv.FormatFloat(math.Abs(*f.Ratio-1)*100, 'f', 0, 64) + "%"
	case f.Kind == funnel.FigureCount:
		c.Short = "new"
	}
	return c
}
