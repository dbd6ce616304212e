package app

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/funnelscope/funnelscope/app/funnel"
)

// home is the embedded report page. The report for the requested range
// (default: the last 30 days) is rendered on the server, so the page shows
// its numbers even when no script runs; the page's script then reloads the
// report view for other ranges and segments, and draws the trend and lists.
func (a *App) home(c echo.Context) error {
	loc, err := a.shopLocation(c)
	if err != nil {
		return err
	}
	// The page shows a failed report in place, with what it knows.
	view, _ := a.reportForRequest(c)
	return a.render(c, http.StatusOK, "home.html", pageData{Title: "Funnel", Data: homeView{
		Today:    a.today(loc).Format(dateLayout),
		Timezone: loc.String(),
		Report:   view,
		Segments: funnel.Segments(),
	}})
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
