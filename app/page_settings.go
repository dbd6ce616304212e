package app

import (
	"net/http"

	"github.com/labstack/echo/v4"
)

// settingsPage is the embedded settings page; its script loads and saves
// the settings through /api/settings.
func (a *App) settingsPage(c echo.Context) error {
	return a.render(c, http.StatusOK, "settings.html", pageData{Title: "Settings"})
}
