package app

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/funnelscope/funnelscope/static"
)

// staticFile serves a static file by its hashed name (static.Assets), to be
// kept for good: the name changes whenever the content does.
//
// Any other name is a 404, not a redirect to the current file: the pages
// are never cached (no-store), so every page a browser shows was rendered
// with the current names. Only a page of another version of the app can
// ask for another name, during a rolling deploy, and the current file
// under that name would be the wrong CSS or script for its markup, which a
// redirect would not even mark as stale. An unhashed name ("app.css") is a
// 404 too, so that no page can come to depend on an address that cannot be
// cached: the tests find every such reference as a broken one.
func (a *App) staticFile(c echo.Context) error {
	f, ok := a.assets.Lookup(c.Param("name"))
	if !ok {
		return echo.ErrNotFound
	}
	c.Response().Header().Set("Cache-Control", static.CacheControl)
	return c.Blob(http.StatusOK, f.ContentType, f.Body)
}
