package app

import (
	"net/http"
	"strconv"

	"github.com/labstack/echo/v4"

	"github.com/funnelscope/funnelscope/app/funnel"
)

// rangeOption is one choice of the report's date range: a number of days
// ending today, or custom dates.
type rangeOption struct {
	Value, Label string
}

// customRange is the range choice of explicit from and to dates.
const customRange = "custom"

// rangeOptions are the report's date ranges, as the page offers them and
// its address names them (range=7); every other range is custom dates
// (from=…&to=…).
func rangeOptions() []rangeOption {
	return []rangeOption{
		{Value: "1", Label: "Today"},
		{Value: "7", Label: "Last 7 days"},
		{Value: strconv.Itoa(defaultRangeDays), Label: "Last 30 days"},
		{Value: "90", Label: "Last 90 days"},
		{Value: customRange, Label: "Custom…"},
	}
}

// home is the embedded report page. The report for the requested range
// (default: the last 30 days) is rendered on the server, so the page shows
// its numbers even when no script runs; the page's script then reloads the
// report view for other ranges and segments, and draws the trend and lists.
// The page's state lives in its address: range=N is the last N days
// (one of rangeOptions) and from/to custom dates, so that a reload, the
// back button and a shared link show the same report.
func (a *App) home(c echo.Context) error {
	loc, err := a.shopLocation(c)
	if err != nil {
		return err
	}
	today := a.today(loc)
	choice := rangeChoice(c.QueryParams(), today) // the report reads from and to from there
	// The page shows a failed report in place, with what it knows.
	view, _ := a.reportForRequest(c)
	return a.render(c, http.StatusOK, "home.html", pageData{Title: "Funnel report", Nav: navigation(), Data: homeView{
		Today:    today.Format(dateLayout),
		Timezone: loc.String(),
		Currency: shopOf(c).Currency,
		Range:    choice,
		Ranges:   rangeOptions(),
		From:     view.From,
		To:       view.To,
		Report:   view,
		Segments: funnel.Segments(),
		List:     listView{Title: "Shoppers who stopped", Tabs: listTabs(false)},
	}})
}

// presetRange is v when it names one of rangeOptions' day counts, else "".
func presetRange(v string) string {
	for _, o := range rangeOptions() {
		if o.Value == v && v != customRange {
			return v
		}
	}
	return ""
}

// apiReportView serves the report view alone, as HTML, for the page to
// swap in when the range or segment changes; a report that failed on our
// side is a 5xx, so that monitoring counts it, and only bad input a 4xx.
func (a *App) apiReportView(c echo.Context) error {
	view, status := a.reportForRequest(c)
	return a.render(c, status, "report_fragment.html", pageData{Data: view})
}

// reportForRequest is the report view the request asks for (reportFor);
// bad input is shown in the view's error state, as a failed report is.
func (a *App) reportForRequest(c echo.Context) (reportView, int) {
	ctx := c.Request().Context()
	q, err := a.parseReportRequest(c)
	if err != nil {
		return a.reportOrError(ctx, requestView(q), err)
	}
	return a.reportFor(ctx, q)
}
