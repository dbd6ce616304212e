package app

import (
	"bytes"

	"github.com/labstack/echo/v4"

	"github.com/funnelscope/funnelscope/shopify"
)

// pageData is what every page template receives. Nav is the app's
// navigation, set for the embedded pages (which load Polaris), and Path the
// page's own path, the entry of Nav it is.
type pageData struct {
	Title    string
	Message  string
	Shop     string
	APIKey   string
	Redirect string
	Demo     bool
	Nav      []navEntry
	Path     string
	Data     any
}

// render executes a page template into a buffer first, so a template error
// becomes a clean 500 rather than half a page, and gives every HTML answer
// its frame-ancestors policy.
func (a *App) render(c echo.Context, status int, name string, data pageData) error {
	if data.Shop == "" {
		data.Shop = shopOf(c).Domain
	}
	if data.Shop == "" && shopify.ValidShopDomain(c.QueryParam("shop")) {
		data.Shop = c.QueryParam("shop")
	}
	data.APIKey = a.cfg.APIKey
	data.Demo = a.cfg.Demo
	data.Path = c.Request().URL.Path
	var buf bytes.Buffer
	if err := a.pages.ExecuteTemplate(&buf, name, data); err != nil {
		return err
	}
	a.setFrameAncestors(c, data.Shop)
	c.Response().Header().Set("Cache-Control", "no-store")
	return c.HTMLBlob(status, buf.Bytes())
}
