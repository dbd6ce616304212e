package app

import (
	"errors"
	"net/http"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/funnelscope/funnelscope/app/funnel"
)

// pageTimeLayout is how the session page writes a time, in the shop's
// time zone, which the page names.
const pageTimeLayout = "Jan 2, 2006, 03:04 PM"

// sessionView is what the session page shows: the API's session detail
// with its times written in the shop's time zone.
type sessionView struct {
	// Found is false for a key the shop has no session under; Message
	// then says so.
	Found    bool
	Message  string
	Timezone string
	Detail   sessionDetailJSON
	// Started and LastActivity are the session's times as written.
	Started, LastActivity string
	Stages                []sessionStageView
	Timeline              []timelineRowView
	Alerts                []alertRowView
	Items                 []funnel.LineItem
	// RecoveryURL is the checkout's recovery link when it is an https
	// one, the only kind the page links to.
	RecoveryURL string
}

// sessionStageView is one stage of the session: when it was first
// reached, or "" when it was not.
type sessionStageView struct {
	Key, Label, At string
}

// timelineRowView is one entry of the timeline; LeftOutAfter counts the
// events left out between it and the next (funnel.TimelineCap).
type timelineRowView struct {
	timelineEntryJSON
	When         string
	LeftOutAfter int
}

// alertRowView is one alert about the session.
type alertRowView struct {
	sessionAlertJSON
	Created, Sent string
}

// sessionPage is the embedded page of one shopper's session: its journey
// (the timeline, webhooks and storefront events in time order), its cart,
// contact, device and source, the recovery link, and the alerts sent
// about it. The server renders it all, so it shows without scripts. A key
// the shop has no session under is a 404 page that says so, with the way
// back to the report.
func (a *App) sessionPage(c echo.Context) error {
	key, err := sessionKeyPath(c)
	if err != nil {
		return err
	}
	loc, err := a.shopLocation(c)
	if err != nil {
		return err
	}
	view := sessionView{Timezone: loc.String()}
	d, err := a.sessionDetail(c.Request().Context(), shopOf(c), key)
	var ue *Error
	switch {
	case errors.As(err, &ue) && ue.Status == http.StatusNotFound:
		view.Message = ue.Message
		return a.render(c, http.StatusNotFound, "session.html", pageData{Title: "Shopper", Nav: navigation(), Data: view})
	case err != nil:
		return err
	}
	view.fill(d, loc)
	return a.render(c, http.StatusOK, "session.html", pageData{Title: "Shopper", Nav: navigation(), Data: view})
}

// fill sets v to the session detail d, its times in loc.
func (v *sessionView) fill(d sessionDetailJSON, loc *time.Location) {
	when := func(t time.Time) string { return t.In(loc).Format(pageTimeLayout) }
	v.Found, v.Detail = true, d
	v.Started, v.LastActivity = when(d.Session.StartedAt), when(d.Session.LastActivity)
	v.Items = d.Session.LineItems
	for _, st := range funnel.Stages() {
		row := sessionStageView{Key: st.Key(), Label: st.Label()}
		if at, ok := d.Session.StageTimes[st.Key()]; ok {
			if t, err := time.Parse(time.RFC3339, at); err == nil {
				row.At = when(t)
			}
		}
		v.Stages = append(v.Stages, row)
	}
	for i, e := range d.Timeline {
		row := timelineRowView{timelineEntryJSON: e, When: when(e.At)}
		if d.TimelineLeftOut > 0 && i == d.TimelineLeftOutAfter-1 {
			row.LeftOutAfter = d.TimelineLeftOut
		}
		v.Timeline = append(v.Timeline, row)
	}
	for _, al := range d.Alerts {
		row := alertRowView{sessionAlertJSON: al, Created: when(al.CreatedAt)}
		if al.SentAt != nil {
			row.Sent = when(*al.SentAt)
		}
		v.Alerts = append(v.Alerts, row)
	}
	if strings.HasPrefix(d.Session.RecoveryURL, "https://") {
		v.RecoveryURL = d.Session.RecoveryURL
	}
}
