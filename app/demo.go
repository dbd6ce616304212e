package app

import (
	"net/http"
	"net/url"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/funnelscope/funnelscope/shopify"
)

// demoTokenLifetime matches Shopify's: session tokens live one minute.
const demoTokenLifetime = time.Minute

// demoEnter opens the embedded page as the demo shop, standing in for the
// Shopify admin, which would pass a fresh id_token.
func (a *App) demoEnter(c echo.Context) error {
	tok, err := a.mintDemoToken()
	if err != nil {
		return err
	}
	q := url.Values{"shop": {a.cfg.DemoShop}, "embedded": {"1"}, "id_token": {tok}}
	return c.Redirect(http.StatusFound, "/?"+q.Encode())
}

// demoToken gives the demo page a fresh session token, as App Bridge's
// shopify.idToken() does inside the admin. Demo mode only listens on loopback.
func (a *App) demoToken(c echo.Context) error {
	tok, err := a.mintDemoToken()
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string]string{"token": tok})
}

func (a *App) mintDemoToken() (string, error) {
	return shopify.MintSessionToken(a.cfg.APIKey, a.cfg.APISecret, a.cfg.DemoShop, "1", a.now(), demoTokenLifetime)
}
