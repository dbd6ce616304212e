package app

import (
	"net/http"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/funnelscope/funnelscope/app/funnel"
)

// settingsView is what the settings page shows before its script runs: the
// limits of the abandonment threshold, from the rule that checks them.
type settingsView struct {
	MinMinutes, MaxMinutes int64
	// Range is the limits in words, e.g. "between 5 minutes and 7 days".
	Range string
}

// newSettingsView fills the settings page's view.
func newSettingsView() settingsView {
	return settingsView{
		MinMinutes: int64(funnel.MinIdleThreshold / time.Minute),
		MaxMinutes: int64(funnel.MaxIdleThreshold / time.Minute),
		Range:      funnel.IdleThresholdRange(),
	}
}

// settingsPage is the embedded settings page; its script loads and saves
// the settings through /api/settings.
func (a *App) settingsPage(c echo.Context) error {
	return a.render(c, http.StatusOK, "settings.html", pageData{Title: "Settings", Data: newSettingsView()})
}
