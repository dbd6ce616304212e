package app

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/funnelscope/funnelscope/app/funnel"
)

// changesView is what the changes page template receives: the kinds a
// merchant can record, the shop's zone, and the form's default time (now
// in that zone) and its limits, as the page's date-time field takes them.
type changesView struct {
	Timezone       string
	Kinds          []choiceView
	Now, Min, Max  string
	MaxDescription int
}

// changesPage is the embedded page of the store's changes: a form to
// record one (POST /api/changes) and the list, newest first
// (GET /api/changes), which changes.js loads.
func (a *App) changesPage(c echo.Context) error {
	loc, err := a.shopLocation(c)
	if err != nil {
		return err
	}
	since, err := a.changesSince(c.Request().Context(), shopOf(c), loc)
	if err != nil {
		return err
	}
	now := a.now().In(loc)
	v := changesView{
		Timezone: loc.String(), MaxDescription: funnel.MaxChangeDescription,
		Now: now.Format(changeLocalLayout), Max: now.Add(funnel.MaxChangeAhead).Format(changeLocalLayout),
	}
	if !since.IsZero() {
		v.Min = since.In(loc).Format(changeLocalLayout)
	}
	for _, k := range funnel.ChangeKinds() {
		v.Kinds = append(v.Kinds, choiceView{Value: string(k), Label: k.Label(), Chosen: k == funnel.ChangeMerchantNote})
	}
	return a.render(c, http.StatusOK, "changes.html", pageData{Title: "Changes", Nav: navigation(), Data: v})
}
