package app

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/funnelscope/funnelscope/app/funnel"
)

// sessionsView is what the sessions page template receives: the range
// control's state (as the report's), the segments to filter by and the list.
type sessionsView struct {
	Today, Timezone, Currency string
	Range                     string
	Ranges                    []rangeOption
	From, To                  string
	Segments                  []string
	List                      listView
}

// sessionsPage is the embedded page of the lists a merchant acts on:
// abandoned carts, checkout and payment drop-offs, the recovered and every
// session, filtered by range, segment and search, sorted, paged and
// exported. Its script (lists.js, sessions.js) loads the list from
// GET /api/sessions and keeps the page's state in its address.
func (a *App) sessionsPage(c echo.Context) error {
	loc, err := a.shopLocation(c)
	if err != nil {
		return err
	}
	today := a.today(loc)
	q := c.QueryParams()
	choice := rangeChoice(q, today)
	from, to := q.Get("from"), q.Get("to")
	if choice != customRange && from == "" {
		from, to = today.AddDate(0, 0, 1-defaultRangeDays).Format(dateLayout), today.Format(dateLayout)
	}
	return a.render(c, http.StatusOK, "sessions.html", pageData{Title: "Sessions", Nav: navigation(), Data: sessionsView{
		Today: today.Format(dateLayout), Timezone: loc.String(), Currency: shopOf(c).Currency,
		Range: choice, Ranges: rangeOptions(), From: from, To: to,
		Segments: funnel.Segments(),
		List:     listView{Title: "Shoppers", Tabs: listTabs(true)},
	}})
}
