package app

import (
	"net/http"

	"github.com/labstack/echo/v4"
)

// home is the embedded report page. Its figures come from /api/funnel, which
// the page calls with a fresh session token.
func (a *App) home(c echo.Context) error {
	return a.render(c, http.StatusOK, "home.html", pageData{Title: "Funnel"})
}

// settingsPage is the embedded settings page.
func (a *App) settingsPage(c echo.Context) error {
	return a.render(c, http.StatusOK, "settings.html", pageData{Title: "Settings"})
}
