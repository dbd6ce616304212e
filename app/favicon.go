package app

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/funnelscope/funnelscope/static"
)

// faviconMaxAge is how long browsers keep the icon: long, since every page
// asks for it, but not forever, since its address stays the same when it
// changes.
const faviconMaxAge = "public, max-age=2592000" // 30 days

// favicon serves the app's icon, which browsers ask for at /favicon.ico
// whatever the pages link.
func favicon(c echo.Context) error {
	c.Response().Header().Set("Cache-Control", faviconMaxAge)
	return c.Blob(http.StatusOK, "image/x-icon", static.Favicon)
}
