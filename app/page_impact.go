package app

import (
	"errors"
	"fmt"
	"math"
	"net/http"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/funnelscope/funnelscope/app/funnel"
)

// impactView is what the impact page template receives: the impact, its
// windows and notes in words, and the steps grouped by funnel and device.
type impactView struct {
	Found    bool
	Message  string
	Impact   impactJSON
	When     string
	Before   string
	After    string
	Notes    []string
	Overlaps []impactOverlapView
	Groups   []impactGroupView
	Weeks    int
	// MinShoppers is funnel.MinShoppers, for the method's words.
	MinShoppers int
}

// impactOverlapView is one other change inside the windows.
type impactOverlapView struct {
	ID                int64
	When, Description string
}

// impactGroupView is one table of the page: a funnel for one device.
type impactGroupView struct {
	ID, Title string
	Rows      []impactRowView
}

// impactRowView is one step of a table, in words.
type impactRowView struct {
	Label, Before, After, Difference, Chance, Effect string
	Verdict                                          funnel.ImpactVerdict
	VerdictText, Tone                                string
}

// impactPage is the page of one change's impact (/changes/:id): each
// step's rate before and after, the difference with its interval, and
// the verdict in words, rendered on the server from impactOf.
func (a *App) impactPage(c echo.Context) error {
	id, weeks, err := impactParams(c, c.Param("id"))
	if err != nil {
		return err
	}
	loc, err := a.shopLocation(c)
	if err != nil {
		return err
	}
	im, err := a.impactOf(c.Request().Context(), shopOf(c), loc, id, weeks)
	var ue *Error
	switch {
	case errors.As(err, &ue) && ue.Status == http.StatusNotFound:
		return a.render(c, http.StatusNotFound, "impact.html", pageData{Title: "Change not found", Nav: navigation(),
			Data: impactView{Message: ue.Message}})
	case err != nil:
		return err
	}
	return a.render(c, http.StatusOK, "impact.html", pageData{Title: "Impact of a change", Nav: navigation(),
		Data: newImpactView(im, loc, weeks)})
}

// newImpactView writes the impact in words, times in loc.
func newImpactView(im impactJSON, loc *time.Location, weeks int) impactView {
	when := func(t time.Time) string { return t.In(loc).Format(pageTimeLayout) }
	v := impactView{Found: true, Impact: im, Weeks: weeks, MinShoppers: funnel.MinShoppers, When: when(im.Change.At),
		Before: when(im.Window.BeforeStart) + " – " + when(im.Window.ChangeAt),
		After:  when(im.Window.ChangeAt) + " – " + when(im.Window.AfterEnd)}
	if !im.Window.FullWeek {
		v.Notes = append(v.Notes, fmt.Sprintf("The change is less than a week old: no verdict until the window after it holds a full week, in %s.",
			plural(int64(im.Window.DaysToFullWeek), "day")))
	}
	if len(im.Overlapping) > 0 {
		v.Notes = append(v.Notes, fmt.Sprintf("%s made within these windows: the differences below may be theirs as much as this one's.",
			pluralWord(len(im.Overlapping), "other change was", "other changes were")))
		for _, o := range im.Overlapping {
			v.Overlaps = append(v.Overlaps, impactOverlapView{ID: o.ID, When: when(o.At), Description: o.Description})
		}
	}
	if im.Tested > 1 {
		v.Notes = append(v.Notes, fmt.Sprintf("%d steps were tested at once, so a step is called improved or worse only where, across all of them, at most %d in 100 such calls would be wrong (Benjamini–Hochberg).",
			im.Tested, int(math.Round(im.FalseDiscoveryRate*100))))
	}
	groups := map[string]int{}
	for _, s := range im.Steps {
		key := s.Funnel + "-" + string(s.Device)
		i, ok := groups[key]
		if !ok {
			i = len(v.Groups)
			groups[key] = i
			v.Groups = append(v.Groups, impactGroupView{ID: "steps-" + strings.TrimSuffix(key, "-"), Title: groupTitle(s.Funnel, s.Device)})
		}
		v.Groups[i].Rows = append(v.Groups[i].Rows, newImpactRow(s, im.Currency))
	}
	return v
}

// groupTitle names a table: the funnel and the device.
func groupTitle(f string, d funnel.Device) string {
	name := "Cart and checkout"
	if f == funnel.FunnelStorefront {
		name = "Storefront"
	}
	if d == "" {
		return name + ", all devices"
	}
	return name + ", " + string(d)
}

// newImpactRow writes one step in words.
func newImpactRow(s impactStepJSON, currency string) impactRowView {
	r := impactRowView{Label: s.Label, Verdict: s.Verdict, VerdictText: s.VerdictText,
		Before: rateWords(s.BeforeReached, s.BeforeEntering), After: rateWords(s.AfterReached, s.AfterEntering),
		Difference: fmt.Sprintf("%s (95%% interval %s to %s)", points(s.Difference), points(s.DifferenceLow), points(s.DifferenceHigh)),
		Chance:     chance(s.ProbImproved), Tone: "auto"}
	switch s.Verdict {
	case funnel.ImpactImproved:
		r.Tone = "success"
	case funnel.ImpactWorse:
		r.Tone = "critical"
	case funnel.ImpactNoClearChange:
		r.Tone = "neutral"
	}
	switch {
	case !s.Tested:
		r.Effect = "—"
	case s.ImpactStep.MonthlyEffect == 0 && s.ImpactStep.MonthlyLow == 0 && s.ImpactStep.MonthlyHigh == 0:
		r.Effect = "Not priced: no order value yet"
	default:
		r.Effect = fmt.Sprintf("%s a month (%s to %s)", signedMoney(s.ImpactStep.MonthlyEffect, currency),
			signedMoney(s.ImpactStep.MonthlyLow, currency), signedMoney(s.ImpactStep.MonthlyHigh, currency))
	}
	return r
}

// chance writes the probability that a step improved as a whole
// percentage, never a certain 0% or 100%.
func chance(p float64) string {
	switch {
	case p < 0.01:
		return "under 1%"
	case p > 0.99:
		return "over 99%"
	}
	return fmt.Sprintf("%.0f%%", math.Round(p*100))
}

// rateWords is a rate with its counts: "70.0% (700 of 1,000)".
func rateWords(reached, entering int64) string {
	if entering == 0 {
		return "No shoppers"
	}
	return fmt.Sprintf("%s (%d of %d)", funnel.Percent(reached, entering), reached, entering)
}

// points writes a difference of rates in percentage points, signed with a
// true minus.
func points(d float64) string {
	s := fmt.Sprintf("%+.1f points", d*100)
	if s == "-0.0 points" {
		s = "+0.0 points"
	}
	return strings.Replace(s, "-", "−", 1)
}

// signedMoney writes a signed amount with its currency, with a true minus.
func signedMoney(minor int64, currency string) string {
	s := funnel.DisplayMoney(minor, currency)
	if minor > 0 {
		return "+" + s
	}
	return strings.Replace(s, "-", "−", 1)
}

// pluralWord writes n and one or many.
func pluralWord(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return fmt.Sprintf("%d %s", n, many)
}
