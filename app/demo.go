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

// demoEnter opens the embedded report page as the demo shop, standing in
// for the Shopify admin. The rest of the query (from, to, segment,
// session…) goes on to the page, so an alert's link /demo?session=KEY opens
// that shopper.
func (a *App) demoEnter(c echo.Context) error {
	return a.demoOpen(c, "/")
}

// demoOpen redirects to the embedded page at path as the demo shop with a
// fresh session token and all of the request's query but its old token: what
// the admin does for every page it opens. Demo mode answers a page request
// without a valid token (the root URL, a reload after the token expired)
// with it, instead of the bounce page that only App Bridge can get past.
func (a *App) demoOpen(c echo.Context, path string) error {
	tok, err := a.mintDemoToken()
	if err != nil {
		return err
	}
	q, err := url.ParseQuery(c.Request().URL.RawQuery)
	if err != nil {
		q = url.Values{} // an unreadable query is dropped, not half kept
	}
	q.Set("shop", a.cfg.DemoShop)
	q.Set("embedded", "1")
	q.Set("id_token", tok)
	return c.Redirect(http.StatusFound, path+"?"+q.Encode())
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
